import { Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import {
  BearerTokenMissing,
  InsufficientScope,
  hasScopes,
  readScopeClaim,
} from '@nest-identity/shared';
import type { AccessTokenClaims } from './access-token-claims';
import { REQUIRED_SCOPES } from './jwt-bearer.constants';

/**
 * Lets the request through when the validated token holds every scope `@RequireScopes()` names
 * on the handler and its controller; otherwise 403 insufficient_scope (RFC 6750 §3.1), which
 * OAuthErrorFilter challenges in the scheme the token came with (recorded by AccessTokenPipeline).
 */
@Injectable()
export class ScopesGuard implements CanActivate {
  constructor(private readonly reflector: Reflector) {}

  canActivate(context: ExecutionContext): boolean {
    const required = this.reflector.getAllAndMerge<string[]>(REQUIRED_SCOPES, [
      context.getHandler(),
      context.getClass(),
    ]);
    const request = context.switchToHttp().getRequest<{ user?: AccessTokenClaims }>();
    const claims = request.user;
    // Only reachable on a @Public() route: without a token the answer is 401, not 403.
    if (!claims) throw new BearerTokenMissing();
    if (hasScopes(readScopeClaim(claims.scope), required)) return true;
    // RFC 9449 §7.1: OAuthErrorFilter challenges a DPoP-scheme request in that scheme.
    throw new InsufficientScope(required);
  }
}
