import { ValidateBy, type ValidationOptions } from 'class-validator';

/**
 * The claim types a client may not configure, the one list the configuration file, the admin API
 * and the CLI check: the claims the issuer sets itself, which a configured claim must never
 * override or imitate.
 */
export const ReservedClaimTypes: ReadonlySet<string> = new Set([
  // RFC 7519 §4.1 and RFC 9068 §2.2: every access token's own claims.
  'iss',
  'sub',
  'aud',
  'exp',
  'nbf',
  'iat',
  'jti',
  'client_id',
  'scope',
  // RFC 7800 / RFC 9449: the key a token is bound to.
  'cnf',
  // RFC 9068 §2.2.1: authentication information, which a client-credentials token never has.
  'auth_time',
  'acr',
  'amr',
  // RFC 8693 §4.1, §4.4: delegation, which this issuer never grants.
  'act',
  'may_act',
  // RFC 7662 §2.2: members of an introspection response, which carries the configured claims.
  'active',
  'token_type',
  'username',
]);

/**
 * Names every JavaScript object has (`constructor`, `toString`, `__proto__`…), and `prototype`:
 * as a claim, one leaked an inherited function into tokens and `__proto__` was dropped.
 */
const PrototypeNames: ReadonlySet<string> = new Set([
  ...Object.getOwnPropertyNames(Object.prototype),
  'prototype',
]);

/** What a `claims` entry that is not an object (`[[]]`, a string) is told. */
export const ClaimShapeMessage = 'each claim must be an object {"type": …, "value": …}';

/** Why `type` cannot be a configured claim type, or undefined when it can. */
export function claimTypeProblem(type: string): string | undefined {
  if (ReservedClaimTypes.has(type))
    return `"${type}" is a protocol claim and cannot be configured (fix: choose another claim type)`;
  if (PrototypeNames.has(type))
    return `"${type}" is a name every JavaScript object has and cannot be a claim type (fix: choose another claim type)`;
  return undefined;
}

/** class-validator decorator for a configured claim's `type`. */
export function IsConfigurableClaimType(options?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name: 'isConfigurableClaimType',
      validator: {
        validate: (value: unknown) => typeof value !== 'string' || !claimTypeProblem(value),
        defaultMessage: (args) => claimTypeProblem(String(args?.value)) ?? 'cannot be configured',
      },
    },
    options,
  );
}

/**
 * A client's configured claims as token claims, in a null-prototype object: a type configured
 * once is a string, several times an array.
 */
export function groupConfiguredClaims(
  claims: readonly { readonly type: string; readonly value: string }[],
): Record<string, string | string[]> {
  const grouped = Object.create(null) as Record<string, string | string[]>;
  for (const { type, value } of claims) {
    const existing = Object.hasOwn(grouped, type) ? grouped[type] : undefined;
    grouped[type] =
      existing === undefined
        ? value
        : Array.isArray(existing)
          ? [...existing, value]
          : [existing, value];
  }
  return grouped;
}
