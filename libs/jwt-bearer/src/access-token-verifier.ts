import { Inject, Injectable } from '@nestjs/common';
import {
  InvalidToken,
  MalformedJws,
  accessTokenChecks,
  boundKeyOf,
  firstClaimProblem,
  readCompactJws,
  verifiesJwsSignature,
  type ClaimCheck,
  type CompactJws,
  type MalformedJwsReason,
} from '@nest-identity/shared';
import type { AccessTokenClaims } from './access-token-claims';
import { AuthorityMetadata } from './authority-metadata';
import { deepFreeze } from './deep-freeze';
import { RESOLVED_JWT_BEARER_OPTIONS } from './jwt-bearer.module-definition';
import type { ResolvedJwtBearerOptions } from './jwt-bearer.options';
import { SigningKeyResolver } from './signing-key-resolver';
import type { VerifiedToken } from './verified-token-cache';

/** How each malformed token is described (the wording the API has always answered with). */
const MALFORMED: Readonly<Record<MalformedJwsReason, string>> = {
  'too-large': 'the token is too large',
  'not-compact': 'the token is malformed',
  'not-json-object': 'the token is malformed',
  'repeated-member': 'the token repeats a JSON member name',
  'critical-extension': 'the token requires JWS extensions (crit) this API does not support',
};

/**
 * Verifies a JWT access token in full (RFC 9068 §4), on the JOSE core of @nest-identity/shared: a compact
 * JWS of at most `maxTokenLength` characters, without `crit` or repeated JSON members
 * (readCompactJws); the key its `kid` names in the authority's JWKS, fit for its `alg`
 * (SigningKeyResolver); the signature (verifiesJwsSignature); then the RFC 9068 claim checks in
 * their declared order (accessTokenChecks, against the discovered issuer). The verdict is what
 * VerifiedTokenCache remembers. Throws InvalidToken, or the 503 of an authority that cannot be
 * asked.
 */
@Injectable()
export class AccessTokenVerifier {
  private readonly maxTokenLength: number;
  /** The checks for the issuer last discovered: the issuer is only known once asked. */
  private checks?: { issuer: string; checks: readonly ClaimCheck[] };

  constructor(
    @Inject(RESOLVED_JWT_BEARER_OPTIONS) private readonly options: ResolvedJwtBearerOptions,
    private readonly keys: SigningKeyResolver,
    private readonly metadata: AuthorityMetadata,
  ) {
    this.maxTokenLength = options.maxTokenLength;
  }

  async verify(token: string, now: number = Date.now()): Promise<VerifiedToken> {
    const jws = this.read(token);
    // The structure first: a malformed token costs no key lookup.
    const { kid, key, alg } = await this.keys.resolve(jws.header);
    if (!verifiesJwsSignature(alg, key, jws.signingInput, jws.signature))
      throw new InvalidToken('signature verification failed');
    const checks = await this.checksForIssuer();
    const problem = firstClaimProblem(jws, checks, Math.floor(now / 1000));
    if (problem !== undefined) throw new InvalidToken(problem);
    const { payload } = jws;
    return {
      claims: deepFreeze(payload) as AccessTokenClaims,
      kid,
      key,
      exp: payload.exp as number,
      nbf: typeof payload.nbf === 'number' ? payload.nbf : undefined,
      jkt: boundKeyOf(payload),
    };
  }

  private read(token: string): CompactJws {
    try {
      return readCompactJws(token, this.maxTokenLength);
    } catch (error) {
      if (error instanceof MalformedJws) throw new InvalidToken(MALFORMED[error.reason]);
      throw error;
    }
  }

  private async checksForIssuer(): Promise<readonly ClaimCheck[]> {
    const { issuer } = await this.metadata.get();
    if (this.checks?.issuer !== issuer)
      this.checks = {
        issuer,
        checks: accessTokenChecks({
          issuer,
          audiences: [this.options.audience],
          skewSeconds: this.options.clockSkewSeconds,
          requiredClaims: this.options.requiredClaims,
          maxLifetimeSeconds: this.options.maxTokenLifetimeSeconds,
        }),
      };
    return this.checks.checks;
  }
}
