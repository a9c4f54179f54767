import { SubCommand } from 'nest-commander';
import type { OutputOptions } from '../output-command';
import { KeyCommand } from './key-command';
import { CLI_ACTOR } from '../../audit/audit-events';

@SubCommand({
  name: 'rotate',
  description:
    'sign with a new key from now on; the old one stays published for the retention time (APIs fetch the new kid on sight)',
})
export class RotateKeysCommand extends KeyCommand {
  async run(_params: string[], options: OutputOptions): Promise<void> {
    const kid = await this.keys.forceRotation(CLI_ACTOR);
    if (options.json) this.output.json({ kid });
    else this.output.line(`rotated: new tokens are signed with ${kid}`);
  }
}
