import { SubCommand } from 'nest-commander';
import { ClientCommand, type OutputOptions } from './client-command';
import { CLI_ACTOR } from '../../audit/audit-events';

@SubCommand({
  name: 'enable',
  arguments: '<clientId>',
  description: 'let a disabled client get tokens again',
})
export class EnableClientCommand extends ClientCommand {
  async run([clientId]: string[], options: OutputOptions): Promise<void> {
    const client = await this.clients.enable(clientId, CLI_ACTOR);
    if (options.json) this.output.json(client);
    else this.output.line(`enabled the client ${client.clientId}`);
  }
}
