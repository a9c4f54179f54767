import {
  AccessTokenRequiredClaims,
  AsymmetricJwsAlgorithms,
  ClientSigningAlgorithms,
  ConfigurationError,
  type AccessTokenRequiredClaim,
} from '@nest-identity/shared';

/**
 * The `alg` values a resource server may accept: the asymmetric JWS algorithms of RFC 7518 and
 * EdDSA (RFC 8037); never `none` or HS*.
 */
export const JwtBearerAlgorithms = [...AsymmetricJwsAlgorithms, 'EdDSA'] as const;
export type JwtBearerAlgorithm = (typeof JwtBearerAlgorithms)[number];

/**
 * The `alg` values a DPoP proof may use: those, and RFC 9864's fully-specified Ed25519, which
 * oauth4webapi and openid-client sign an Ed25519 key's proofs with.
 */
export const DPoPProofAlgorithms = ClientSigningAlgorithms;
export type DPoPProofAlgorithm = (typeof DPoPProofAlgorithms)[number];

/** What an app passes to `JwtBearerModule.forRoot()`; every field but the first two has a default. */
export interface JwtBearerOptions {
  /** The issuer URL of the authority; its metadata and keys are discovered from it. */
  authority: string;
  /** The `aud` a token must carry. */
  audience: string;
  /** Tolerance on `exp` and `nbf`. Default 60. */
  clockSkewSeconds?: number;
  /**
   * The claims RFC 9068 §2.2 requires besides `iss`, `exp` and `aud` (always required) that a
   * token must carry: `iat`, `jti`, `sub`, `client_id`. Default: all four, which the identity
   * always issues. List fewer, or none, for an authority that omits some (IdentityServer-style
   * authorities leave `sub` out of client-credentials tokens).
   */
  requiredClaims?: readonly AccessTokenRequiredClaim[];
  /**
   * The longest lifetime a token may have, in seconds: its `exp` at most this long after its
   * `iat`, and at most this long (plus the clock skew) from now. Default 86400 (1 day): the
   * identity issues 1 hour unless a client is configured otherwise, and a longer-lived bearer
   * token that leaks is a credential for that long; raise it for clients given longer lifetimes.
   */
  maxTokenLifetimeSeconds?: number;
  /** Refuse an `http://` authority or `jwks_uri`, as ASP.NET's JwtBearer does. Default true. */
  requireHttpsMetadata?: boolean;
  /** The `alg` values accepted. Default: every one of JwtBearerAlgorithms; never `none` or HS*. */
  algorithms?: readonly JwtBearerAlgorithm[];
  /** After a failed discovery, the next attempt waits at least this long. Default 1. */
  metadataRetrySeconds?: number;
  /** How long discovered metadata is used before it is fetched again. Default 12 hours. */
  metadataRefreshSeconds?: number;
  /** How long a signing key is cached before the JWKS is asked again. Default 10 minutes. */
  keyCacheSeconds?: number;
  /**
   * A token whose `kid` the keys fetched last do not hold makes the JWKS be fetched again (a new
   * key), but at most once in this many seconds after the last fetch, whatever the tokens: an
   * attacker sending unknown `kid`s costs the authority one request per cooldown. Default 30.
   */
  jwksRefreshCooldownSeconds?: number;
  /**
   * The longest token accepted, in characters: a longer Authorization header is refused before
   * anything parses it. Default 8192 (8 KiB), half of Node's 16 KiB limit on all the headers.
   */
  maxTokenLength?: number;
  /** Timeout of every request to the authority (discovery, JWKS). Default 5. */
  backchannelTimeoutSeconds?: number;
  /**
   * How many already-verified tokens are remembered (until their `exp`), so a token seen before
   * is not verified again; the least recently used is dropped beyond this. 0 turns it off.
   * Default 10,000.
   */
  verifiedTokenCacheSize?: number;
  /**
   * Reference (opaque) tokens through the authority's introspection endpoint (RFC 7662). Unset:
   * a token that is not a JWS is refused as invalid_token.
   */
  introspection?: IntrospectionOptions;
  /** DPoP-bound tokens (RFC 9449 §7). On unless `enabled: false`. */
  dpop?: DPoPOptions;
}

export interface IntrospectionOptions {
  /** The API resource's secret at the authority (one of its `apiSecrets`). */
  clientSecret: string;
  /** The id it authenticates with (client_secret_basic). Default: the `audience`. */
  clientId?: string;
  /** How long an active answer is reused; never beyond the token's `exp`. Default 30. */
  cacheSeconds?: number;
  /** How many answers are kept (the least recently used goes). Default 10,000. */
  cacheSize?: number;
}

