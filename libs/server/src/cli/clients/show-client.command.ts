import { SubCommand } from 'nest-commander';
import { ClientCommand, type OutputOptions } from './client-command';
import { clientDetails } from './client-printer';

@SubCommand({
  name: 'show',
  arguments: '<clientId>',
  description: 'show a client and its secrets (never a secret or its hash)',
})
export class ShowClientCommand extends ClientCommand {
  async run([clientId]: string[], options: OutputOptions): Promise<void> {
    const client = await this.clients.show(clientId);
    if (options.json) this.output.json(client);
    else this.output.lines(clientDetails(client));
  }
}
