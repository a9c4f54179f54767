import { Inject, Injectable, Logger } from '@nestjs/common';
import { passportJwtSecret } from 'jwks-rsa';
import type { SecretOrKeyProvider } from 'passport-jwt';
import { InvalidToken } from '@app/shared';
import { AuthorityMetadata, AuthorityMetadataError } from './authority-metadata';
import { FailureLog, describeFailure } from './failure-log';
import { decodeJoseHeader } from './jose-header';
import { RESOLVED_JWT_BEARER_OPTIONS } from './jwt-bearer.module-definition';
import type { ResolvedJwtBearerOptions } from './jwt-bearer.options';

type KeyFetcher = ReturnType<typeof passportJwtSecret>;
type Kid = string | undefined;

/**
 * Finds the public key a token was signed with, from the discovered `jwks_uri` (jwks-rsa:
 * cached, an unknown `kid` refetches, rate-limited). Two rules on top of jwks-rsa:
 * - while the authority cannot be asked (down, timing out, rate limit hit), a key already seen
 *   for that `kid` keeps working, so an outage does not log every client out;
 * - a `kid` the reachable authority no longer publishes is refused and forgotten (key removal).
 */
@Injectable()
export class SigningKeyResolver {
  private readonly lastKnownGood = new Map<Kid, string>();
  private readonly failures = new FailureLog(new Logger('JwtBearer'), 'signing keys');
  private keys?: { jwksUri: string; fetch: KeyFetcher };

  constructor(
    @Inject(RESOLVED_JWT_BEARER_OPTIONS) private readonly options: ResolvedJwtBearerOptions,
    private readonly metadata: AuthorityMetadata,
  ) {}

  /** passport-jwt's `secretOrKeyProvider`; it reports an InvalidToken on failure. */
  readonly secretOrKeyProvider: SecretOrKeyProvider = (_request, rawToken: string, done) => {
    this.resolve(rawToken).then(
      (key) => done(null, key),
      (error: unknown) => done(error),
    );
  };

  async resolve(rawToken: string): Promise<string> {
    const header = decodeJoseHeader(rawToken);
    if (!header || (header.kid !== undefined && typeof header.kid !== 'string'))
      throw new InvalidToken('the token is malformed');
    const allowed: readonly unknown[] = this.options.algorithms;
    if (!allowed.includes(header.alg)) throw new InvalidToken("the token's alg is not allowed");

    const kid = header.kid;
    try {
      const key = await this.fetchKey(rawToken);
      this.lastKnownGood.set(kid, key);
      this.failures.succeeded();
      return key;
    } catch (error) {
      if (error instanceof InvalidToken) throw error;
      if (error instanceof Error && error.name === 'SigningKeyNotFoundError') {
        this.lastKnownGood.delete(kid);
        throw new InvalidToken("the token's signing key is unknown");
      }
      // AuthorityMetadata logs its own failures.
      if (!(error instanceof AuthorityMetadataError)) this.failures.failed(describeFailure(error));
      const remembered = this.lastKnownGood.get(kid);
      if (remembered === undefined) throw new InvalidToken('signing keys are unavailable');
      return remembered;
    }
  }

  private async fetchKey(rawToken: string): Promise<string> {
    const fetch = this.fetcherFor((await this.metadata.get()).jwksUri);
    return new Promise((resolve, reject) =>
      fetch(undefined, rawToken, (error: unknown, key?: string | Buffer) => {
        if (error)
          reject(
            error instanceof Error ? error : new Error('JWKS request failed', { cause: error }),
          );
        else if (key) resolve(key.toString());
        else reject(new InvalidToken('the token is malformed'));
      }),
    );
  }

  /** One jwks-rsa client per discovered `jwks_uri`, so its cache and rate limit persist. */
  private fetcherFor(jwksUri: string): KeyFetcher {
    if (this.keys?.jwksUri !== jwksUri) {
      const fetch = passportJwtSecret({
        jwksUri,
        cache: true,
        cacheMaxAge: this.options.keyCacheSeconds * 1000,
        rateLimit: true,
        jwksRequestsPerMinute: this.options.jwksRequestsPerMinute,
        timeout: this.options.backchannelTimeoutSeconds * 1000,
        // Pass every error through, so resolve() can tell "no such key" from "cannot ask".
        handleSigningKeyError: (error, callback) => callback(error),
      });
      this.keys = { jwksUri, fetch };
    }
    return this.keys.fetch;
  }
}
