import { createPublicKey, type KeyObject } from 'node:crypto';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { JwksClient, type SigningKey } from 'jwks-rsa';
import { InvalidToken } from '@app/shared';
import { AuthorityMetadata, AuthorityMetadataError } from './authority-metadata';
import { FailureLog, describeFailure } from './failure-log';
import { decodeJoseHeader } from './jose-header';
import { keyFitsAlgorithm } from './key-algorithm';
import { RESOLVED_JWT_BEARER_OPTIONS } from './jwt-bearer.module-definition';
import type { ResolvedJwtBearerOptions } from './jwt-bearer.options';

/** A token's `kid`; a token without one may use the only key the authority publishes. */
type Kid = string | undefined;

/** passport-jwt's `secretOrKeyProvider`, handing over a parsed key (jsonwebtoken 9 takes one). */
export type KeyObjectProvider = (
  request: unknown,
  rawToken: string,
  done: (error: unknown, key?: KeyObject) => void,
) => void;

/** A key as jwks-rsa gave it, parsed, and when jwks-rsa fetched it (so when it asks again). */
interface ParsedKey {
  readonly key: KeyObject;
  readonly fetchedAt: number;
}

/** The key last seen for a `kid`: remembered while the authority cannot be asked. */
interface TrustedKey {
  readonly key: KeyObject;
  /** The JWK's own `alg`, when it names one: the only algorithm the key may verify. */
  readonly jwkAlg: string | undefined;
  /**
   * Until then (epoch ms) a verdict on a token signed with this key may be reused without asking
   * the authority: while jwks-rsa would still answer for this `kid` from its cache, or, while the
   * authority cannot be asked, until the next retry.
   */
  trustedUntil: number;
}

/**
 * Finds the public key a token was signed with, from the discovered `jwks_uri`. jwks-rsa's
 * JwksClient is the source (cached per `kid` for `keyCacheSeconds`, an unknown `kid` refetches,
 * rate-limited); on top:
 * - each key is parsed into a KeyObject once, not at every verification (jsonwebtoken given a
 *   PEM re-parses it on every call, which costs most of a verification);
 * - the key must fit the token's `alg`: its JWK's own `alg`, its type and curve;
 * - while the authority cannot be asked (down, timing out, rate limit hit), a key already seen
 *   for that `kid` keeps working, so an outage does not log every client out;
 * - a `kid` the reachable authority no longer publishes is refused and forgotten (key removal);
 * - `isTrusted(kid)` says whether a verdict on a token signed by that key may still be reused
 *   (VerifiedTokenCache): only while jwks-rsa would answer from its cache, so a reused verdict
 *   never outlives the moment the full path would ask the authority about the key again.
 */
@Injectable()
export class SigningKeyResolver {
  private readonly trusted = new Map<Kid, TrustedKey>();
  /** jwks-rsa hands the same SigningKey object until it fetches the JWKS again. */
  private readonly parsed = new WeakMap<SigningKey, ParsedKey>();
  private readonly failures = new FailureLog(new Logger('JwtBearer'), 'signing keys');
  private keys?: { jwksUri: string; client: JwksClient };

  constructor(
    @Inject(RESOLVED_JWT_BEARER_OPTIONS) private readonly options: ResolvedJwtBearerOptions,
    private readonly metadata: AuthorityMetadata,
  ) {}

  /** passport-jwt's `secretOrKeyProvider`; it reports an InvalidToken on failure. */
  readonly secretOrKeyProvider: KeyObjectProvider = (_request, rawToken, done) => {
    this.resolve(rawToken).then(
      (key) => done(null, key),
      (error: unknown) => done(error),
    );
  };

  /**
   * Whether a token signed with `kid`'s key, verified before, may be trusted again without asking
   * the authority about the key.
   */
  isTrusted(kid: Kid, now: number = Date.now()): boolean {
    const trusted = this.trusted.get(kid);
    return trusted !== undefined && now < trusted.trustedUntil;
  }

  async resolve(rawToken: string): Promise<KeyObject> {
    const header = decodeJoseHeader(rawToken);
    if (!header || (header.kid !== undefined && typeof header.kid !== 'string'))
      throw new InvalidToken('the token is malformed');
    const allowed: readonly unknown[] = this.options.algorithms;
    if (typeof header.alg !== 'string' || !allowed.includes(header.alg))
      throw new InvalidToken("the token's alg is not allowed");

    const trusted = await this.trustedKey(header.kid);
    if (!keyFitsAlgorithm(trusted.key, header.alg, trusted.jwkAlg))
      throw new InvalidToken("the token's alg does not fit its signing key");
    return trusted.key;
  }

  private async trustedKey(kid: Kid): Promise<TrustedKey> {
    try {
      const trusted = await this.fetchKey(kid);
      this.failures.succeeded();
      return trusted;
    } catch (error) {
      if (error instanceof InvalidToken) throw error;
      if (error instanceof Error && error.name === 'SigningKeyNotFoundError') {
        this.trusted.delete(kid);
        throw new InvalidToken("the token's signing key is unknown");
      }
      // AuthorityMetadata logs its own failures.
      if (!(error instanceof AuthorityMetadataError)) this.failures.failed(describeFailure(error));
      const remembered = this.trusted.get(kid);
      if (remembered === undefined) throw new InvalidToken('signing keys are unavailable');
      // Verdicts on its tokens stand until the authority is worth asking again.
      remembered.trustedUntil = Math.max(
        remembered.trustedUntil,
        Date.now() + this.options.metadataRetrySeconds * 1000,
      );
      return remembered;
    }
  }

  private async fetchKey(kid: Kid): Promise<TrustedKey> {
    const signingKey = await this.clientFor((await this.metadata.get()).jwksUri).getSigningKey(kid);
    let parsed = this.parsed.get(signingKey);
    if (parsed === undefined) {
      // A SigningKey never seen is one jwks-rsa has just fetched; it caches it from now on.
      parsed = { key: createPublicKey(signingKey.getPublicKey()), fetchedAt: Date.now() };
      this.parsed.set(signingKey, parsed);
    }
    const trustedUntil = parsed.fetchedAt + this.options.keyCacheSeconds * 1000;
    const remembered = this.trusted.get(kid);
    if (remembered?.key === parsed.key) {
      remembered.trustedUntil = Math.max(remembered.trustedUntil, trustedUntil);
      return remembered;
    }
    const trusted = { key: parsed.key, jwkAlg: signingKey.alg || undefined, trustedUntil };
    this.trusted.set(kid, trusted);
    return trusted;
  }

  /** One jwks-rsa client per discovered `jwks_uri`, so its cache and rate limit persist. */
  private clientFor(jwksUri: string): JwksClient {
    if (this.keys?.jwksUri !== jwksUri) {
      const client = new JwksClient({
        jwksUri,
        cache: true,
        cacheMaxAge: this.options.keyCacheSeconds * 1000,
        rateLimit: true,
        jwksRequestsPerMinute: this.options.jwksRequestsPerMinute,
        timeout: this.options.backchannelTimeoutSeconds * 1000,
      });
      this.keys = { jwksUri, client };
    }
    return this.keys.client;
  }
}
