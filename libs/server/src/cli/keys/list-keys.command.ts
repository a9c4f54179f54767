import { SubCommand } from 'nest-commander';
import type { OutputOptions } from '../output-command';
import { KeyCommand } from './key-command';

@SubCommand({ name: 'list', description: 'the signing keys and their schedule (no key material)' })
export class ListKeysCommand extends KeyCommand {
  async run(_params: string[], options: OutputOptions): Promise<void> {
    const keys = await this.keys.listKeys();
    if (options.json) {
      this.output.json(keys);
      return;
    }
    if (keys.length === 0)
      this.output.line('no signing key yet: the identity creates one at start');
    for (const key of keys) {
      this.output.line(
        `${key.generation}  ${key.status.padEnd(7)}  ${key.alg.padEnd(5)}  ${key.kid}  ` +
          `signs ${key.activatesAt.toISOString()} → ${key.retiresAt.toISOString()}, ` +
          `published until ${key.publishedUntil.toISOString()}`,
      );
    }
  }
}
