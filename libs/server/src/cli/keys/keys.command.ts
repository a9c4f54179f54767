import { Command, CommandRunner } from 'nest-commander';
import { EncryptKeysCommand } from './encrypt-keys.command';
import { ListKeysCommand } from './list-keys.command';
import { RevokeKeyCommand } from './revoke-key.command';
import { RotateKeysCommand } from './rotate-keys.command';

/** `identity keys <subcommand>`: the signing keys, which rotate on their own schedule. */
@Command({
  name: 'keys',
  description: 'list the signing keys, force a rotation, revoke a key, or encrypt them at rest',
  subCommands: [ListKeysCommand, RotateKeysCommand, RevokeKeyCommand, EncryptKeysCommand],
})
export class KeysCommand extends CommandRunner {
  run(params: string[]): Promise<void> {
    if (params.length > 0) this.command.error(`error: unknown command '${params[0]}'`);
    this.command.help({ error: true });
  }
}
