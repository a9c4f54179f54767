import type { SigningKey } from '../keys/signing-key';
import { signJws } from '../keys/jws';
import type { IntrospectionCaller } from './introspection-caller';
import type { InspectedToken } from './token-inspector';

/** RFC 7662 §2.2: `active`, and for an active token its claims and `token_type`. */
export type IntrospectionResponse = { readonly active: boolean } & Readonly<
  Record<string, unknown>
>;

/** RFC 7662 §2.2: everything the caller may not see, or that is not active, is just this. */
export const INACTIVE: IntrospectionResponse = Object.freeze({ active: false });

/** RFC 9701 §4: the media type of a signed introspection response (and the JWT's `typ`). */
export const IntrospectionJwtMediaType = 'application/token-introspection+jwt';
export const IntrospectionJwtType = 'token-introspection+jwt';

/**
 * Whether `caller` may learn about `token`: an API resource only of tokens whose `aud` names it
 * (RFC 7662 §4: a token for another resource is inactive to it), a client only of tokens issued
 * to itself.
 */
export function mayIntrospect(caller: IntrospectionCaller, token: InspectedToken): boolean {
  if (caller.kind === 'client') return token.clientId === caller.id;
  const { aud } = token.claims;
  return Array.isArray(aud) ? aud.includes(caller.id) : aud === caller.id;
}

/**
 * The answer for `token`: its claims as issued (iss, sub, client_id, aud, scope, iat, nbf, exp,
 * jti, cnf, configured claims), `active: true` first and `token_type` (RFC 9449 §6.2: `DPoP`
 * for a key-bound token).
 */
export function introspectionResponse(token: InspectedToken | undefined): IntrospectionResponse {
  if (!token) return INACTIVE;
  const cnf = token.claims.cnf as { jkt?: unknown } | undefined;
  // `active` first; the configuration refuses claims named `active` or `token_type`.
  return {
    active: true,
    ...token.claims,
    token_type: typeof cnf?.jkt === 'string' ? 'DPoP' : 'Bearer',
  };
}

/** Whether the `Accept` header asks for RFC 9701's signed response. */
export function wantsJwtResponse(accept: string | undefined): boolean {
  if (!accept) return false;
  return accept
    .split(',')
    .some((range) => range.split(';')[0]?.trim().toLowerCase() === IntrospectionJwtMediaType);
}

/**
 * RFC 9701 §5: the response as a JWT signed with the active key: `iss`, `aud` (the caller),
 * `iat`, and the response itself in `token_introspection`.
 */
export function signIntrospectionResponse(
  response: IntrospectionResponse,
  {
    key,
    issuer,
    audience,
    now = Date.now(),
  }: {
    key: SigningKey;
    issuer: string;
    audience: string;
    now?: number;
  },
): string {
  return signJws(
    { alg: key.alg, typ: IntrospectionJwtType, kid: key.kid },
    { iss: issuer, aud: audience, iat: Math.floor(now / 1000), token_introspection: response },
    key.privateKey,
  );
}
