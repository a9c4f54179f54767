import { Option, SubCommand } from 'nest-commander';
import { ClientCommand, type OutputOptions } from './client-command';
import { addedSecretLines, SECRET_WARNING } from './client-printer';
import { readSecret } from './option-parsers';
import { CLI_ACTOR } from '../../audit/audit-events';

interface AddSecretOptions extends OutputOptions {
  secret?: string;
  expires?: string;
  description?: string;
}

@SubCommand({
  name: 'add-secret',
  arguments: '<clientId>',
  description: 'add a secret to a client (rotation): generated unless --secret',
})
export class AddSecretCommand extends ClientCommand<AddSecretOptions> {
  async run([clientId]: string[], options: AddSecretOptions): Promise<void> {
    const value = await readSecret(options.secret);
    const added = await this.clients.addSecret(
      clientId,
      {
        ...(value !== undefined && { value }),
        ...(options.expires !== undefined && { expiration: options.expires }),
        ...(options.description !== undefined && { description: options.description }),
      },
      CLI_ACTOR,
    );
    if (options.json) this.output.json(added);
    else {
      this.output.line(`added a secret to the client ${clientId}`);
      this.output.lines(addedSecretLines(added));
    }
    if (added.secret !== undefined) this.output.warn(SECRET_WARNING);
  }

  @Option({
    flags: '--secret <secret>',
    description: 'use this secret (at least 16 characters; "-" reads it from stdin)',
  })
  parseSecret(value: string): string {
    return value;
  }

  @Option({ flags: '--expires <instant>', description: 'ISO 8601 expiry of the secret' })
  parseExpires(value: string): string {
    return value;
  }

  @Option({ flags: '--description <text>', description: 'a note on the secret' })
  parseDescription(value: string): string {
    return value;
  }
}
