import type { ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { JsonWebTokenError, NotBeforeError, TokenExpiredError } from '@nestjs/jwt';
import {
  BearerTokenMissing,
  InvalidToken,
  InvalidTokenDPoPChallenge,
  type OAuthError,
} from '@app/shared';
import { JwtAuthGuard } from './jwt-auth.guard';
import { Public } from './public.decorator';
import { NoTokenRevocation } from './token-revocation';
import type { VerifiedTokenCache } from './verified-token-cache';
import type { AuthorityMetadata } from './authority-metadata';
import { DPoPProofVerifier } from './dpop/dpop-proof-verifier';
import { DPoPReplayCache } from './dpop/dpop-replay-cache';
import { TokenIntrospector } from './introspection/token-introspector';
import { resolveJwtBearerOptions } from './jwt-bearer.options';

class TestController {
  @Public()
  open(): void {}

  closed(): void {}
}

function contextFor(handler: () => void, authorization?: string): ExecutionContext {
  const headers = authorization === undefined ? {} : { authorization };
  return {
    getHandler: () => handler,
    getClass: () => TestController,
    switchToHttp: () => ({ getRequest: () => ({ headers }), getResponse: () => ({}) }),
  } as unknown as ExecutionContext;
}

describe('JwtAuthGuard', () => {
  const nothingVerified = { get: () => undefined } as unknown as VerifiedTokenCache;
  const limits = resolveJwtBearerOptions({
    authority: 'https://id.example.com',
    audience: 'api1',
    maxTokenLength: 100,
  });
  const dpop = new DPoPProofVerifier(limits, new DPoPReplayCache(limits));
  const introspector = new TokenIntrospector(limits, {} as AuthorityMetadata);
  const guard = new JwtAuthGuard(
    new Reflector(),
    nothingVerified,
    new NoTokenRevocation(),
    limits,
    dpop,
    introspector,
  );
  const withToken = contextFor(TestController.prototype.closed, 'Bearer a.b.c');

  function failureFor(error: unknown, info: unknown, context = withToken): OAuthError {
    try {
      guard.handleRequest(error, false, info, context);
    } catch (thrown) {
      return thrown as OAuthError;
    }
    throw new Error('handleRequest accepted the request');
  }

  it('lets @Public() routes through without a token', async () => {
    expect(await guard.canActivate(contextFor(TestController.prototype.open))).toBe(true);
  });

  describe('Cache-Control: no-store on protected routes only', () => {
    function contextWithReply(handler: () => void) {
      const reply = { header: jest.fn() };
      const context = {
        getHandler: () => handler,
        getClass: () => TestController,
        switchToHttp: () => ({ getRequest: () => ({ headers: {} }), getResponse: () => reply }),
      } as unknown as ExecutionContext;
      return { context, reply };
    }

    it('is set before the token is checked, so a refusal carries it too', async () => {
      const { context, reply } = contextWithReply(TestController.prototype.closed);
      await Promise.resolve()
        .then(() => guard.canActivate(context))
        .catch(() => undefined);
      expect(reply.header).toHaveBeenCalledWith('cache-control', 'no-store');
    });

    it('is left alone on @Public() routes', async () => {
      const { context, reply } = contextWithReply(TestController.prototype.open);
      expect(await guard.canActivate(context)).toBe(true);
      expect(reply.header).not.toHaveBeenCalled();
    });
  });

  it('returns the validated claims as the user', () => {
    const claims = { iss: 'https://id.example.com', aud: 'api1', exp: 1 };
    expect(guard.handleRequest(null, claims, undefined, withToken)).toBe(claims);
  });

  it.each([
    ['no Authorization header', undefined],
    ['another scheme', 'Basic Y2xpZW50OnNlY3JldA=='],
    ['a scheme without a token', 'Bearer'],
  ])('answers a bare Bearer challenge for %s', (_case, authorization) => {
    const context = contextFor(TestController.prototype.closed, authorization);
    expect(failureFor(null, new Error('No auth token'), context)).toBeInstanceOf(
      BearerTokenMissing,
    );
  });

  it.each([
    [new TokenExpiredError('jwt expired', new Date()), 'the token expired'],
    [new NotBeforeError('jwt not active', new Date()), 'the token is not valid yet'],
    [
      new JsonWebTokenError('jwt audience invalid. expected: api1'),
      'the token is not valid for this audience',
    ],
    [
      new JsonWebTokenError('jwt issuer invalid. expected: https://id'),
      "the token's issuer is not trusted",
    ],
    [new JsonWebTokenError('invalid signature'), 'signature verification failed'],
    [new JsonWebTokenError('invalid algorithm'), "the token's alg is not allowed"],
    [new JsonWebTokenError('jwt malformed'), 'the token is malformed'],
    [new Error('ENOENT /etc/secret at Object.<anonymous>'), 'the token is not valid'],
  ])('turns %s into invalid_token "%s"', (info, description) => {
    const failure = failureFor(null, info);
    expect(failure).toBeInstanceOf(InvalidToken);
    expect(failure.body()).toEqual({ error: 'invalid_token', error_description: description });
  });

  describe('an Authorization header longer than any token accepted (maxTokenLength 100)', () => {
    const closedWith = (authorization: string) =>
      contextFor(TestController.prototype.closed, authorization);

    it.each(['Bearer ', 'bearer ', 'BEARER ', 'Bearer\t', 'bearer  '])(
      'is refused unread with the scheme %s: invalid_token "the token is too large"',
      (scheme) => {
        expect(() => guard.canActivate(closedWith(`${scheme}${'a'.repeat(101)}`))).toThrow(
          new InvalidToken('the token is too large'),
        );
      },
    );

    it.each(['DPoP ', 'dpop\t'])(
      'is refused unread with the scheme %s: invalid_token with a DPoP challenge',
      (scheme) => {
        let failure: unknown;
        try {
          void guard.canActivate(closedWith(`${scheme}${'a'.repeat(103)}`));
        } catch (error) {
          failure = error;
        }
        expect(failure).toBeInstanceOf(InvalidTokenDPoPChallenge);
        expect((failure as InvalidTokenDPoPChallenge).description).toBe('the token is too large');
      },
    );

    it('is refused unread with another scheme or none: a bare Bearer challenge', () => {
      for (const authorization of [`Basic ${'a'.repeat(102)}`, 'a'.repeat(108)])
        expect(() => guard.canActivate(closedWith(authorization))).toThrow(BearerTokenMissing);
    });

    it('goes on to passport at exactly the limit', () => {
      const passport = jest
        .spyOn(Object.getPrototypeOf(JwtAuthGuard.prototype) as JwtAuthGuard, 'canActivate')
        .mockReturnValue(true);
      expect(guard.canActivate(closedWith(`Bearer ${'a'.repeat(100)}`))).toBe(true);
      expect(passport).toHaveBeenCalledTimes(1);
      passport.mockRestore();
    });
  });

  it('passes an InvalidToken from the strategy through unchanged', () => {
    const typ = new InvalidToken("the token's typ must be at+jwt");
    expect(failureFor(typ, undefined)).toBe(typ);
    expect(failureFor(null, typ)).toBe(typ);
  });

  describe('a token verified before', () => {
    const claims = Object.freeze({ iss: 'https://id.example.com', aud: 'api1', exp: 1 });
    const verified = { claims, kid: 'k', exp: 1, nbf: undefined };

    function guardWith(revoked: boolean | Promise<boolean>) {
      const cache = { get: jest.fn(() => verified), delete: jest.fn() };
      const revocation = { isRevoked: jest.fn(() => revoked) };
      const cached = new JwtAuthGuard(
        new Reflector(),
        cache as unknown as VerifiedTokenCache,
        revocation,
        limits,
        dpop,
        introspector,
      );
      return { cached, cache, revocation };
    }

    function requestWith(authorization: string) {
      const request: { headers: Record<string, string>; user?: unknown } = {
        headers: { authorization },
      };
      const context = {
        getHandler: () => TestController.prototype.closed,
        getClass: () => TestController,
        switchToHttp: () => ({ getRequest: () => request, getResponse: () => ({}) }),
      } as unknown as ExecutionContext;
      return { request, context };
    }

    it('is admitted at once, without passport, its claims as the user', () => {
      const { cached, cache, revocation } = guardWith(false);
      const { request, context } = requestWith('Bearer a.b.c');
      expect(cached.canActivate(context)).toBe(true);
      expect(request.user).toBe(claims);
      expect(cache.get).toHaveBeenCalledWith('a.b.c');
      expect(revocation.isRevoked).toHaveBeenCalledWith(claims, 'a.b.c');
    });

    it('is looked up whatever the case of the scheme, and only for the Bearer scheme', async () => {
      const { cached, cache } = guardWith(false);
      expect(cached.canActivate(requestWith('BEARER a.b.c').context)).toBe(true);
      expect(cache.get).toHaveBeenLastCalledWith('a.b.c');
      cache.get.mockClear();
      // Passport then takes over (and, with no strategy registered here, fails).
      await Promise.resolve(cached.canActivate(requestWith('Basic a.b.c').context)).catch(
        () => undefined,
      );
      expect(cache.get).not.toHaveBeenCalled();
    });

    it('is refused once revoked, and forgotten', () => {
      const { cached, cache } = guardWith(true);
      expect(() => cached.canActivate(requestWith('Bearer a.b.c').context)).toThrow(
        new InvalidToken('the token was revoked'),
      );
      expect(cache.delete).toHaveBeenCalledWith('a.b.c');
    });

    it('waits for a revocation check that answers asynchronously', async () => {
      const { cached } = guardWith(Promise.resolve(true));
      await expect(cached.canActivate(requestWith('Bearer a.b.c').context)).rejects.toThrow(
        new InvalidToken('the token was revoked'),
      );
    });
  });
});
