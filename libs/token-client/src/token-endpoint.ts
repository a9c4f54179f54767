import { Inject, Injectable } from '@nestjs/common';
import {
  ClientAuthMethods,
  FormUrlEncoded,
  GrantTypes,
  OAuthPaths,
  SpanAttributes,
  inClientSpan,
  traceHeaders,
} from '@nest-identity/shared';
import { TokenEndpointError, TokenEndpointUnavailable } from './token-client.errors';
import { RESOLVED_TOKEN_CLIENT_OPTIONS } from './token-client.module-definition';
import type { ResolvedTokenClientOptions } from './token-client.options';

/** A token as the endpoint issued it. */
export interface IssuedToken {
  readonly accessToken: string;
  /** `expires_in`; undefined when the authority did not say (it is only RECOMMENDED). */
  readonly expiresInSeconds?: number;
}

/**
 * Speaks to the authority: finds its token endpoint (discovered once from
 * `<authority>/.well-known/openid-configuration` and kept; a failed discovery is not kept) and
 * makes client credentials requests (RFC 6749 §4.4) there. Knows nothing of caching.
 */
@Injectable()
export class TokenEndpoint {
  private discovered?: Promise<string>;

  constructor(
    @Inject(RESOLVED_TOKEN_CLIENT_OPTIONS) private readonly options: ResolvedTokenClientOptions,
  ) {}

  async requestToken(): Promise<IssuedToken> {
    const url = await this.url();
    const attributes = { [SpanAttributes.ClientId]: this.options.clientId };
    return inClientSpan(
      'token request',
      'POST',
      url,
      async (answered) => {
        const { headers, body } = this.tokenRequest();
        let response: Response;
        try {
          response = await fetch(url, {
            method: 'POST',
            headers: traceHeaders(headers),
            body,
            redirect: 'error',
            signal: this.timeout(),
          });
        } catch (cause) {
          throw new TokenEndpointUnavailable(`token request to ${url} failed: ${describe(cause)}`, {
            cause,
          });
        }
        answered(response.status);
        const json: unknown = await response.json().catch(() => undefined);
        if (!response.ok) throw refusal(url, response.status, json);
        return readTokenResponse(url, json);
      },
      attributes,
    );
  }

  /** The token endpoint: configured, or discovered once (concurrent first callers share one fetch). */
  private url(): Promise<string> {
    if (this.options.tokenEndpoint !== undefined)
      return Promise.resolve(this.options.tokenEndpoint);
    this.discovered ??= this.discover().catch((error: unknown) => {
      this.discovered = undefined;
      throw error;
    });
    return this.discovered;
  }

  private discover(): Promise<string> {
    const url = `${this.options.authority}${OAuthPaths.OpenIdConfiguration}`;
    return inClientSpan('discovery fetch', 'GET', url, async (answered) => {
      let document: unknown;
      try {
        const response = await fetch(url, {
          headers: traceHeaders({ accept: 'application/json' }),
          redirect: 'error',
          signal: this.timeout(),
        });
        answered(response.status);
        if (!response.ok) throw new Error(`answered HTTP ${response.status}`);
        document = await response.json();
      } catch (cause) {
        throw new TokenEndpointUnavailable(`discovery at ${url} failed: ${describe(cause)}`, {
          cause,
        });
      }
      return this.tokenEndpointOf(url, document);
    });
  }

  /** RFC 8414 §3.3: the document must name the very issuer it was fetched for. */
  private tokenEndpointOf(url: string, document: unknown): string {
    const { issuer, token_endpoint: endpoint } = (document ?? {}) as Record<string, unknown>;
    const problem =
      typeof issuer !== 'string' || issuer.replace(/\/+$/, '') !== this.options.authority
        ? `its issuer "${String(issuer)}" is not the authority "${this.options.authority}"`
        : typeof endpoint !== 'string' || !URL.canParse(endpoint)
          ? 'it has no valid token_endpoint'
          : this.options.requireHttps && new URL(endpoint).protocol !== 'https:'
            ? `its token_endpoint "${endpoint}" is not https, and requireHttps is on`
            : undefined;
    if (problem !== undefined)
      throw new TokenEndpointUnavailable(`discovery at ${url}: ${problem}`);
    return endpoint as string;
  }

  private tokenRequest(): { headers: Record<string, string>; body: string } {
    const { clientId, clientSecret, clientAuthentication, scope } = this.options;
    const form = new URLSearchParams({ grant_type: GrantTypes.ClientCredentials });
    if (scope !== undefined) form.set('scope', scope);
    const headers: Record<string, string> = {
      'content-type': FormUrlEncoded,
      accept: 'application/json',
    };
    if (clientAuthentication === ClientAuthMethods.ClientSecretPost) {
      form.set('client_id', clientId);
      form.set('client_secret', clientSecret);
    } else {
      // RFC 6749 §2.3.1: id and secret are form-encoded before base64.
      const pair = `${formEncode(clientId)}:${formEncode(clientSecret)}`;
      headers.authorization = `Basic ${Buffer.from(pair).toString('base64')}`;
    }
    return { headers, body: form.toString() };
  }

  private timeout(): AbortSignal {
    return AbortSignal.timeout(this.options.requestTimeoutSeconds * 1000);
  }
}

function formEncode(value: string): string {
  return new URLSearchParams({ v: value }).toString().slice(2);
}

/** An error answer: the OAuth error when there is one (RFC 6749 §5.2), else the bare status. */
function refusal(url: string, status: number, json: unknown): Error {
  const { error, error_description: description } = (json ?? {}) as Record<string, unknown>;
  if (typeof error === 'string' && error !== '')
    return new TokenEndpointError(
      error,
      typeof description === 'string' ? description : undefined,
      status,
    );
  return new TokenEndpointUnavailable(`token request to ${url} failed: answered HTTP ${status}`);
}

/** RFC 6749 §5.1: a bearer access token, with an optional positive lifetime. */
function readTokenResponse(url: string, json: unknown): IssuedToken {
  const body = (json ?? {}) as Record<string, unknown>;
  const { access_token: accessToken, token_type: tokenType, expires_in: expiresIn } = body;
  const problem =
    typeof accessToken !== 'string' || accessToken === ''
      ? 'no access_token'
      : typeof tokenType !== 'string' || tokenType.toLowerCase() !== 'bearer'
        ? `token_type "${String(tokenType)}" is not Bearer`
        : expiresIn !== undefined && !(typeof expiresIn === 'number' && expiresIn > 0)
          ? 'expires_in is not a positive number'
          : undefined;
  if (problem !== undefined)
    throw new TokenEndpointUnavailable(`token response from ${url} is unusable: ${problem}`);
  return { accessToken: accessToken as string, expiresInSeconds: expiresIn as number | undefined };
}

function describe(cause: unknown): string {
  // AbortSignal.timeout's DOMException: not always an `instanceof Error` (realms), so by name.
  if ((cause as { name?: unknown } | null)?.name === 'TimeoutError') return 'timed out';
  if (cause instanceof Error) {
    const inner = cause.cause instanceof Error ? `: ${cause.cause.message}` : '';
    return `${cause.message}${inner}`;
  }
  return String(cause);
}
