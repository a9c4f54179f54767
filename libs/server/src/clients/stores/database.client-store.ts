import { Inject, Injectable, Optional, type OnModuleInit } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { IDENTITY_DATA_SOURCE } from '../../persistence/identity-data-source';
import type { DataSource } from 'typeorm';
import { ClientEntity } from '../../persistence/entities/client.entity';
import { StoreChanges } from '../../persistence/store-changes';
import { asStoreUnavailable } from '../../persistence/store-unavailable';
import type { Client } from '../client';
import { ClientStore } from '../client-store';
import { identitySettings, type IdentitySettings } from '../../config/identity-settings';
import { openClientSecret } from '../secret-encryption';

/** Enough for every real client and a burst of unknown ids; past it the cache starts afresh. */
const MAX_CACHED_LOOKUPS = 10_000;

/**
 * Clients created through the admin API or the CLI. Lookups are cached in memory (a token
 * request reads nothing from the database once its client is known) and the cache is dropped
 * whenever StoreChanges sees a write, here or in another process. The set of ids is held too,
 * so an unknown id costs no query: a flood of made-up ids does not become a flood of queries,
 * and an unknown id is answered as fast as a known one, so ids cannot be told apart by timing
 * (docs/security.md). While the database is unreachable, cached clients keep authenticating and
 * an uncached id is a StoreUnavailable (503), never an unknown client.
 */
@Injectable()
export class DatabaseClientStore extends ClientStore implements OnModuleInit {
  private cache = new Map<string, Promise<Client | undefined>>();
  private knownIds?: Promise<ReadonlySet<string>>;

  constructor(
    @InjectDataSource(IDENTITY_DATA_SOURCE) private readonly dataSource: DataSource,
    private readonly changes: StoreChanges,
    // The encryption key of client_secret_jwt secrets (see secret-encryption.ts).
    @Optional() @Inject(identitySettings.KEY) private readonly settings?: IdentitySettings,
  ) {
    super();
  }

  onModuleInit(): void {
    this.changes.onChange(() => {
      this.cache = new Map();
      this.knownIds = undefined;
    });
  }

  findClientById(clientId: string): Promise<Client | undefined> {
    const cached = this.cache.get(clientId);
    if (cached) return cached;
    if (this.cache.size >= MAX_CACHED_LOOKUPS) this.cache = new Map();
    const lookup = this.lookUp(clientId);
    this.cache.set(clientId, lookup);
    // A failed lookup (database down) is not remembered: the next request asks again.
    lookup.catch(() => this.cache.delete(clientId));
    return lookup;
  }

  /** Every database client id: to refuse ids that the configuration file also defines. */
  async clientIds(): Promise<string[]> {
    const rows = await this.dataSource
      .getRepository(ClientEntity)
      .find({ select: { clientId: true } });
    return rows.map((row) => row.clientId);
  }

  /** The client, queried only when its id is one the database holds. */
  private async lookUp(clientId: string): Promise<Client | undefined> {
    const known = await this.ids();
    return known.has(clientId) ? this.load(clientId) : undefined;
  }

  private ids(): Promise<ReadonlySet<string>> {
    if (this.knownIds) return this.knownIds;
    const loading = this.clientIds().then(
      (ids) => new Set(ids),
      (error: unknown) => {
        throw asStoreUnavailable(error);
      },
    );
    this.knownIds = loading;
    // Not remembered when it failed (database down): the next lookup asks again.
    loading.catch(() => {
      if (this.knownIds === loading) this.knownIds = undefined;
    });
    return loading;
  }

  private async load(clientId: string): Promise<Client | undefined> {
    let entity: ClientEntity | null;
    try {
      entity = await this.dataSource
        .getRepository(ClientEntity)
        .findOne({ where: { clientId }, relations: { secrets: true } });
    } catch (error) {
      throw asStoreUnavailable(error);
    }
    return entity ? toClient(entity, this.settings?.keys.encryptionKey) : undefined;
  }
}

export function toClient(entity: ClientEntity, encryptionKey?: Buffer): Client {
  return {
    clientId: entity.clientId,
    source: 'database',
    enabled: entity.enabled,
    secrets: entity.secrets.map((secret) => ({
      sha256: Buffer.from(secret.sha256, 'base64'),
      // Kept for client_secret_jwt; a secret that cannot be decrypted only loses that use.
      hmacKey: secret.jwtSecret
        ? openClientSecret(secret.jwtSecret, secret.id, encryptionKey)
        : undefined,
      expiresAt: secret.expiresAt,
    })),
    allowedGrantTypes: entity.allowedGrantTypes,
    allowedScopes: entity.allowedScopes,
    accessTokenLifetime: entity.accessTokenLifetime,
    claims: entity.claims,
    accessTokenType: entity.accessTokenType,
    requireDPoP: entity.requireDPoP,
    allowedResources: entity.allowedResources,
    jwks: entity.jwks ?? undefined,
    jwksUri: entity.jwksUri ?? undefined,
  };
}
