import { Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { AccessTokenClaims } from './access-token-claims';
import { AccessTokenPipeline, type TokenRequest } from './access-token-pipeline';
import { IS_PUBLIC } from './jwt-bearer.constants';
import { markNoStore } from './no-store';

interface GuardedRequest extends TokenRequest {
  user?: AccessTokenClaims;
}

/**
 * Requires a valid access token on every route but those marked `@Public()`. Registered as the
 * global guard by JwtBearerModule (useExisting, so tests can override it). It runs
 * AccessTokenPipeline directly, the steps JwtStrategy runs for passport, without passport's
 * per-request machinery; the claims become `request.user`. Failures are OAuthErrors for
 * OAuthErrorFilter to render (RFC 6750 §3). Every response of a route it protects, its own 401
 * and 403 included, carries `Cache-Control: no-store` (markNoStore).
 */
@Injectable()
export class JwtAuthGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly pipeline: AccessTokenPipeline,
  ) {}

  canActivate(context: ExecutionContext): boolean | Promise<boolean> {
    const isPublic = this.reflector.getAllAndOverride<boolean | undefined>(IS_PUBLIC, [
      context.getHandler(),
      context.getClass(),
    ]);
    if (isPublic === true) return true;
    const http = context.switchToHttp();
    // One header on the reply: the cheapest of this path's steps.
    markNoStore(http.getResponse());
    const request = http.getRequest<GuardedRequest>();
    const claims = this.pipeline.authenticate(request);
    if (!(claims instanceof Promise)) {
      request.user = claims;
      return true;
    }
    return claims.then((verified) => {
      request.user = verified;
      return true;
    });
  }
}