export interface DPoPOptions {
  /**
   * Accept `Authorization: DPoP <token>` with a `DPoP` proof. Default true. Off or on, a
   * DPoP-bound token (`cnf.jkt`) is never accepted with the Bearer scheme.
   */
  enabled?: boolean;
  /** The proof `alg` values accepted. Default: every one of DPoPProofAlgorithms. */
  algorithms?: readonly DPoPProofAlgorithm[];
  /**
   * The URL the API is reached at from outside (`https://api.example.com`, with a path prefix if
   * a proxy strips one): the proof's `htu` must be it followed by the request's path. Default:
   * the request's own protocol and Host header.
   */
  publicUrl?: string;
  /** A proof is accepted this long after its `iat` (plus the clock skew). Default 300. */
  proofLifetimeSeconds?: number;
  /** How many proof `jti`s are remembered against replay, per process. Default 100,000. */
  replayCacheSize?: number;
  /**
   * Also challenge for DPoP when a request has no token: `Bearer, DPoP algs="…"` instead of
   * `Bearer` (RFC 9449 §7.1). Default false, so the no-token answer stays exactly `Bearer`.
   */
  challengeWithoutToken?: boolean;
}

export type ResolvedIntrospectionOptions = Readonly<Required<IntrospectionOptions>>;
export type ResolvedDPoPOptions = Readonly<
  Required<Omit<DPoPOptions, 'publicUrl'>> & { publicUrl: string | undefined }
>;

export type ResolvedJwtBearerOptions = Readonly<
  Required<Omit<JwtBearerOptions, 'introspection' | 'dpop'>> & {
    introspection: ResolvedIntrospectionOptions | undefined;
    dpop: ResolvedDPoPOptions;
  }
>;

/**
 * Applies the defaults and checks the options, throwing one ConfigurationError that names every
 * problem, so a misconfigured resource server refuses to start instead of accepting bad tokens.
 */
export function resolveJwtBearerOptions(options: JwtBearerOptions): ResolvedJwtBearerOptions {
  const resolved: ResolvedJwtBearerOptions = {
    clockSkewSeconds: 60,
    requiredClaims: AccessTokenRequiredClaims,
    maxTokenLifetimeSeconds: 24 * 60 * 60,
    requireHttpsMetadata: true,
    algorithms: JwtBearerAlgorithms,
    metadataRetrySeconds: 1,
    metadataRefreshSeconds: 12 * 60 * 60,
    keyCacheSeconds: 10 * 60,
    jwksRefreshCooldownSeconds: 30,
    maxTokenLength: 8 * 1024,
    backchannelTimeoutSeconds: 5,
    verifiedTokenCacheSize: 10_000,
    ...withoutUndefined(options),
    authority: withoutTrailingSlash(options.authority),
    introspection:
      options.introspection === undefined
        ? undefined
        : {
            clientId: options.audience,
            cacheSeconds: 30,
            cacheSize: 10_000,
            ...withoutUndefined(options.introspection),
          },
    dpop: {
      enabled: true,
      algorithms: DPoPProofAlgorithms,
      proofLifetimeSeconds: 300,
      replayCacheSize: 100_000,
      challengeWithoutToken: false,
      ...withoutUndefined(options.dpop ?? {}),
      publicUrl:
        options.dpop?.publicUrl === undefined
          ? undefined
          : withoutTrailingSlash(options.dpop.publicUrl),
    },
  };
  const problems = [
    ...authorityProblems(resolved.authority, resolved.requireHttpsMetadata),
    ...audienceProblems(resolved.audience),
    ...algorithmProblems(resolved.algorithms),
    ...numberProblems('clockSkewSeconds', resolved.clockSkewSeconds, 0),
    ...requiredClaimsProblems(resolved.requiredClaims),
    ...numberProblems(
      'maxTokenLifetimeSeconds',
      resolved.maxTokenLifetimeSeconds,
      Number.MIN_VALUE,
    ),
    ...numberProblems('metadataRetrySeconds', resolved.metadataRetrySeconds, Number.MIN_VALUE),
    ...numberProblems('metadataRefreshSeconds', resolved.metadataRefreshSeconds, Number.MIN_VALUE),
    ...numberProblems('keyCacheSeconds', resolved.keyCacheSeconds, Number.MIN_VALUE),
    ...numberProblems(
      'jwksRefreshCooldownSeconds',
      resolved.jwksRefreshCooldownSeconds,
      Number.MIN_VALUE,
    ),
    ...positiveIntegerProblems('maxTokenLength', resolved.maxTokenLength),
    ...numberProblems(
      'backchannelTimeoutSeconds',
      resolved.backchannelTimeoutSeconds,
      Number.MIN_VALUE,
    ),
    ...integerProblems('verifiedTokenCacheSize', resolved.verifiedTokenCacheSize),
    ...introspectionProblems(resolved.introspection),
    ...dpopProblems(resolved.dpop),
  ];
  if (problems.length > 0) throw new ConfigurationError('JwtBearerModule configuration', problems);
  return resolved;
}

