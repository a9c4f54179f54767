import { createHash } from 'node:crypto';
import { Inject, Injectable, Logger } from '@nestjs/common';
import {
  FormUrlEncoded,
  InvalidToken,
  accessTokenChecks,
  firstClaimProblem,
} from '@nest-identity/shared';
import type { AccessTokenClaims } from '../access-token-claims';
import { AuthorityMetadata } from '../authority-metadata';
import { authorityUnavailable } from '../authority-unavailable';
import { deepFreeze } from '../deep-freeze';
import { FailureLog, describeFailure } from '../failure-log';
import { RESOLVED_JWT_BEARER_OPTIONS } from '../jwt-bearer.module-definition';
import type { ResolvedIntrospectionOptions, ResolvedJwtBearerOptions } from '../jwt-bearer.options';

/** An active answer, kept until `until` (epoch ms). */
interface Entry {
  readonly claims: AccessTokenClaims;
  readonly until: number;
}

/** Why the authority could not be asked: the token is neither valid nor invalid. */
class IntrospectionUnavailable extends Error {
  override readonly name = 'IntrospectionUnavailable';
}

/**
 * Resolves reference (opaque) tokens through the authority's introspection endpoint (RFC 7662),
 * discovered as `introspection_endpoint`, authenticating as the API resource with
 * client_secret_basic. An active answer passes the checks a JWT gets where they apply (see
 * `checked`); its members without `active` become the claims.
 *
 * Caching: an active answer is reused for `cacheSeconds`, never beyond its `exp`, the least
 * recently used dropped beyond `cacheSize`; an inactive one is not kept (a client with a dead
 * token gets a new one, and an attacker varies tokens at will). Entries are found by the token's
 * SHA-256, so no token is held as a key, and nothing logs a token. Concurrent requests with one
 * token share one introspection.
 *
 * When the authority cannot answer (unreachable, timeout, an error status, no endpoint in its
 * metadata), the token cannot be checked: authorityUnavailable (503 temporarily_unavailable with
 * Retry-After), never a pass. Further attempts wait `metadataRetrySeconds`.
 */
@Injectable()
export class TokenIntrospector {
  private readonly settings: ResolvedIntrospectionOptions | undefined;
  private readonly entries = new Map<string, Entry>();
  private readonly inFlight = new Map<string, Promise<AccessTokenClaims>>();
  private readonly failures = new FailureLog(new Logger('JwtBearer'), 'token introspection');
  private retryAt = 0;

  constructor(
    @Inject(RESOLVED_JWT_BEARER_OPTIONS) private readonly options: ResolvedJwtBearerOptions,
    private readonly metadata: AuthorityMetadata,
  ) {
    this.settings = options.introspection;
  }

  /** Whether this token goes to introspection: configured, and not a compact JWS. */
  handles(token: string): boolean {
    return this.settings !== undefined && !isCompactJws(token);
  }

  get size(): number {
    return this.entries.size;
  }

  /** The claims of an active token, checked; InvalidToken or TemporarilyUnavailable otherwise. */
  async claimsFor(token: string, now: number = Date.now()): Promise<AccessTokenClaims> {
    const key = createHash('sha256').update(token).digest('base64url');
    const entry = this.entries.get(key);
    if (entry !== undefined) {
      this.entries.delete(key);
      if (now < entry.until) {
        this.entries.set(key, entry); // the most recently used goes last
        return entry.claims;
      }
    }
    let pending = this.inFlight.get(key);
    if (pending === undefined) {
      pending = this.introspect(key, token).finally(() => this.inFlight.delete(key));
      this.inFlight.set(key, pending);
    }
    return pending;
  }

  private async introspect(key: string, token: string): Promise<AccessTokenClaims> {
    const settings = this.settings;
    if (settings === undefined) throw new InvalidToken('the token is malformed');
    let answer: Record<string, unknown>;
    try {
      answer = await this.ask(token, settings);
      this.failures.succeeded();
    } catch (error) {
      const reason = describeFailure(error);
      if (!(error instanceof IntrospectionUnavailable && error.message === 'retry later'))
        this.failures.failed(reason);
      if (Date.now() >= this.retryAt)
        this.retryAt = Date.now() + this.options.metadataRetrySeconds * 1000;
      throw authorityUnavailable(
        this.options.metadataRetrySeconds,
        `token introspection: ${reason}`,
      );
    }
    const claims = await this.checked(answer);
    this.remember(key, claims, settings);
    return claims;
  }

