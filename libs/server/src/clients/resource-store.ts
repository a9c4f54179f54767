import type { ApiResource, ApiScope } from './client';

/** Where API scopes and API resources come from (IdentityServer's IResourceStore). */
export abstract class ResourceStore {
  abstract getAllApiScopes(): Promise<readonly ApiScope[]>;
  abstract findApiScopesByName(names: readonly string[]): Promise<readonly ApiScope[]>;
  /** Every API resource, the built-in `identity` one included. */
  abstract getAllApiResources(): Promise<readonly ApiResource[]>;
  abstract findApiResourcesByScopeName(
    scopeNames: readonly string[],
  ): Promise<readonly ApiResource[]>;
}
