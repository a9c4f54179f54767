import { Command, CommandRunner } from 'nest-commander';
import { AddSecretCommand } from './add-secret.command';
import { CreateClientCommand } from './create-client.command';
import { DeleteClientCommand } from './delete-client.command';
import { DisableClientCommand } from './disable-client.command';
import { EnableClientCommand } from './enable-client.command';
import { ListClientsCommand } from './list-clients.command';
import { RemoveSecretCommand } from './remove-secret.command';
import { ShowClientCommand } from './show-client.command';

/** `identity clients <subcommand>`: a new subcommand is one class in this folder, listed here. */
@Command({
  name: 'clients',
  description:
    'manage clients: the database’s can be changed; the configuration file’s are read-only',
  subCommands: [
    CreateClientCommand,
    ListClientsCommand,
    ShowClientCommand,
    EnableClientCommand,
    DisableClientCommand,
    DeleteClientCommand,
    AddSecretCommand,
    RemoveSecretCommand,
  ],
})
export class ClientsCommand extends CommandRunner {
  run(params: string[]): Promise<void> {
    if (params.length > 0) this.command.error(`error: unknown command '${params[0]}'`);
    this.command.help({ error: true });
  }
}
