import { SubCommand } from 'nest-commander';
import { ClientCommand, type OutputOptions } from './client-command';
import { CLI_ACTOR } from '../../audit/audit-events';

@SubCommand({
  name: 'remove-secret',
  arguments: '<clientId> <secretId>',
  description: 'remove a secret of a client by its id (see `clients show`)',
})
export class RemoveSecretCommand extends ClientCommand {
  async run([clientId, secretId]: string[], options: OutputOptions): Promise<void> {
    await this.clients.removeSecret(clientId, secretId, CLI_ACTOR);
    if (options.json) this.output.json({ clientId, secretId, removed: true });
    else this.output.line(`removed the secret ${secretId} from the client ${clientId}`);
  }
}
