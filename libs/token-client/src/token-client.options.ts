import { ClientAuthMethods, ConfigurationError } from '@nest-identity/shared';

/** The client authentication methods this client speaks: a secret, never an assertion. */
export const TokenClientAuthMethods = [
  ClientAuthMethods.ClientSecretBasic,
  ClientAuthMethods.ClientSecretPost,
] as const;
export type TokenClientAuthMethod = (typeof TokenClientAuthMethods)[number];

/** What a service passes to `TokenClientModule.forRoot()`; only the client's own identity is required. */
export interface TokenClientOptions {
  /** The issuer URL of the authority; the token endpoint is discovered from its metadata. */
  authority?: string;
  /** The token endpoint itself, instead of discovering it from `authority`. */
  tokenEndpoint?: string;
  clientId: string;
  clientSecret: string;
  /** The scopes to ask for, space-delimited or as a list. Default: none asked, so the authority grants every scope the client is allowed. */
  scope?: string | readonly string[];
  /** How the client authenticates at the token endpoint. Default `client_secret_basic`. */
  clientAuthentication?: TokenClientAuthMethod;
  /**
   * A cached token is replaced this long before it expires, so a call never leaves with a token
   * about to expire. Capped at half the token's lifetime, so short-lived tokens are still reused.
   * Default 60.
   */
  refreshBeforeExpirySeconds?: number;
  /** Timeout of every request to the authority (discovery, token). Default 5. */
  requestTimeoutSeconds?: number;
  /** Refuse an `http://` authority or token endpoint: the client secret travels there. Default true. */
  requireHttps?: boolean;
}

export interface ResolvedTokenClientOptions {
  readonly authority?: string;
  readonly tokenEndpoint?: string;
  readonly clientId: string;
  readonly clientSecret: string;
  /** Space-delimited; undefined when none was asked for. */
  readonly scope?: string;
  readonly clientAuthentication: TokenClientAuthMethod;
  readonly refreshBeforeExpirySeconds: number;
  readonly requestTimeoutSeconds: number;
  readonly requireHttps: boolean;
}

/**
 * Applies the defaults and checks the options, throwing one ConfigurationError that names every
 * problem, so a misconfigured client fails at start-up rather than at its first outgoing call.
 * No message ever quotes the client secret.
 */
export function resolveTokenClientOptions(options: TokenClientOptions): ResolvedTokenClientOptions {
  const resolved = {
    clientAuthentication: ClientAuthMethods.ClientSecretBasic,
    refreshBeforeExpirySeconds: 60,
    requestTimeoutSeconds: 5,
    requireHttps: true,
    ...withoutUndefined(options),
    authority: options.authority?.replace(/\/+$/, ''),
    scope: joinScope(options.scope),
  };
  const problems = [
    ...endpointProblems(resolved),
    ...requiredStringProblems('clientId', resolved.clientId),
    ...requiredStringProblems('clientSecret', resolved.clientSecret),
    ...scopeProblems(options.scope),
    ...clientAuthenticationProblems(resolved.clientAuthentication),
    ...numberProblems('refreshBeforeExpirySeconds', resolved.refreshBeforeExpirySeconds, 0),
    ...numberProblems('requestTimeoutSeconds', resolved.requestTimeoutSeconds, Number.MIN_VALUE),
    ...(typeof resolved.requireHttps === 'boolean' ? [] : ['requireHttps: must be true or false']),
  ];
  if (problems.length > 0)
    throw new ConfigurationError('TokenClientModule configuration', problems);
  return resolved;
}

function withoutUndefined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}

function joinScope(scope: unknown): string | undefined {
  // A scope of the wrong type is reported by scopeProblems; it must not throw here first.
  const names: unknown[] =
    typeof scope === 'string' ? scope.split(' ') : Array.isArray(scope) ? scope : [];
  const joined = names.filter((name) => typeof name === 'string' && name !== '').join(' ');
  return joined === '' ? undefined : joined;
}

function endpointProblems(options: {
  authority?: string;
  tokenEndpoint?: string;
  requireHttps: boolean;
}): string[] {
  if (options.authority === undefined && options.tokenEndpoint === undefined)
    return ['authority: is required (or tokenEndpoint, to skip discovery)'];
  return [
    ...urlProblems('authority', options.authority, options.requireHttps),
    ...urlProblems('tokenEndpoint', options.tokenEndpoint, options.requireHttps),
  ];
}

function urlProblems(name: string, value: unknown, requireHttps: boolean): string[] {
  if (value === undefined) return [];
  if (typeof value !== 'string' || !URL.canParse(value))
    return [`${name}: ${JSON.stringify(value)} is not an absolute URL`];
  const url = new URL(value);
  if (url.protocol !== 'https:' && url.protocol !== 'http:')
    return [`${name}: "${value}" is not an http(s) URL`];
  if (url.search || url.hash) return [`${name}: "${value}" must not have a query or fragment`];
  if (requireHttps && url.protocol === 'http:')
    return [
      `${name}: "${value}" is not https, and requireHttps refuses to send the client secret over http (turn it off only for development)`,
    ];
  return [];
}

function requiredStringProblems(name: string, value: unknown): string[] {
  return typeof value === 'string' && value !== '' ? [] : [`${name}: is required`];
}

/** RFC 6749 §3.3: a scope token is printable ASCII without space, `"` or `\`. */
function scopeProblems(scope: unknown): string[] {
  if (scope === undefined) return [];
  const names = typeof scope === 'string' ? scope.split(' ') : scope;
  if (!Array.isArray(names) || !names.every((name) => typeof name === 'string'))
    return ['scope: must be a space-delimited string or a list of strings'];
  const bad = names.filter((name) => !/^[\x21\x23-\x5B\x5D-\x7E]*$/.test(name));
  return bad.map((name) => `scope: "${name}" is not a valid scope name`);
}

function clientAuthenticationProblems(method: unknown): string[] {
  const allowed: readonly unknown[] = TokenClientAuthMethods;
  return allowed.includes(method)
    ? []
    : [`clientAuthentication: must be one of ${allowed.join(', ')}`];
}

function numberProblems(name: string, value: unknown, minimum: number): string[] {
  return typeof value === 'number' && Number.isFinite(value) && value >= minimum
    ? []
    : [`${name}: must be a number${minimum > 0 ? ' above 0' : ' of at least 0'}`];
}
