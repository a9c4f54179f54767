import { SubCommand } from 'nest-commander';
import { ClientCommand, type OutputOptions } from './client-command';
import { clientTable } from './client-printer';

@SubCommand({
  name: 'list',
  description: 'list every client: the configuration file’s and the database’s',
})
export class ListClientsCommand extends ClientCommand {
  async run(_params: string[], options: OutputOptions): Promise<void> {
    const clients = await this.clients.list();
    if (options.json) this.output.json(clients);
    else this.output.lines(clientTable(clients));
  }
}
