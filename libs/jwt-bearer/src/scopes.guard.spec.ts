import type { ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { BearerTokenMissing, InsufficientScope } from '@nest-identity/shared';
import { RequireScopes } from './require-scopes.decorator';
import { ScopesGuard } from './scopes.guard';

class ReadController {
  @RequireScopes('api1')
  read(): void {}
}

@RequireScopes('api1')
class WriteController {
  @RequireScopes('api1.write')
  write(): void {}
}

function contextFor(
  handler: () => void,
  controller: object,
  user?: Record<string, unknown>,
): ExecutionContext {
  return {
    getHandler: () => handler,
    getClass: () => controller,
    switchToHttp: () => ({ getRequest: () => ({ user }) }),
  } as unknown as ExecutionContext;
}

describe('ScopesGuard', () => {
  const guard = new ScopesGuard(new Reflector());
  const read = (user?: Record<string, unknown>) =>
    guard.canActivate(contextFor(ReadController.prototype.read, ReadController, user));

  it('accepts a space-delimited scope claim holding the scope', () => {
    expect(read({ scope: 'openid api1' })).toBe(true);
  });

  it('accepts a JSON-array scope claim holding the scope', () => {
    expect(read({ scope: ['openid', 'api1'] })).toBe(true);
  });

  it.each([
    ['another scope', { scope: 'api2' }],
    ['a longer name', { scope: 'api10' }],
    ['no scope claim', {}],
    ['a scope claim of the wrong type', { scope: 42 }],
  ])('refuses %s with insufficient_scope naming the required scope', (_case, claims) => {
    expect(() => read(claims)).toThrow(InsufficientScope);
    try {
      read(claims);
    } catch (error) {
      expect((error as InsufficientScope).requiredScopes).toEqual(['api1']);
    }
  });

  it('requires the scopes of both the controller and the handler', () => {
    const write = (scope: string) =>
      guard.canActivate(contextFor(WriteController.prototype.write, WriteController, { scope }));
    expect(write('api1 api1.write')).toBe(true);
    expect(() => write('api1.write')).toThrow(InsufficientScope);
    expect(() => write('api1')).toThrow(InsufficientScope);
  });

  it('answers 401, not 403, when no token was validated', () => {
    expect(() => read(undefined)).toThrow(BearerTokenMissing);
  });
});
