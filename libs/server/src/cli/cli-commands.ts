import type { Provider } from '@nestjs/common';
import { ClientsCommand } from './clients/clients.command';
import { KeysCommand } from './keys/keys.command';

/**
 * Every command group of the CLI, each with its subcommands. A new group is one file with a
 * `@Command` class listing its `@SubCommand`s, and one line here; its modules go into CliModule.
 */
export const CLI_COMMANDS: Provider[] = [
  ...ClientsCommand.registerWithSubCommands(),
  ...KeysCommand.registerWithSubCommands(),
];
