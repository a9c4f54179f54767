import { Inject, Injectable, Optional } from '@nestjs/common';
import {
  BearerTokenMissing,
  InvalidToken,
  boundKeyOf,
  inSpan,
  recordChallenge,
} from '@nest-identity/shared';
import type { AccessTokenClaims } from './access-token-claims';
import { AccessTokenVerifier } from './access-token-verifier';
import { bearerTokenCandidate, presentedToken, type PresentedToken } from './bearer-token';
import { DPoPProofVerifier, type ProofRequest } from './dpop/dpop-proof-verifier';
import { TokenIntrospector } from './introspection/token-introspector';
import { JwtBearerMetrics, type TokenValidationOutcome } from './jwt-bearer-metrics';
import { RESOLVED_JWT_BEARER_OPTIONS } from './jwt-bearer.module-definition';
import type { ResolvedJwtBearerOptions } from './jwt-bearer.options';
import { toInvalidToken } from './token-failure';
import { TokenRevocation } from './token-revocation';
import { VerifiedTokenCache } from './verified-token-cache';

/** A request as the pipeline reads it (Fastify's or Express's). */
export type TokenRequest = ProofRequest;

const BEARER_PREFIX = 'bearer ';

/**
 * The resource server, one request at a time: every way a token comes in (JwtAuthGuard, or
 * passport through JwtStrategy) runs these steps, each once, in this order:
 * 1. extract the token: `Authorization: Bearer` or, with DPoP on, `DPoP` (RFC 6750 §2.1,
 *    RFC 9449 §7.1); a header longer than `maxTokenLength` is refused unread, so nothing decodes
 *    a huge token and passport-jwt's header regular expression (quadratic on a header without
 *    whitespace) never sees it;
 * 2. consult VerifiedTokenCache: a token verified before is admitted without its signature;
 * 3. verify it: a JWS through AccessTokenVerifier (the JOSE core and the JWKS), anything else
 *    through TokenIntrospector when introspection is configured (RFC 7662);
 * 4. check the presentation (DPoPProofVerifier): a DPoP-bound token only with the DPoP scheme
 *    and a fresh proof, on every request, cached verdict or not;
 * 5. ask TokenRevocation, on every request too;
 * 6. count the outcome (`tokenValidated`, once per request that presented a token);
 * and turn any failure into the one OAuthError to answer. How the token came (the DPoP scheme
 * and its `algs`) is recorded on the request (recordChallenge): OAuthErrorFilter challenges any
 * refusal of it, ScopesGuard's included, in that scheme.
 */
@Injectable()
export class AccessTokenPipeline {
  private readonly maxAuthorizationLength: number;
  private readonly dpopEnabled: boolean;
  private readonly challengeDPoPWithoutToken: boolean;
  /** How a DPoP-scheme request is challenged: with the proof algorithms accepted. */
  private readonly dpopChallenge: { scheme: 'DPoP'; algs: string };

  constructor(
    @Inject(RESOLVED_JWT_BEARER_OPTIONS)
    options: Pick<ResolvedJwtBearerOptions, 'maxTokenLength' | 'dpop'>,
    private readonly verified: VerifiedTokenCache,
    private readonly verifier: AccessTokenVerifier,
    private readonly introspector: TokenIntrospector,
    private readonly dpop: DPoPProofVerifier,
    private readonly revocation: TokenRevocation,
    @Optional() private readonly metrics: JwtBearerMetrics = JwtBearerMetrics.none,
  ) {
    this.maxAuthorizationLength = BEARER_PREFIX.length + options.maxTokenLength;
    this.dpopEnabled = options.dpop.enabled;
    this.challengeDPoPWithoutToken = options.dpop.enabled && options.dpop.challengeWithoutToken;
    this.dpopChallenge = { scheme: 'DPoP', algs: dpop.algs };
  }

