import { SubCommand } from 'nest-commander';
import { CLI_ACTOR } from '../../audit/audit-events';
import type { OutputOptions } from '../output-command';
import { KeyCommand } from './key-command';

@SubCommand({
  name: 'revoke',
  arguments: '<kid>',
  description:
    'emergency: delete a key now, so it leaves the JWKS and its tokens stop validating; a new key signs if it was signing',
})
export class RevokeKeyCommand extends KeyCommand {
  async run([kid]: string[], options: OutputOptions): Promise<void> {
    const result = await this.keys.revokeKey(kid, CLI_ACTOR);
    if (options.json) {
      this.output.json(result);
      return;
    }
    this.output.line(
      `revoked ${result.revoked}: it left the JWKS; new tokens are signed with ${result.signingKid}${result.newSigningKey ? ' (a new key)' : ''}`,
    );
  }
}
