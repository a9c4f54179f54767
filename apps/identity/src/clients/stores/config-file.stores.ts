import { Inject, Injectable } from '@nestjs/common';
import { IDENTITY_API_RESOURCE, Scopes, type IdentityConfigFile } from '@app/shared';
import type { ApiResource, ApiScope, Client } from '../client';
import { ClientStore } from '../client-store';
import { ResourceStore } from '../resource-store';

export const IDENTITY_CONFIG_FILE = Symbol('IDENTITY_CONFIG_FILE');

/** Clients from the validated configuration file, indexed once at start-up. Read-only. */
@Injectable()
export class ConfigFileClientStore extends ClientStore {
  private readonly clients: ReadonlyMap<string, Client>;

  constructor(@Inject(IDENTITY_CONFIG_FILE) config: IdentityConfigFile) {
    super();
    this.clients = new Map(
      config.clients.map((client) => [
        client.clientId,
        {
          clientId: client.clientId,
          source: 'configuration' as const,
          enabled: client.enabled,
          secrets: client.clientSecrets.map((secret) => ({
            sha256: Buffer.from(secret.value, 'base64'),
            expiresAt: secret.expiration ? new Date(secret.expiration) : undefined,
          })),
          allowedGrantTypes: client.allowedGrantTypes,
          allowedScopes: client.allowedScopes,
          accessTokenLifetime: client.accessTokenLifetime,
          claims: client.claims.map(({ type, value }) => ({ type, value })),
        },
      ]),
    );
  }

  findClientById(clientId: string): Promise<Client | undefined> {
    return Promise.resolve(this.clients.get(clientId));
  }

  clientIds(): string[] {
    return [...this.clients.keys()];
  }
}

/** The identity's own API: the admin API, reached with a token granted `identity.admin`. */
export const BUILT_IN_API_SCOPES: readonly ApiScope[] = [
  { name: Scopes.IdentityAdmin, displayName: "Manage the identity's clients" },
];
export const BUILT_IN_API_RESOURCES: readonly ApiResource[] = [
  { name: IDENTITY_API_RESOURCE, scopes: [Scopes.IdentityAdmin] },
];

/**
 * API scopes and resources from the validated configuration file, then the built-in ones
 * (which the file may not redefine). Read-only.
 */
@Injectable()
export class ConfigFileResourceStore extends ResourceStore {
  private readonly scopes: ReadonlyMap<string, ApiScope>;
  private readonly resources: readonly ApiResource[];

  constructor(@Inject(IDENTITY_CONFIG_FILE) config: IdentityConfigFile) {
    super();
    this.scopes = new Map(
      [
        ...config.apiScopes.map(({ name, displayName }) => ({ name, displayName })),
        ...BUILT_IN_API_SCOPES,
      ].map((scope) => [scope.name, scope]),
    );
    this.resources = [
      ...config.apiResources.map(({ name, scopes }) => ({ name, scopes })),
      ...BUILT_IN_API_RESOURCES,
    ];
  }

  getAllApiScopes(): Promise<readonly ApiScope[]> {
    return Promise.resolve([...this.scopes.values()]);
  }

  findApiScopesByName(names: readonly string[]): Promise<readonly ApiScope[]> {
    return Promise.resolve(
      names.flatMap((name) => {
        const scope = this.scopes.get(name);
        return scope ? [scope] : [];
      }),
    );
  }

  findApiResourcesByScopeName(scopeNames: readonly string[]): Promise<readonly ApiResource[]> {
    return Promise.resolve(
      this.resources.filter((resource) => resource.scopes.some((s) => scopeNames.includes(s))),
    );
  }
}
