import { SubCommand } from 'nest-commander';
import { ClientCommand, type OutputOptions } from './client-command';
import { CLI_ACTOR } from '../../audit/audit-events';

@SubCommand({
  name: 'disable',
  arguments: '<clientId>',
  description:
    'stop a client getting tokens (within a second, on every replica); keeps its secrets',
})
export class DisableClientCommand extends ClientCommand {
  async run([clientId]: string[], options: OutputOptions): Promise<void> {
    const client = await this.clients.disable(clientId, CLI_ACTOR);
    if (options.json) this.output.json(client);
    else this.output.line(`disabled the client ${client.clientId}`);
  }
}
