import { Injectable } from '@nestjs/common';
import { CommandRunner, Option } from 'nest-commander';
import { ClientManagementService } from '../../clients/management/client-management.service';
import { CliOutput } from '../cli-output';

export interface OutputOptions {
  json?: boolean;
}

/** What every `clients` subcommand shares: the management service, the output, and `--json`. */
@Injectable()
export abstract class ClientCommand<
  Options extends OutputOptions = OutputOptions,
> extends CommandRunner {
  constructor(
    protected readonly clients: ClientManagementService,
    protected readonly output: CliOutput,
  ) {
    super();
  }

  abstract override run(params: string[], options: Options): Promise<void>;

  @Option({ flags: '--json', description: 'print JSON, for scripts' })
  parseJson(): boolean {
    return true;
  }
}
