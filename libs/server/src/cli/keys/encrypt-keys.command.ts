import { SubCommand } from 'nest-commander';
import { ENCRYPTION_KEY_VARIABLE } from '../../keys/private-key-encryption';
import type { OutputOptions } from '../output-command';
import { KeyCommand } from './key-command';

@SubCommand({
  name: 'encrypt',
  description: `encrypt in place, with ${ENCRYPTION_KEY_VARIABLE}, every signing key stored in clear`,
})
export class EncryptKeysCommand extends KeyCommand {
  async run(_params: string[], options: OutputOptions): Promise<void> {
    const result = await this.keys.encryptStoredKeys();
    if (options.json) this.output.json(result);
    else
      this.output.line(
        `encrypted ${result.encrypted} signing key(s) with ${ENCRYPTION_KEY_VARIABLE}; ${result.alreadyEncrypted} already were`,
      );
    // A running identity without the variable can no longer read the keys it reloads.
    if (result.encrypted > 0)
      this.output.warn(
        `The identity needs the same ${ENCRYPTION_KEY_VARIABLE} to read them: set it on every replica, then restart them.`,
      );
  }
}