  /**
   * The claims of the request's valid token; throws (or rejects with) the OAuthError to answer.
   * Synchronous for a cached verdict that TokenRevocation answers synchronously: the hot path.
   */
  authenticate(request: TokenRequest): AccessTokenClaims | Promise<AccessTokenClaims> {
    const authorization = request.headers?.authorization;
    if (typeof authorization === 'string' && authorization.length > this.maxAuthorizationLength)
      this.refuseOversized(request, authorization);
    // The hot path: `Bearer <token>` of a token verified before, found without parsing the header
    // (such a token has no whitespace, so passport-jwt's extraction would find the same one).
    const candidate = bearerTokenCandidate(request);
    let known = candidate === null ? undefined : this.verified.get(candidate);
    const presented: PresentedToken =
      known !== undefined
        ? { scheme: 'Bearer', token: candidate as string }
        : this.extract(request);
    try {
      // A token other than the candidate (the DPoP scheme, other spacing) has not been looked up yet.
      if (known === undefined && presented.token !== candidate)
        known = this.verified.get(presented.token);
      const admitted =
        known !== undefined
          ? this.admit(request, presented, known.claims, known.jkt, 'cached')
          : this.verify(request, presented);
      return admitted instanceof Promise
        ? admitted.catch((error: unknown) => this.refuse(error))
        : admitted;
    } catch (error) {
      return this.refuse(error);
    }
  }

  /** Step 1 (the header's size checked): throws for a request without a usable token. */
  private extract(request: TokenRequest): PresentedToken {
    const presented = presentedToken(request, this.dpopEnabled);
    // RFC 6750 §3.1: a request with no token at all gets a challenge without an error code.
    if (presented === null) this.refuseMissing(request);
    // RFC 9449 §7.1: every answer to a DPoP-scheme request carries a DPoP challenge.
    if (presented.scheme === 'DPoP') recordChallenge(request, this.dpopChallenge);
    return presented;
  }

  private refuseOversized(request: TokenRequest, authorization: string): never {
    // Only this rare path parses the scheme: any whitespace may follow it, as passport-jwt reads it.
    const scheme = /^(\S+)\s/.exec(authorization.slice(0, 16))?.[1].toLowerCase();
    if (this.dpopEnabled && scheme === 'dpop') recordChallenge(request, this.dpopChallenge);
    if (scheme === 'bearer' || (this.dpopEnabled && scheme === 'dpop'))
      this.refuse(new InvalidToken('the token is too large'));
    this.refuseMissing(request);
  }

  /** Not counted: no token was presented. */
  private refuseMissing(request: TokenRequest): never {
    // RFC 9449 §7.1: an API that accepts both schemes may say so to a request without a token.
    if (this.challengeDPoPWithoutToken) recordChallenge(request, { algs: this.dpop.algs });
    throw new BearerTokenMissing();
  }

  /**
   * Step 3, then the verdict is remembered: it holds whatever this request's presentation. One
   * span (docs/operations.md, "Tracing"); a verdict found in the cache makes none.
   */
  private verify(request: TokenRequest, presented: PresentedToken): Promise<AccessTokenClaims> {
    return inSpan('access token verify', {}, async () => {
      const { token } = presented;
      if (this.introspector.handles(token)) {
        const claims = await this.introspector.claimsFor(token);
        return this.admit(request, presented, claims, boundKeyOf(claims), 'valid');
      }
      const verified = await this.verifier.verify(token);
      this.verified.set(token, verified);
      return this.admit(request, presented, verified.claims, verified.jkt, 'valid');
    });
  }

  /** Steps 4 to 6, on a token whose verdict is known. */
  private admit(
    request: TokenRequest,
    presented: PresentedToken,
    claims: AccessTokenClaims,
    jkt: string | undefined,
    outcome: TokenValidationOutcome,
  ): AccessTokenClaims | Promise<AccessTokenClaims> {
    this.dpop.checkPresentation(request, presented, jkt);
    const revoked = this.revocation.isRevoked(claims, presented.token);
    return typeof revoked === 'boolean'
      ? this.admitted(presented, claims, revoked, outcome)
      : revoked.then((isRevoked) => this.admitted(presented, claims, isRevoked, outcome));
  }

  private admitted(
    presented: PresentedToken,
    claims: AccessTokenClaims,
    revoked: boolean,
    outcome: TokenValidationOutcome,
  ): AccessTokenClaims {
    if (revoked) {
      this.verified.delete(presented.token);
      throw new InvalidToken('the token was revoked');
    }
    this.metrics.tokenValidated(outcome);
    return claims;
  }

  /**
   * The one place a failure of a presented token is counted and becomes the answer; its challenge
   * comes from how the token was presented (recordChallenge, read by OAuthErrorFilter).
   */
  private refuse(error: unknown): never {
    this.metrics.tokenValidated('invalid');
    throw toInvalidToken(error);
  }
}
