import { Inject, Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import type { Client } from './client';
import { identitySettings, type IdentitySettings } from '../config/identity-settings';
import { matchesAnySecret } from './secret-hash';
import { ConfigFileClientStore } from './stores/config-file.stores';

/**
 * Secrets this project publishes: the seed client's (`config/identity.json`, the quick start) and
 * the examples in docs/clients.md. A client that still has one can be used by anyone who read them.
 */
export const PublishedDemoSecrets: readonly string[] = ['secret', 'the secret', 'the admin secret'];

/** The ids of the clients that accept a published demo secret, checked as the token endpoint does. */
export function clientsWithDemoSecrets(
  clients: readonly Client[],
  now: Date = new Date(),
): string[] {
  return clients
    .filter((client) =>
      PublishedDemoSecrets.some((secret) => matchesAnySecret(secret, client.secrets, now)),
    )
    .map((client) => client.clientId);
}

/** The warning for one such client, with the fix (docs/production.md). */
export function demoSecretWarning(clientId: string): string {
  return (
    `client "${clientId}" of the configuration file accepts a secret published in this project's ` +
    `README or seed configuration: anyone can get its tokens (fix: mount your own configuration ` +
    `file at IDENTITY_CONFIG, with secrets from npm run hash-secret; see the README's Production topology)`
  );
}

/**
 * In production (NODE_ENV=production), one warning line per configuration-file client that a
 * published demo secret authenticates: the image ships the seed configuration so that it runs as
 * is, and nothing else would say so. The demo and compose keep working; this only warns.
 */
@Injectable()
export class DemoSecretWarnings implements OnApplicationBootstrap {
  private readonly logger = new Logger('Configuration');

  constructor(
    private readonly fileClients: ConfigFileClientStore,
    @Inject(identitySettings.KEY) private readonly settings: IdentitySettings,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    if (!this.settings.server.production) return;
    const clients = await Promise.all(
      this.fileClients.clientIds().map((id) => this.fileClients.findClientById(id)),
    );
    const defined = clients.filter((client): client is Client => client !== undefined);
    for (const clientId of clientsWithDemoSecrets(defined)) {
      this.logger.warn(demoSecretWarning(clientId));
    }
  }
}
