import { Injectable, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { AuthGuard } from '@nestjs/passport';
import { BearerTokenMissing } from '@app/shared';
import { bearerTokenFrom } from './bearer-token';
import { IS_PUBLIC, JWT_BEARER_STRATEGY } from './jwt-bearer.constants';
import { toInvalidToken } from './token-failure';

/**
 * Requires a valid bearer token on every route but those marked `@Public()`. Registered as the
 * global guard by JwtBearerModule (useExisting, so tests can override it). Failures become
 * OAuthErrors for OAuthErrorFilter to render (RFC 6750 §3).
 */
@Injectable()
export class JwtAuthGuard extends AuthGuard(JWT_BEARER_STRATEGY) {
  constructor(private readonly reflector: Reflector) {
    super();
  }

  override canActivate(context: ExecutionContext) {
    const isPublic = this.reflector.getAllAndOverride<boolean | undefined>(IS_PUBLIC, [
      context.getHandler(),
      context.getClass(),
    ]);
    return isPublic === true || super.canActivate(context);
  }

  override handleRequest<TUser>(
    error: unknown,
    user: TUser | false,
    info: unknown,
    context: ExecutionContext,
  ): TUser {
    if (!error && user) return user;
    // RFC 6750 §3.1: a request with no bearer token at all gets a challenge without error code.
    if (!bearerTokenFrom(context.switchToHttp().getRequest())) throw new BearerTokenMissing();
    throw toInvalidToken(error ?? info);
  }
}