  /** POST the token to the discovered endpoint; the parsed JSON answer, or IntrospectionUnavailable. */
  private async ask(
    token: string,
    settings: ResolvedIntrospectionOptions,
  ): Promise<Record<string, unknown>> {
    if (Date.now() < this.retryAt) throw new IntrospectionUnavailable('retry later');
    let endpoint: string | undefined;
    try {
      endpoint = (await this.metadata.get()).introspectionEndpoint;
    } catch (error) {
      throw new IntrospectionUnavailable(describeFailure(error));
    }
    if (endpoint === undefined)
      throw new IntrospectionUnavailable(
        "the authority's metadata names no introspection_endpoint",
      );
    if (this.options.requireHttpsMetadata && new URL(endpoint).protocol !== 'https:')
      throw new IntrospectionUnavailable(
        `its introspection_endpoint "${endpoint}" is not https, and requireHttpsMetadata is on`,
      );
    let response: Response;
    try {
      response = await fetch(endpoint, {
        method: 'POST',
        headers: {
          authorization: basicCredentials(settings.clientId, settings.clientSecret),
          'content-type': FormUrlEncoded,
          accept: 'application/json',
        },
        body: new URLSearchParams({ token, token_type_hint: 'access_token' }).toString(),
        redirect: 'error',
        signal: AbortSignal.timeout(this.options.backchannelTimeoutSeconds * 1000),
      });
    } catch (error) {
      throw new IntrospectionUnavailable(`${endpoint}: ${describeFailure(error)}`);
    }
    if (!response.ok) {
      await response.body?.cancel();
      throw new IntrospectionUnavailable(
        `${endpoint} answered HTTP ${response.status}${response.status === 401 ? ' (is the API secret right?)' : ''}`,
      );
    }
    let body: unknown;
    try {
      body = await response.json();
    } catch {
      throw new IntrospectionUnavailable(`${endpoint} answered something other than JSON`);
    }
    if (
      typeof body !== 'object' ||
      body === null ||
      typeof (body as { active?: unknown }).active !== 'boolean'
    )
      throw new IntrospectionUnavailable(`${endpoint} answered without a boolean active`);
    return body as Record<string, unknown>;
  }

  /**
   * RFC 7662 §2.2 answer → the claims, after the checks a JWT gets where they apply
   * (accessTokenChecks, in their order): no header, so no `typ`; `iss` only when the answer has
   * one; and none of RFC 9068's required claims, which bind JWT access tokens (RFC 7662 §2.2
   * makes every member but `active` optional: ORY Hydra's answers have no jti).
   */
  private async checked(answer: Record<string, unknown>): Promise<AccessTokenClaims> {
    if (answer.active !== true) throw new InvalidToken('the token is not active');
    const claims = { ...answer };
    delete claims.active;
    const checks = accessTokenChecks({
      issuer: claims.iss === undefined ? undefined : await this.issuer(),
      checkJwsType: false,
      audiences: [this.options.audience],
      skewSeconds: this.options.clockSkewSeconds,
      requiredClaims: [],
      maxLifetimeSeconds: this.options.maxTokenLifetimeSeconds,
    });
    const problem = firstClaimProblem(
      { header: {}, payload: claims },
      checks,
      Math.floor(Date.now() / 1000),
    );
    if (problem !== undefined) throw new InvalidToken(problem);
    return deepFreeze(claims) as AccessTokenClaims;
  }

  private async issuer(): Promise<string> {
    try {
      return (await this.metadata.get()).issuer;
    } catch (error) {
      throw authorityUnavailable(
        this.options.metadataRetrySeconds,
        `token introspection: ${describeFailure(error)}`,
      );
    }
  }

  private remember(
    key: string,
    claims: AccessTokenClaims,
    settings: ResolvedIntrospectionOptions,
  ): void {
    if (settings.cacheSize === 0 || settings.cacheSeconds === 0) return;
    const until = Math.min(Date.now() + settings.cacheSeconds * 1000, claims.exp * 1000);
    this.entries.delete(key);
    while (this.entries.size >= settings.cacheSize) {
      const leastRecentlyUsed = this.entries.keys().next().value as string;
      this.entries.delete(leastRecentlyUsed);
    }
    this.entries.set(key, { claims, until });
  }
}

/** A compact JWS has exactly three parts; anything else is a reference token here. */
function isCompactJws(token: string): boolean {
  const first = token.indexOf('.');
  if (first === -1) return false;
  const second = token.indexOf('.', first + 1);
  return second !== -1 && token.indexOf('.', second + 1) === -1;
}

/** RFC 6749 §2.3.1: id and secret form-urlencoded before base64. */
function basicCredentials(id: string, secret: string): string {
  const encode = (value: string) => encodeURIComponent(value).replace(/%20/g, '+');
  return `Basic ${Buffer.from(`${encode(id)}:${encode(secret)}`).toString('base64')}`;
}
