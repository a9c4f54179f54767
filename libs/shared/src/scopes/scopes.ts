/** The scopes this project's APIs define. */
export const Scopes = {
  Api1: 'api1',
  /** Built into the identity: manage its clients through the admin API (`/admin/...`). */
  IdentityAdmin: 'identity.admin',
} as const;
export type Scope = (typeof Scopes)[keyof typeof Scopes];

/**
 * The identity's own API resource: the `aud` of a token granted `identity.admin`. Like that scope,
 * it always exists, and the configuration file may not define either name.
 */
export const IDENTITY_API_RESOURCE = 'identity';

/** RFC 6749 §3.3: scope-token = 1*( %x21 / %x23-5B / %x5D-7E ) */
const SCOPE_TOKEN = /^[\x21\x23-\x5B\x5D-\x7E]+$/;

export function isScopeToken(value: string): boolean {
  return SCOPE_TOKEN.test(value);
}

/** Splits a `scope` parameter on spaces and folds repeated names, keeping the first order. */
export function parseScopeParameter(value: string): string[] {
  return [...new Set(value.split(' ').filter((token) => token !== ''))];
}

/**
 * Reads a token's `scope` claim: a space-delimited string (RFC 9068, RFC 8693) or a JSON array
 * (as IdentityServer-style authorities emit it). Anything else holds no scope.
 */
export function readScopeClaim(claim: unknown): string[] {
  if (typeof claim === 'string') return parseScopeParameter(claim);
  if (Array.isArray(claim)) return claim.filter((s): s is string => typeof s === 'string');
  return [];
}

export function hasScopes(granted: readonly string[], required: readonly string[]): boolean {
  return required.every((scope) => granted.includes(scope));
}
