import { Inject, Injectable, Optional, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { AuthGuard } from '@nestjs/passport';
import {
  BearerTokenMissing,
  InvalidToken,
  InvalidTokenDPoPChallenge,
  OAuthError,
  TokenMissingDPoPChallenge,
} from '@app/shared';
import type { AccessTokenClaims } from './access-token-claims';
import { bearerTokenCandidate, presentedToken, type PresentedToken } from './bearer-token';
import { DPoPProofVerifier, type ProofRequest } from './dpop/dpop-proof-verifier';
import { boundKeyOf } from './dpop/token-binding';
import { TokenIntrospector } from './introspection/token-introspector';
import { JwtBearerMetrics } from './jwt-bearer-metrics';
import { markNoStore } from './no-store';
import { IS_PUBLIC, JWT_BEARER_STRATEGY } from './jwt-bearer.constants';
import { RESOLVED_JWT_BEARER_OPTIONS } from './jwt-bearer.module-definition';
import type { ResolvedJwtBearerOptions } from './jwt-bearer.options';
import { toInvalidToken } from './token-failure';
import { TokenRevocation } from './token-revocation';
import { VerifiedTokenCache, type VerifiedToken } from './verified-token-cache';

const BEARER_PREFIX = 'bearer ';

interface GuardedRequest extends ProofRequest {
  headers?: Record<string, unknown>;
  user?: AccessTokenClaims;
}

/**
 * Requires a valid bearer token on every route but those marked `@Public()`. Registered as the
 * global guard by JwtBearerModule (useExisting, so tests can override it). Failures become
 * OAuthErrors for OAuthErrorFilter to render (RFC 6750 §3). Every response of a route it protects,
 * its own 401 and 403 included, carries `Cache-Control: no-store` (markNoStore).
 *
 * A token JwtStrategy verified before is admitted from VerifiedTokenCache (times, key and
 * revocation checked again, nothing else can change); any other goes through passport and
 * JwtStrategy, which verify it in full and remember the verdict. Before that, an Authorization
 * header longer than `maxTokenLength` is refused unread: nothing decodes a huge token, and
 * passport's header regular expression (quadratic on a header without whitespace) never sees it.
 *
 * Beyond that fast path (RFC 9449, RFC 7662): a token sent with the DPoP scheme needs a fresh
 * proof on every request, cached verdict or not (DPoPProofVerifier), and a DPoP-bound token is
 * refused with the Bearer scheme; a token that is not a JWS goes to TokenIntrospector when
 * introspection is configured. Errors on a DPoP-scheme request carry a DPoP challenge.
 */
const BOUND_AS_BEARER = 'the token is DPoP-bound: send it with the DPoP scheme and a proof';

@Injectable()
export class JwtAuthGuard extends AuthGuard(JWT_BEARER_STRATEGY) {
  private readonly maxAuthorizationLength: number;
  private readonly dpopEnabled: boolean;
  private readonly challengeDPoPWithoutToken: boolean;

  constructor(
    private readonly reflector: Reflector,
    private readonly verified: VerifiedTokenCache,
    private readonly revocation: TokenRevocation,
    @Inject(RESOLVED_JWT_BEARER_OPTIONS)
    options: Pick<ResolvedJwtBearerOptions, 'maxTokenLength' | 'dpop'>,
    private readonly dpop: DPoPProofVerifier,
    private readonly introspector: TokenIntrospector,
    @Optional() private readonly metrics: JwtBearerMetrics = JwtBearerMetrics.none,
  ) {
    super();
    this.maxAuthorizationLength = BEARER_PREFIX.length + options.maxTokenLength;
    this.dpopEnabled = options.dpop.enabled;
    this.challengeDPoPWithoutToken = options.dpop.enabled && options.dpop.challengeWithoutToken;
  }

  override canActivate(context: ExecutionContext): boolean | Promise<boolean> {
    const isPublic = this.reflector.getAllAndOverride<boolean | undefined>(IS_PUBLIC, [
      context.getHandler(),
      context.getClass(),
    ]);
    if (isPublic === true) return true;
    const http = context.switchToHttp();
    // One header on the reply: the cheapest of this path's steps.
    markNoStore(http.getResponse());
    const request = http.getRequest<GuardedRequest>();
    const token = bearerTokenCandidate(request);
    const known = token === null ? undefined : this.verified.get(token);
    if (token === null || known === undefined) return this.authenticate(context, request);
    // RFC 9449 §7.2: a DPoP-bound token is no bearer token.
    if (known.jkt !== undefined) return this.refuse(new InvalidToken(BOUND_AS_BEARER));
    const revoked = this.revocation.isRevoked(known.claims, token);
    return typeof revoked === 'boolean'
      ? this.admit(request, token, known, revoked)
      : revoked.then((isRevoked) => this.admit(request, token, known, isRevoked));
  }

  /** Every request the fast path above did not admit. */
  private authenticate(
    context: ExecutionContext,
    request: GuardedRequest,
  ): boolean | Promise<boolean> {
    this.refuseOversized(request);
    const presented = presentedToken(request, this.dpopEnabled);
    if (presented === null) return super.canActivate(context) as boolean | Promise<boolean>;
    try {
      if (presented.scheme === 'DPoP') {
        const known = this.verified.get(presented.token);
        if (known !== undefined) {
          const admitted = this.admitPresented(request, presented, known.claims, known.jkt, true);
          return admitted === true
            ? admitted
            : admitted.catch((error: unknown) => this.refuse(error, presented));
        }
      }
      if (this.introspector.handles(presented.token))
        return this.introspector
          .claimsFor(presented.token)
          .then((claims) =>
            this.admitPresented(request, presented, claims, boundKeyOf(claims), false),
          )
          .catch((error: unknown) => this.refuse(error, presented));
    } catch (error) {
      this.refuse(error, presented);
    }
    return super.canActivate(context) as boolean | Promise<boolean>;
  }

  /**
   * A token validated before (cached or introspected), as this request presents it: the proof
   * and the revocation check are never cached. Throws (or rejects with) the raw failure.
   */
  private admitPresented(
    request: GuardedRequest,
    presented: PresentedToken,
    claims: AccessTokenClaims,
    jkt: string | undefined,
    cached: boolean,
  ): true | Promise<true> {
    this.dpop.checkPresentation(request, presented, jkt);
    const admit = (isRevoked: boolean): true => {
      if (isRevoked) {
        this.verified.delete(presented.token);
        throw new InvalidToken('the token was revoked');
      }
      this.metrics.tokenValidated(cached ? 'cached' : 'valid');
      request.user = claims;
      return true;
    };
    const revoked = this.revocation.isRevoked(claims, presented.token);
    return typeof revoked === 'boolean' ? admit(revoked) : revoked.then(admit);
  }

  /** Counts and throws the error, with a DPoP challenge for a DPoP-scheme request. */
  private refuse(error: unknown, presented?: PresentedToken): never {
    this.metrics.tokenValidated('invalid');
    throw this.forScheme(toInvalidToken(error), presented);
  }

  private forScheme(error: OAuthError, presented: PresentedToken | null | undefined): OAuthError {
    if (presented?.scheme !== 'DPoP' || !(error instanceof InvalidToken)) return error;
    if (error instanceof InvalidTokenDPoPChallenge) return error;
    return new InvalidTokenDPoPChallenge(error.description ?? 'invalid token', this.dpop.algs, {
      cause: error.cause,
    });
  }

  override handleRequest<TUser>(
    error: unknown,
    user: TUser | false,
    info: unknown,
    context: ExecutionContext,
  ): TUser {
    if (!error && user) {
      this.metrics.tokenValidated('valid');
      return user;
    }
    // RFC 6750 §3.1: a request with no bearer token at all gets a challenge without error code.
    const presented = presentedToken(context.switchToHttp().getRequest(), this.dpopEnabled);
    if (!presented) throw this.tokenMissing();
    this.metrics.tokenValidated('invalid');
    throw this.forScheme(toInvalidToken(error ?? info), presented);
  }

  private tokenMissing(): OAuthError {
    return this.challengeDPoPWithoutToken
      ? new TokenMissingDPoPChallenge(this.dpop.algs)
      : new BearerTokenMissing();
  }

  private refuseOversized(request: GuardedRequest): void {
    const authorization = request.headers?.authorization;
    if (typeof authorization !== 'string' || authorization.length <= this.maxAuthorizationLength)
      return;
    // Only this rare path parses the scheme: any whitespace may follow it, as passport-jwt reads it.
    const scheme = /^(\S+)\s/.exec(authorization.slice(0, 16))?.[1].toLowerCase();
    if (scheme === 'bearer') {
      this.metrics.tokenValidated('invalid');
      throw new InvalidToken('the token is too large');
    }
    if (this.dpopEnabled && scheme === 'dpop') {
      this.metrics.tokenValidated('invalid');
      throw new InvalidTokenDPoPChallenge('the token is too large', this.dpop.algs);
    }
    throw this.tokenMissing();
  }

  private admit(
    request: GuardedRequest,
    token: string,
    known: VerifiedToken,
    revoked: boolean,
  ): true {
    if (revoked) {
      this.verified.delete(token);
      this.metrics.tokenValidated('invalid');
      throw new InvalidToken('the token was revoked');
    }
    // The cached path's one addition: a counter increment.
    this.metrics.tokenValidated('cached');
    request.user = known.claims;
    return true;
  }
}
