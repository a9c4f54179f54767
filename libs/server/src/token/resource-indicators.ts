import { InvalidScope, InvalidTarget, isAbsoluteUri } from '@nest-identity/shared';
import type { ApiResource, Client } from '../clients/client';

/**
 * RFC 8707 §2 at the token endpoint: the API resources that the `resource` values name. A value
 * is an absolute URI without a fragment, and names a resource by its `uri`, or by its `name` when
 * the name is itself an absolute URI. Each named resource must be in the client's
 * `allowedResources`. Anything else is `invalid_target`; an unknown value is not repeated back,
 * as it is the caller's own input.
 */
export function resolveResourceIndicators(
  indicators: readonly string[],
  resources: readonly ApiResource[],
  client: Client,
): ApiResource[] {
  const named: ApiResource[] = [];
  for (const indicator of new Set(indicators)) {
    if (!isAbsoluteUri(indicator)) {
      throw new InvalidTarget('a resource must be an absolute URI without a fragment');
    }
    const resource = resources.find((candidate) => identifies(candidate, indicator));
    if (resource === undefined) throw new InvalidTarget('a requested resource is unknown');
    if (!client.allowedResources.includes(resource.name)) {
      throw new InvalidTarget(`the client may not request the resource ${resource.name}`);
    }
    if (!named.includes(resource)) named.push(resource);
  }
  return named;
}

function identifies(resource: ApiResource, indicator: string): boolean {
  return resource.uri === indicator || (resource.name === indicator && isAbsoluteUri(indicator));
}

/**
 * The scopes a token for `targets` may carry: without `scope`, every scope the client is allowed
 * that a target holds; with it, the requested scopes (already checked as defined and allowed),
 * each held by a target. A scope no target holds is `invalid_scope`, not `invalid_target`: the
 * resources are valid and allowed (RFC 8707 §2's `invalid_target` is about the resource); it is
 * the scope that is "invalid ... or exceeds" what can be granted (RFC 6749 §5.2), as
 * node-oidc-provider also answers.
 */
export function scopesForTargets(
  requested: readonly string[] | undefined,
  client: Client,
  targets: readonly ApiResource[],
): string[] {
  const held = new Set(targets.flatMap((resource) => resource.scopes));
  if (requested === undefined) {
    const granted = client.allowedScopes.filter((scope) => held.has(scope));
    if (granted.length === 0) {
      throw new InvalidScope('the client is allowed no scope of the requested resources');
    }
    return granted;
  }
  const outside = requested.filter((scope) => !held.has(scope));
  if (outside.length > 0) {
    throw new InvalidScope(`no requested resource holds the scope ${outside.join(' ')}`);
  }
  return [...requested];
}
