import { SubCommand } from 'nest-commander';
import { ClientCommand, type OutputOptions } from './client-command';
import { CLI_ACTOR } from '../../audit/audit-events';

@SubCommand({
  name: 'delete',
  arguments: '<clientId>',
  description: 'delete a database client and its secrets',
})
export class DeleteClientCommand extends ClientCommand {
  async run([clientId]: string[], options: OutputOptions): Promise<void> {
    await this.clients.delete(clientId, CLI_ACTOR);
    if (options.json) this.output.json({ clientId, deleted: true });
    else this.output.line(`deleted the client ${clientId}`);
  }
}
