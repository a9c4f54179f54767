import { Inject, Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { timingSafeEqual } from 'node:crypto';
import type { Client } from './client';
import { sha256 } from './secret-hash';
import { ConfigFileClientStore } from './stores/config-file.stores';

/**
 * Secrets this project publishes: the seed client's (`config/identity.json`, the quick start) and
 * the README's examples. A client that still has one can be used by anyone who read them.
 */
export const PublishedDemoSecrets: readonly string[] = ['secret', 'the secret', 'the admin secret'];

const PUBLISHED_DIGESTS = PublishedDemoSecrets.map((secret) => sha256(secret));

/** The ids of the clients that accept a published demo secret. */
export function clientsWithDemoSecrets(clients: readonly Client[]): string[] {
  return clients
    .filter((client) =>
      client.secrets.some((secret) =>
        PUBLISHED_DIGESTS.some((digest) => timingSafeEqual(digest, secret.sha256)),
      ),
    )
    .map((client) => client.clientId);
}

/** The warning for one such client, with the fix (README "Production topology"). */
export function demoSecretWarning(clientId: string): string {
  return (
    `client "${clientId}" of the configuration file accepts a secret published in this project's ` +
    `README or seed configuration: anyone can get its tokens (fix: mount your own configuration ` +
    `file at IDENTITY_CONFIG, with secrets from npm run hash-secret; see the README's Production topology)`
  );
}

export const IS_PRODUCTION = Symbol('IS_PRODUCTION');

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
    @Inject(IS_PRODUCTION) private readonly production: boolean,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    if (!this.production) return;
    const clients = await Promise.all(
      this.fileClients.clientIds().map((id) => this.fileClients.findClientById(id)),
    );
    const defined = clients.filter((client): client is Client => client !== undefined);
    for (const clientId of clientsWithDemoSecrets(defined)) {
      this.logger.warn(demoSecretWarning(clientId));
    }
  }
}
