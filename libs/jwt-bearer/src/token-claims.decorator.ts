import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import type { AccessTokenClaims } from './access-token-claims';

/** The validated token's claims, e.g. `forecast(@TokenClaims() claims: AccessTokenClaims)`. */
export const TokenClaims = createParamDecorator(
  (_data: unknown, context: ExecutionContext): AccessTokenClaims => {
    const claims = context.switchToHttp().getRequest<{ user?: AccessTokenClaims }>().user;
    if (!claims) throw new TypeError('@TokenClaims() is used on a route that takes no token');
    return claims;
  },
);
