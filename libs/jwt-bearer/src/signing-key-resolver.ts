import { createPublicKey, type KeyObject } from 'node:crypto';
import { Inject, Injectable, Logger, Optional } from '@nestjs/common';
import { JwksClient } from 'jwks-rsa';
import { InvalidToken, inClientSpan, keyFitsAlgorithm } from '@nest-identity/shared';
import { AuthorityMetadata, AuthorityMetadataError } from './authority-metadata';
import { authorityUnavailable } from './authority-unavailable';
import { FailureLog, describeFailure } from './failure-log';
import { JwtBearerMetrics } from './jwt-bearer-metrics';
import { RESOLVED_JWT_BEARER_OPTIONS } from './jwt-bearer.module-definition';
import type { ResolvedJwtBearerOptions } from './jwt-bearer.options';

/** A token's `kid`; a token without one may use the only key the authority publishes. */
type Kid = string | undefined;

/** A key of the JWKS, parsed once. */
export interface PublishedKey {
  readonly kid: string | undefined;
  readonly key: KeyObject;
  /** The JWK's own `alg`, when it names one: the only algorithm the key may verify. */
  readonly jwkAlg: string | undefined;
  /** kid, alg and the public key's PEM: a refetch that lists the very same key keeps this object. */
  readonly identity: string;
}

/** The keys of one JWKS fetch. */
class PublishedKeys {
  /** By kid: isTrusted asks on every request VerifiedTokenCache admits. */
  private readonly byKid = new Map<string, PublishedKey>();

  constructor(
    private readonly keys: readonly PublishedKey[],
    /** When they were fetched (epoch ms). */
    readonly fetchedAt: number,
    /**
     * Until then they answer without asking the authority: `keyCacheSeconds` after the fetch,
     * or, while the authority cannot be asked, until the next retry.
     */
    public heldUntil: number,
  ) {
    // The first of two keys with one kid wins, as in jwks-rsa.
    for (const key of keys)
      if (key.kid !== undefined && !this.byKid.has(key.kid)) this.byKid.set(key.kid, key);
  }

  find(kid: Kid): PublishedKey | undefined {
    // As jwks-rsa: a token without a kid may use the only key, whatever its kid.
    if (kid === undefined) return this.keys.length === 1 ? this.keys[0] : undefined;
    return this.byKid.get(kid);
  }

  /** The keys of this set by identity, for the next fetch to keep those it lists again. */
  byIdentity(): Map<string, PublishedKey> {
    return new Map(this.keys.map((key) => [key.identity, key]));
  }
}

const unknownKey = () => new InvalidToken("the token's signing key is unknown");

/**
 * Finds the public key a token was signed with, in the JWKS of the discovered `jwks_uri` (fetched
 * and parsed by jwks-rsa), never anywhere a token points to (`jku`, `x5u`, `jwk`, `x5c` are
 * ignored). The whole key set is cached:
 * - it answers for `keyCacheSeconds`, each key parsed into a KeyObject once per fetch
 *   (a PEM parsed on every verification would cost most of it);
 * - a `kid` it does not hold refetches it (a new key, found at once). When the new fetch does not
 *   hold it either, the kid was made up, and for `jwksRefreshCooldownSeconds` after that fetch
 *   no unknown kid refetches: a flood of tokens with made-up kids costs the authority at most one
 *   request per cooldown, and they are refused at once; a rotation (whose new key is found) never
 *   waits, unless it comes within a cooldown that such a flood started;
 * - one fetch at a time: concurrent requests wait for the same one;
 * - the key must fit the token's `alg`: its JWK's own `alg`, its type and curve;
 * - while the authority cannot be asked (down, timing out), the keys last fetched keep working,
 *   and it is asked again after `metadataRetrySeconds`, so an outage does not log every client
 *   out; a token whose key they lack gets authorityUnavailable (503 with Retry-After), not 401;
 * - every fetch replaces the whole set: a key the fresh JWKS no longer lists stops verifying at
 *   once (key removal), and so do the verdicts on the tokens it signed (below); a key it lists
 *   again keeps its KeyObject, so those verdicts stand;
 * - `isTrusted(kid, key)` says whether a verdict on a token that `key` verified may still be
 *   reused (VerifiedTokenCache): only while the set held now gives that very key for that kid (a
 *   kid-less token's only key replaced, or a kid republished with other material, end it), and
 *   only while the set answers without asking the authority, so a reused verdict never outlives
 *   the moment the full path would ask about the key again.
 */
@Injectable()
export class SigningKeyResolver {
  private published?: PublishedKeys;
  private refreshing?: Promise<PublishedKeys>;
  /** After a failed fetch (epoch ms): no new attempt before then. */
  private retryAt = 0;
  /** After a fetch that did not hold a kid asked for (epoch ms): unknown kids refetch no more. */
  private unknownKidCooldownUntil = 0;
  private readonly failures = new FailureLog(new Logger('JwtBearer'), 'signing keys');
  private jwks?: { jwksUri: string; client: JwksClient };

  constructor(
    @Inject(RESOLVED_JWT_BEARER_OPTIONS) private readonly options: ResolvedJwtBearerOptions,
    private readonly metadata: AuthorityMetadata,
    @Optional() private readonly metrics: JwtBearerMetrics = JwtBearerMetrics.none,
  ) {}

