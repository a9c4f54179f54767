import { Injectable } from '@nestjs/common';
import { CommandRunner, Option } from 'nest-commander';
import { SigningKeyManager } from '../../keys/signing-key-manager';
import { CliOutput } from '../cli-output';
import type { OutputOptions } from '../clients/client-command';

/** What every `keys` subcommand shares: the key manager, the output, and `--json`. */
@Injectable()
export abstract class KeyCommand extends CommandRunner {
  constructor(
    protected readonly keys: SigningKeyManager,
    protected readonly output: CliOutput,
  ) {
    super();
  }

  abstract override run(params: string[], options: OutputOptions): Promise<void>;

  @Option({ flags: '--json', description: 'print JSON, for scripts' })
  parseJson(): boolean {
    return true;
  }
}
