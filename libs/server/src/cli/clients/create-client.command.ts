import { Option, SubCommand } from 'nest-commander';
import { ClientCommand, type OutputOptions } from './client-command';
import { clientDetails, SECRET_WARNING } from './client-printer';
import { collectClaim, collectNames, parseSeconds, readSecret } from './option-parsers';
import { CLI_ACTOR } from '../../audit/audit-events';

interface CreateOptions extends OutputOptions {
  name?: string;
  description?: string;
  disabled?: boolean;
  grant?: string[];
  scope?: string[];
  lifetime?: number;
  claim?: { type: string; value: string }[];
  secret?: string;
  secretExpires?: string;
  secretDescription?: string;
}

@SubCommand({
  name: 'create',
  arguments: '<clientId>',
  description: 'create a client in the database, with one secret (generated unless --secret)',
})
export class CreateClientCommand extends ClientCommand<CreateOptions> {
  async run([clientId]: string[], options: CreateOptions): Promise<void> {
    const secretValue = await readSecret(options.secret);
    const { client, secret } = await this.clients.create(
      {
        clientId,
        ...(options.name !== undefined && { clientName: options.name }),
        ...(options.description !== undefined && { description: options.description }),
        enabled: !options.disabled,
        allowedGrantTypes: options.grant ?? [],
        allowedScopes: options.scope ?? [],
        ...(options.lifetime !== undefined && { accessTokenLifetime: options.lifetime }),
        claims: options.claim ?? [],
        secret: {
          ...(secretValue !== undefined && { value: secretValue }),
          ...(options.secretExpires !== undefined && { expiration: options.secretExpires }),
          ...(options.secretDescription !== undefined && {
            description: options.secretDescription,
          }),
        },
      },
      CLI_ACTOR,
    );
    if (options.json) this.output.json(secret === undefined ? client : { ...client, secret });
    else {
      this.output.line(`created the client ${client.clientId}`);
      this.output.lines(clientDetails(client));
      if (secret !== undefined) this.output.line(`secret: ${secret}`);
    }
    if (secret !== undefined) this.output.warn(SECRET_WARNING);
  }

  @Option({ flags: '--name <clientName>', description: 'a display name' })
  parseName(value: string): string {
    return value;
  }

  @Option({ flags: '--description <text>', description: 'what the client is for' })
  parseDescription(value: string): string {
    return value;
  }

  @Option({ flags: '--disabled', description: 'create it disabled' })
  parseDisabled(): boolean {
    return true;
  }

  @Option({
    flags: '--grant <grantType>',
    description: 'an allowed grant type, e.g. client_credentials (repeatable)',
  })
  parseGrant(value: string, previous?: string[]): string[] {
    return collectNames(value, previous);
  }

  @Option({ flags: '--scope <scope>', description: 'an allowed scope (repeatable)' })
  parseScope(value: string, previous?: string[]): string[] {
    return collectNames(value, previous);
  }

  @Option({ flags: '--lifetime <seconds>', description: 'access token lifetime (default 3600)' })
  parseLifetime(value: string): number {
    return parseSeconds(value);
  }

  @Option({
    flags: '--claim <type=value>',
    description: 'a claim added to its tokens (repeatable)',
  })
  parseClaim(value: string, previous?: { type: string; value: string }[]) {
    return collectClaim(value, previous);
  }

  @Option({
    flags: '--secret <secret>',
    description: 'use this secret (at least 16 characters; "-" reads it from stdin)',
  })
  parseSecret(value: string): string {
    return value;
  }

  @Option({ flags: '--secret-expires <instant>', description: 'ISO 8601 expiry of the secret' })
  parseSecretExpires(value: string): string {
    return value;
  }

  @Option({ flags: '--secret-description <text>', description: 'a note on the secret' })
  parseSecretDescription(value: string): string {
    return value;
  }
}