/** RFC 8414 issuers are compared as strings; a trailing slash is the one difference we forgive. */
export function withoutTrailingSlash(url: string): string {
  return typeof url === 'string' ? url.replace(/\/+$/, '') : url;
}

function withoutUndefined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}

function authorityProblems(authority: unknown, requireHttps: boolean): string[] {
  if (typeof authority !== 'string' || authority === '') return ['authority: is required'];
  let url: URL;
  try {
    url = new URL(authority);
  } catch {
    return [`authority: "${authority}" is not an absolute URL`];
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:')
    return [`authority: "${authority}" is not an http(s) URL`];
  if (url.search || url.hash)
    return [`authority: "${authority}" must not have a query or fragment`];
  if (requireHttps && url.protocol === 'http:')
    return [
      `authority: "${authority}" is not https, and requireHttpsMetadata refuses http (turn it off only for development)`,
    ];
  return [];
}

function introspectionProblems(introspection: ResolvedIntrospectionOptions | undefined): string[] {
  if (introspection === undefined) return [];
  return [
    ...(typeof introspection.clientSecret === 'string' && introspection.clientSecret !== ''
      ? []
      : ['introspection.clientSecret: is required']),
    ...(typeof introspection.clientId === 'string' && introspection.clientId !== ''
      ? []
      : ['introspection.clientId: must be a non-empty string']),
    ...numberProblems('introspection.cacheSeconds', introspection.cacheSeconds, 0),
    ...integerProblems('introspection.cacheSize', introspection.cacheSize),
  ];
}

function dpopProblems(dpop: ResolvedDPoPOptions): string[] {
  return [
    ...(typeof dpop.enabled === 'boolean' ? [] : ['dpop.enabled: must be true or false']),
    ...algorithmProblems(dpop.algorithms, DPoPProofAlgorithms).map((problem) => `dpop.${problem}`),
    ...publicUrlProblems(dpop.publicUrl),
    ...numberProblems('dpop.proofLifetimeSeconds', dpop.proofLifetimeSeconds, Number.MIN_VALUE),
    ...positiveIntegerProblems('dpop.replayCacheSize', dpop.replayCacheSize),
    ...(typeof dpop.challengeWithoutToken === 'boolean'
      ? []
      : ['dpop.challengeWithoutToken: must be true or false']),
  ];
}

function publicUrlProblems(publicUrl: string | undefined): string[] {
  if (publicUrl === undefined) return [];
  const url = typeof publicUrl === 'string' && URL.canParse(publicUrl) ? new URL(publicUrl) : null;
  return url !== null &&
    (url.protocol === 'https:' || url.protocol === 'http:') &&
    !url.search &&
    !url.hash
    ? []
    : [
        `dpop.publicUrl: "${String(publicUrl)}" must be an absolute http(s) URL without a query or fragment`,
      ];
}

function audienceProblems(audience: unknown): string[] {
  return typeof audience === 'string' && audience !== '' ? [] : ['audience: is required'];
}

function requiredClaimsProblems(requiredClaims: unknown): string[] {
  if (!Array.isArray(requiredClaims))
    return [`requiredClaims: must be a list of ${AccessTokenRequiredClaims.join(', ')}`];
  const allowed: readonly unknown[] = AccessTokenRequiredClaims;
  return (requiredClaims as unknown[])
    .filter((claim) => !allowed.includes(claim))
    .map(
      (claim) =>
        `requiredClaims: ${String(claim)} is not one of ${AccessTokenRequiredClaims.join(', ')} (iss, exp and aud are always required)`,
    );
}

function algorithmProblems(
  algorithms: unknown,
  allowed: readonly unknown[] = JwtBearerAlgorithms,
): string[] {
  if (!Array.isArray(algorithms) || algorithms.length === 0)
    return ['algorithms: must list at least one algorithm'];
  return (algorithms as unknown[])
    .filter((algorithm) => !allowed.includes(algorithm))
    .map(
      (algorithm) =>
        `algorithms: ${String(algorithm)} is refused; a resource server accepts only asymmetric algorithms (${allowed.join(', ')}), never none or HS*`,
    );
}

function numberProblems(name: string, value: unknown, minimum: number): string[] {
  return typeof value === 'number' && Number.isFinite(value) && value >= minimum
    ? []
    : [`${name}: must be a number${minimum > 0 ? ' above 0' : ' of at least 0'}`];
}

function positiveIntegerProblems(name: string, value: unknown): string[] {
  return Number.isSafeInteger(value) && (value as number) > 0
    ? []
    : [`${name}: must be a whole number above 0`];
}

function integerProblems(name: string, value: unknown): string[] {
  return Number.isSafeInteger(value) && (value as number) >= 0
    ? []
    : [`${name}: must be a whole number of at least 0`];
}