  /**
   * Whether a token `key` verified for `kid` before may be trusted again without asking the
   * authority: the set held now still gives that very key for that kid. O(1): a map lookup and
   * a comparison, on every request VerifiedTokenCache admits.
   */
  isTrusted(kid: Kid, key: KeyObject, now: number = Date.now()): boolean {
    const published = this.published;
    return published !== undefined && now < published.heldUntil && published.find(kid)?.key === key;
  }

  /** Resolves once the key set has been fetched at least once, fetching it now if need be. */
  async ensureFetched(): Promise<void> {
    if (this.published !== undefined) return;
    if (Date.now() < this.retryAt)
      throw new Error('the authority could not be asked; trying again shortly');
    await this.refresh();
  }

  /**
   * The published key a token's header names: its `alg` allowed, the key found by `kid` and fit
   * for that `alg` (keyFitsAlgorithm). Throws InvalidToken, or authorityUnavailable's 503.
   */
  async resolve(
    header: Readonly<Record<string, unknown>>,
  ): Promise<PublishedKey & { alg: string }> {
    const { kid, alg } = header;
    if (kid !== undefined && typeof kid !== 'string')
      throw new InvalidToken('the token is malformed');
    const allowed: readonly unknown[] = this.options.algorithms;
    if (typeof alg !== 'string' || !allowed.includes(alg))
      throw new InvalidToken("the token's alg is not allowed");

    const published = await this.keyFor(kid);
    if (!keyFitsAlgorithm(published.key, alg, published.jwkAlg))
      throw new InvalidToken("the token's alg does not fit its signing key");
    return { ...published, alg };
  }

  private async keyFor(kid: Kid): Promise<PublishedKey> {
    const now = Date.now();
    const published = this.published;
    if (published !== undefined && now < published.heldUntil) {
      const key = published.find(kid);
      if (key !== undefined) return key;
      if (now < this.unknownKidCooldownUntil) throw unknownKey();
    }
    if (now < this.retryAt) return this.lastKnownKey(kid);
    let fresh: PublishedKeys;
    try {
      fresh = await this.refresh();
    } catch {
      return this.lastKnownKey(kid);
    }
    const key = fresh.find(kid);
    if (key === undefined) {
      // Not a key published since: a made-up kid. Others wait for the cooldown to refetch.
      this.unknownKidCooldownUntil =
        fresh.fetchedAt + this.options.jwksRefreshCooldownSeconds * 1000;
      throw unknownKey();
    }
    return key;
  }

  /**
   * While the authority cannot be asked: the key as last fetched, if it was there. A key never
   * fetched may be a new one the authority signs with: the token cannot be checked now (503).
   */
  private lastKnownKey(kid: Kid): PublishedKey {
    const key = this.published?.find(kid);
    if (key === undefined)
      throw authorityUnavailable(
        (this.retryAt - Date.now()) / 1000,
        "signing keys: the authority's JWKS cannot be fetched, and the keys held lack the token's kid",
      );
    return key;
  }

  private refresh(): Promise<PublishedKeys> {
    this.refreshing ??= this.fetchKeys()
      .then(
        (published) => {
          this.published = published;
          this.retryAt = 0;
          this.metrics.jwksFetched('success');
          this.failures.succeeded();
          return published;
        },
        (error: unknown) => {
          this.metrics.jwksFetched('failure');
          this.retryAt = Date.now() + this.options.metadataRetrySeconds * 1000;
          // Verdicts on tokens of the keys last fetched stand until the authority is worth asking again.
          if (this.published !== undefined)
            this.published.heldUntil = Math.max(this.published.heldUntil, this.retryAt);
          // AuthorityMetadata logs its own failures.
          if (!(error instanceof AuthorityMetadataError))
            this.failures.failed(describeFailure(error));
          throw error;
        },
      )
      .finally(() => (this.refreshing = undefined));
    return this.refreshing;
  }

  private async fetchKeys(): Promise<PublishedKeys> {
    const { jwksUri } = await this.metadata.get();
    // jwks-rsa makes the request itself: the span times it, with no traceparent sent.
    const signingKeys = await inClientSpan('jwks fetch', 'GET', jwksUri, () =>
      this.clientFor(jwksUri).getSigningKeys(),
    );
    const previous = this.published?.byIdentity();
    const keys = signingKeys.map((signingKey): PublishedKey => {
      const kid = signingKey.kid || undefined;
      const jwkAlg = signingKey.alg || undefined;
      const pem = signingKey.getPublicKey();
      const identity = `${kid ?? ''}\n${jwkAlg ?? ''}\n${pem}`;
      return previous?.get(identity) ?? { kid, key: createPublicKey(pem), jwkAlg, identity };
    });
    const fetchedAt = Date.now();
    return new PublishedKeys(keys, fetchedAt, fetchedAt + this.options.keyCacheSeconds * 1000);
  }

  /** One jwks-rsa client per discovered `jwks_uri`; it fetches and parses, the cache is ours. */
  private clientFor(jwksUri: string): JwksClient {
    if (this.jwks?.jwksUri !== jwksUri) {
      const client = new JwksClient({
        jwksUri,
        cache: false,
        rateLimit: false,
        timeout: this.options.backchannelTimeoutSeconds * 1000,
      });
      this.jwks = { jwksUri, client };
    }
    return this.jwks.client;
  }
}
