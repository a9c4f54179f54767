import { Inject, Injectable, Optional, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { AuthGuard } from '@nestjs/passport';
import { BearerTokenMissing, InvalidToken } from '@app/shared';
import type { AccessTokenClaims } from './access-token-claims';
import { bearerTokenCandidate, bearerTokenFrom } from './bearer-token';
import { JwtBearerMetrics } from './jwt-bearer-metrics';
import { IS_PUBLIC, JWT_BEARER_STRATEGY } from './jwt-bearer.constants';
import { RESOLVED_JWT_BEARER_OPTIONS } from './jwt-bearer.module-definition';
import type { ResolvedJwtBearerOptions } from './jwt-bearer.options';
import { toInvalidToken } from './token-failure';
import { TokenRevocation } from './token-revocation';
import { VerifiedTokenCache, type VerifiedToken } from './verified-token-cache';

const BEARER_PREFIX = 'bearer ';

interface GuardedRequest {
  headers?: Record<string, unknown>;
  user?: AccessTokenClaims;
}

/**
 * Requires a valid bearer token on every route but those marked `@Public()`. Registered as the
 * global guard by JwtBearerModule (useExisting, so tests can override it). Failures become
 * OAuthErrors for OAuthErrorFilter to render (RFC 6750 §3).
 *
 * A token JwtStrategy verified before is admitted from VerifiedTokenCache (times, key and
 * revocation checked again, nothing else can change); any other goes through passport and
 * JwtStrategy, which verify it in full and remember the verdict. Before that, an Authorization
 * header longer than `maxTokenLength` is refused unread: nothing decodes a huge token, and
 * passport's header regular expression (quadratic on a header without whitespace) never sees it.
 */
@Injectable()
export class JwtAuthGuard extends AuthGuard(JWT_BEARER_STRATEGY) {
  private readonly maxAuthorizationLength: number;

  constructor(
    private readonly reflector: Reflector,
    private readonly verified: VerifiedTokenCache,
    private readonly revocation: TokenRevocation,
    @Inject(RESOLVED_JWT_BEARER_OPTIONS) options: Pick<ResolvedJwtBearerOptions, 'maxTokenLength'>,
    @Optional() private readonly metrics: JwtBearerMetrics = JwtBearerMetrics.none,
  ) {
    super();
    this.maxAuthorizationLength = BEARER_PREFIX.length + options.maxTokenLength;
  }

  override canActivate(context: ExecutionContext): boolean | Promise<boolean> {
    const isPublic = this.reflector.getAllAndOverride<boolean | undefined>(IS_PUBLIC, [
      context.getHandler(),
      context.getClass(),
    ]);
    if (isPublic === true) return true;
    const request = context.switchToHttp().getRequest<GuardedRequest>();
    const token = bearerTokenCandidate(request);
    const known = token === null ? undefined : this.verified.get(token);
    if (token === null || known === undefined) {
      this.refuseOversized(request);
      return super.canActivate(context) as boolean | Promise<boolean>;
    }
    const revoked = this.revocation.isRevoked(known.claims, token);
    return typeof revoked === 'boolean'
      ? this.admit(request, token, known, revoked)
      : revoked.then((isRevoked) => this.admit(request, token, known, isRevoked));
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
    if (!bearerTokenFrom(context.switchToHttp().getRequest())) throw new BearerTokenMissing();
    this.metrics.tokenValidated('invalid');
    throw toInvalidToken(error ?? info);
  }

  private refuseOversized(request: GuardedRequest): void {
    const authorization = request.headers?.authorization;
    if (typeof authorization !== 'string' || authorization.length <= this.maxAuthorizationLength)
      return;
    if (authorization.slice(0, BEARER_PREFIX.length).toLowerCase() === BEARER_PREFIX) {
      this.metrics.tokenValidated('invalid');
      throw new InvalidToken('the token is too large');
    }
    throw new BearerTokenMissing();
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
