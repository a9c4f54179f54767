import { AsymmetricJwsAlgorithms, ConfigurationError } from '@app/shared';

/**
 * The `alg` values a resource server may accept: the asymmetric JWS algorithms of RFC 7518 and
 * EdDSA (RFC 8037, verified on node:crypto since jsonwebtoken has none); never `none` or HS*.
 */
export const JwtBearerAlgorithms = [...AsymmetricJwsAlgorithms, 'EdDSA'] as const;
export type JwtBearerAlgorithm = (typeof JwtBearerAlgorithms)[number];

/** What an app passes to `JwtBearerModule.forRoot()`; every field but the first two has a default. */
export interface JwtBearerOptions {
  /** The issuer URL of the authority; its metadata and keys are discovered from it. */
  authority: string;
  /** The `aud` a token must carry. */
  audience: string;
  /** Tolerance on `exp` and `nbf`. Default 60. */
  clockSkewSeconds?: number;
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
}

export type ResolvedJwtBearerOptions = Readonly<Required<JwtBearerOptions>>;

/**
 * Applies the defaults and checks the options, throwing one ConfigurationError that names every
 * problem, so a misconfigured resource server refuses to start instead of accepting bad tokens.
 */
export function resolveJwtBearerOptions(options: JwtBearerOptions): ResolvedJwtBearerOptions {
  const resolved: ResolvedJwtBearerOptions = {
    clockSkewSeconds: 60,
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
  };
  const problems = [
    ...authorityProblems(resolved.authority, resolved.requireHttpsMetadata),
    ...audienceProblems(resolved.audience),
    ...algorithmProblems(resolved.algorithms),
    ...numberProblems('clockSkewSeconds', resolved.clockSkewSeconds, 0),
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

function audienceProblems(audience: unknown): string[] {
  return typeof audience === 'string' && audience !== '' ? [] : ['audience: is required'];
}

function algorithmProblems(algorithms: unknown): string[] {
  if (!Array.isArray(algorithms) || algorithms.length === 0)
    return ['algorithms: must list at least one algorithm'];
  const allowed: readonly unknown[] = JwtBearerAlgorithms;
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
