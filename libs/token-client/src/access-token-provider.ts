import { Inject, Injectable } from '@nestjs/common';
import { RESOLVED_TOKEN_CLIENT_OPTIONS } from './token-client.module-definition';
import type { ResolvedTokenClientOptions } from './token-client.options';
import { TokenEndpoint } from './token-endpoint';

/** RFC 6749 makes `expires_in` optional; without it a token is assumed to live this long. */
const ASSUMED_LIFETIME_SECONDS = 300;

interface CachedToken {
  readonly value: string;
  /** Epoch ms after which the token is replaced rather than handed out. */
  readonly refreshAt: number;
}

/**
 * The service's access token: one token, reused until shortly before it expires. When it must be
 * renewed, all concurrent callers share one token request (single flight). A failed request is
 * not remembered: everyone waiting on it gets its error, and the next caller tries again.
 */
@Injectable()
export class AccessTokenProvider {
  private cached?: CachedToken;
  private inFlight?: Promise<CachedToken>;

  constructor(
    private readonly endpoint: TokenEndpoint,
    @Inject(RESOLVED_TOKEN_CLIENT_OPTIONS) private readonly options: ResolvedTokenClientOptions,
  ) {}

  /** A bearer token for outgoing calls; throws a TokenClientError when none can be had. */
  async getToken(): Promise<string> {
    if (this.cached && Date.now() < this.cached.refreshAt) return this.cached.value;
    this.inFlight ??= this.renew().finally(() => (this.inFlight = undefined));
    return (await this.inFlight).value;
  }

  /**
   * Forgets the cached token (a resource server said it is no longer valid), so the next
   * getToken() requests a new one. Given the rejected token, forgets only that one: many calls
   * failing with the same old token cause one renewal, not one each.
   */
  invalidate(rejectedToken?: string): void {
    if (rejectedToken === undefined || this.cached?.value === rejectedToken)
      this.cached = undefined;
  }

  private async renew(): Promise<CachedToken> {
    const requestedAt = Date.now();
    const issued = await this.endpoint.requestToken();
    const lifetime = issued.expiresInSeconds ?? ASSUMED_LIFETIME_SECONDS;
    // Counted from the request, not the answer: the token's clock started no later than that.
    const margin = Math.min(this.options.refreshBeforeExpirySeconds, lifetime / 2);
    this.cached = {
      value: issued.accessToken,
      refreshAt: requestedAt + (lifetime - margin) * 1000,
    };
    return this.cached;
  }
}
