import { Inject, Injectable } from '@nestjs/common';
import {
  IDENTITY_API_RESOURCE,
  Scopes,
  type ClientDefinition,
  type IdentityConfigFile,
} from '@nest-identity/shared';
import type { ApiResource, ApiScope, Client } from '../client';
import { ClientStore } from '../client-store';
import { secretOf } from '../environment-secrets';
import { ResourceStore } from '../resource-store';

/** The configuration file as validated at start-up; the stores below may move past it on reload. */
export const IDENTITY_CONFIG_FILE = Symbol('IDENTITY_CONFIG_FILE');

/**
 * Clients from the validated configuration file, read-only. `replace` swaps the whole set at
 * once (a reload): a lookup answers from one version of the file, never from a mix.
 */
@Injectable()
export class ConfigFileClientStore extends ClientStore {
  private index: {
    readonly clients: ReadonlyMap<string, Client>;
    readonly definitions: ReadonlyMap<string, ClientDefinition>;
  };

  constructor(@Inject(IDENTITY_CONFIG_FILE) config: IdentityConfigFile) {
    super();
    this.index = indexClients(config);
  }

  replace(config: IdentityConfigFile): void {
    this.index = indexClients(config);
  }

  findClientById(clientId: string): Promise<Client | undefined> {
    return Promise.resolve(this.index.clients.get(clientId));
  }

  clientIds(): string[] {
    return [...this.index.clients.keys()];
  }

  /** The clients as the file writes them, in file order: for the admin API and the CLI. */
  definitions(): ClientDefinition[] {
    return [...this.index.definitions.values()];
  }

  findDefinition(clientId: string): ClientDefinition | undefined {
    return this.index.definitions.get(clientId);
  }
}

function indexClients(config: IdentityConfigFile) {
  return {
    definitions: new Map(config.clients.map((client) => [client.clientId, client])),
    clients: new Map(
      config.clients.map((client) => [
        client.clientId,
        {
          clientId: client.clientId,
          source: 'configuration' as const,
          enabled: client.enabled,
          secrets: client.clientSecrets.map((secret) => secretOf(secret)),
          allowedGrantTypes: client.allowedGrantTypes,
          allowedScopes: client.allowedScopes,
          accessTokenLifetime: client.accessTokenLifetime,
          claims: client.claims.map(({ type, value }) => ({ type, value })),
          accessTokenType: client.accessTokenType,
          requireDPoP: client.requireDPoP,
          allowedResources: client.allowedResources,
          jwks: client.jwks,
          jwksUri: client.jwksUri,
        },
      ]),
    ),
  };
}

/** The identity's own API: the admin API, reached with a token granted `identity.admin`. */
export const BUILT_IN_API_SCOPES: readonly ApiScope[] = [
  { name: Scopes.IdentityAdmin, displayName: "Manage the identity's clients" },
];
export const BUILT_IN_API_RESOURCES: readonly ApiResource[] = [
  { name: IDENTITY_API_RESOURCE, scopes: [Scopes.IdentityAdmin], secrets: [] },
];

/**
 * API scopes and resources from the validated configuration file, then the built-in ones
 * (which the file may not redefine). Read-only; `replace` swaps them whole, as for clients.
 */
@Injectable()
export class ConfigFileResourceStore extends ResourceStore {
  private index: {
    readonly scopes: ReadonlyMap<string, ApiScope>;
    readonly resources: readonly ApiResource[];
  };

  constructor(@Inject(IDENTITY_CONFIG_FILE) config: IdentityConfigFile) {
    super();
    this.index = indexResources(config);
  }

  replace(config: IdentityConfigFile): void {
    this.index = indexResources(config);
  }

  getAllApiScopes(): Promise<readonly ApiScope[]> {
    return Promise.resolve([...this.index.scopes.values()]);
  }

  findApiScopesByName(names: readonly string[]): Promise<readonly ApiScope[]> {
    const { scopes } = this.index;
    return Promise.resolve(
      names.flatMap((name) => {
        const scope = scopes.get(name);
        return scope ? [scope] : [];
      }),
    );
  }

  getAllApiResources(): Promise<readonly ApiResource[]> {
    return Promise.resolve(this.index.resources);
  }

  findApiResourcesByScopeName(scopeNames: readonly string[]): Promise<readonly ApiResource[]> {
    return Promise.resolve(
      this.index.resources.filter((resource) =>
        resource.scopes.some((s) => scopeNames.includes(s)),
      ),
    );
  }
}

function indexResources(config: IdentityConfigFile) {
  return {
    scopes: new Map(
      [
        ...config.apiScopes.map(({ name, displayName }) => ({ name, displayName })),
        ...BUILT_IN_API_SCOPES,
      ].map((scope) => [scope.name, scope]),
    ),
    resources: [
      ...config.apiResources.map(({ name, scopes, uri, apiSecrets }): ApiResource => ({
        name,
        scopes,
        uri,
        secrets: apiSecrets.map((secret) => secretOf(secret)),
      })),
      ...BUILT_IN_API_RESOURCES,
    ],
  };
}
