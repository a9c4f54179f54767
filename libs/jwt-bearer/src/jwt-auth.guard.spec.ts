import type { ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { InvalidToken } from '@nest-identity/shared';
import type { AccessTokenClaims } from './access-token-claims';
import type { AccessTokenPipeline } from './access-token-pipeline';
import { JwtAuthGuard } from './jwt-auth.guard';
import { Public } from './public.decorator';

class TestController {
  @Public()
  open(): void {}

  closed(): void {}
}

describe('JwtAuthGuard', () => {
  const claims: AccessTokenClaims = { iss: 'https://id.example.com', aud: 'api1', exp: 1 };

  function guardWith(authenticate: () => AccessTokenClaims | Promise<AccessTokenClaims>) {
    const pipeline = { authenticate: jest.fn(authenticate) };
    const guard = new JwtAuthGuard(new Reflector(), pipeline as unknown as AccessTokenPipeline);
    return { guard, pipeline };
  }

  function contextFor(handler: () => void) {
    const request: { headers: Record<string, string>; user?: unknown } = { headers: {} };
    const reply = { header: jest.fn() };
    const context = {
      getHandler: () => handler,
      getClass: () => TestController,
      switchToHttp: () => ({ getRequest: () => request, getResponse: () => reply }),
    } as unknown as ExecutionContext;
    return { context, request, reply };
  }

  it('lets @Public() routes through without asking the pipeline, the reply left alone', () => {
    const { guard, pipeline } = guardWith(() => claims);
    const { context, reply } = contextFor(TestController.prototype.open);
    expect(guard.canActivate(context)).toBe(true);
    expect(pipeline.authenticate).not.toHaveBeenCalled();
    expect(reply.header).not.toHaveBeenCalled();
  });

  it("admits a protected route's request with the pipeline's claims as the user", async () => {
    const { guard } = guardWith(() => Promise.resolve(claims));
    const { context, request } = contextFor(TestController.prototype.closed);
    await expect(guard.canActivate(context)).resolves.toBe(true);
    expect(request.user).toBe(claims);
  });

  it('answers synchronously when the pipeline does (a cached verdict)', () => {
    const { guard } = guardWith(() => claims);
    const { context, request } = contextFor(TestController.prototype.closed);
    expect(guard.canActivate(context)).toBe(true);
    expect(request.user).toBe(claims);
  });

  it("throws the pipeline's refusal, with Cache-Control: no-store already set", () => {
    const refusal = new InvalidToken('the token expired');
    const { guard } = guardWith(() => {
      throw refusal;
    });
    const { context, reply } = contextFor(TestController.prototype.closed);
    expect(() => guard.canActivate(context)).toThrow(refusal);
    expect(reply.header).toHaveBeenCalledWith('cache-control', 'no-store');
  });
});
