import { Injectable } from '@nestjs/common';
import { ClientManagementService } from '../../clients/management/client-management.service';
import { CliOutput } from '../cli-output';
import { OutputCommand, type OutputOptions } from '../output-command';

export type { OutputOptions } from '../output-command';

/** What every `clients` subcommand shares: the management service, the output, and `--json`. */
@Injectable()
export abstract class ClientCommand<
  Options extends OutputOptions = OutputOptions,
> extends OutputCommand<Options> {
  constructor(
    protected readonly clients: ClientManagementService,
    output: CliOutput,
  ) {
    super(output);
  }
}
