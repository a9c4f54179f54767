import { SetMetadata, UseGuards, applyDecorators } from '@nestjs/common';
import { REQUIRED_SCOPES } from './jwt-bearer.constants';
import { ScopesGuard } from './scopes.guard';

/**
 * The token must hold every one of these scopes (403 insufficient_scope otherwise). On a
 * controller and a handler both, the token needs the scopes of both.
 */
export function RequireScopes(...scopes: [string, ...string[]]): MethodDecorator & ClassDecorator {
  return applyDecorators(SetMetadata(REQUIRED_SCOPES, scopes), UseGuards(ScopesGuard));
}
