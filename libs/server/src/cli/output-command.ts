import { CommandRunner, Option } from 'nest-commander';
import { CliOutput } from './cli-output';

export interface OutputOptions {
  json?: boolean;
}

/** What every subcommand shares: where it prints, and `--json` for scripts. */
export abstract class OutputCommand<
  Options extends OutputOptions = OutputOptions,
> extends CommandRunner {
  constructor(protected readonly output: CliOutput) {
    super();
  }

  abstract override run(params: string[], options: Options): Promise<void>;

  @Option({ flags: '--json', description: 'print JSON, for scripts' })
  parseJson(): boolean {
    return true;
  }
}
