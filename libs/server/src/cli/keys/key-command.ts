import { Injectable } from '@nestjs/common';
import { SigningKeyManager } from '../../keys/signing-key-manager';
import { CliOutput } from '../cli-output';
import { OutputCommand } from '../output-command';

/** What every `keys` subcommand shares: the key manager, the output, and `--json`. */
@Injectable()
export abstract class KeyCommand extends OutputCommand {
  constructor(
    protected readonly keys: SigningKeyManager,
    output: CliOutput,
  ) {
    super(output);
  }
}
