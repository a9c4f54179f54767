import {
  BearerTokenMissing,
  InvalidToken,
  challengeRecordOf,
  type OAuthError,
} from '@nest-identity/shared';
import type { AccessTokenClaims } from './access-token-claims';
import { AccessTokenPipeline, type TokenRequest } from './access-token-pipeline';
import type { AccessTokenVerifier } from './access-token-verifier';
import type { AuthorityMetadata } from './authority-metadata';
import { DPoPProofVerifier } from './dpop/dpop-proof-verifier';
import { DPoPReplayCache } from './dpop/dpop-replay-cache';
import { TokenIntrospector } from './introspection/token-introspector';
import type { JwtBearerMetrics, TokenValidationOutcome } from './jwt-bearer-metrics';
import { resolveJwtBearerOptions, type JwtBearerOptions } from './jwt-bearer.options';
import { NoTokenRevocation, type TokenRevocation } from './token-revocation';
import type { VerifiedToken, VerifiedTokenCache } from './verified-token-cache';

describe('AccessTokenPipeline', () => {
  const claims: AccessTokenClaims = Object.freeze({
    iss: 'https://id.example.com',
    aud: 'api1',
    exp: 1,
  });
  const verdict = { claims, kid: 'k', exp: 1, nbf: undefined } as unknown as VerifiedToken;

  function pipelineWith(
    changes: {
      cached?: VerifiedToken;
      verify?: () => Promise<VerifiedToken>;
      revoked?: boolean | Promise<boolean>;
      options?: Partial<JwtBearerOptions>;
    } = {},
  ) {
    const options = resolveJwtBearerOptions({
      authority: 'https://id.example.com',
      audience: 'api1',
      maxTokenLength: 100,
      ...changes.options,
    });
    const cache = {
      get: jest.fn(() => changes.cached),
      set: jest.fn(),
      delete: jest.fn(),
    };
    const verifier = {
      verify: jest.fn(changes.verify ?? (() => Promise.resolve(verdict))),
    };
    const revocation: TokenRevocation =
      changes.revoked === undefined
        ? new NoTokenRevocation()
        : { isRevoked: jest.fn(() => changes.revoked as boolean | Promise<boolean>) };
    const outcomes: TokenValidationOutcome[] = [];
    const metrics = {
      tokenValidated: (outcome: TokenValidationOutcome) => outcomes.push(outcome),
      jwksFetched: () => undefined,
    } as unknown as JwtBearerMetrics;
    const pipeline = new AccessTokenPipeline(
      options,
      cache as unknown as VerifiedTokenCache,
      verifier as unknown as AccessTokenVerifier,
      new TokenIntrospector(options, {} as AuthorityMetadata),
      new DPoPProofVerifier(options, new DPoPReplayCache(options)),
      revocation,
      metrics,
    );
    return { pipeline, cache, verifier, revocation, outcomes };
  }

  const requestWith = (authorization?: string): TokenRequest => ({
    headers: authorization === undefined ? {} : { authorization },
  });

  async function failureOf(run: () => unknown): Promise<OAuthError> {
    try {
      await run();
    } catch (error) {
      return error as OAuthError;
    }
    throw new Error('the request was admitted');
  }

  describe('a request without a token', () => {
    it.each([
      ['no Authorization header', undefined],
      ['another scheme', 'Basic Y2xpZW50OnNlY3JldA=='],
      ['a scheme without a token', 'Bearer'],
      ['the DPoP scheme with DPoP off', 'DPoP a.b.c'],
    ])('%s: a bare Bearer challenge, not counted', async (_case, authorization) => {
      const { pipeline, outcomes } = pipelineWith({ options: { dpop: { enabled: false } } });
      const request = requestWith(authorization);
      const failure = await failureOf(() => pipeline.authenticate(request));
      expect(failure).toBeInstanceOf(BearerTokenMissing);
      expect(challengeRecordOf(request)).toBeUndefined();
      expect(outcomes).toEqual([]);
    });

    it('offers DPoP too when dpop.challengeWithoutToken says so', async () => {
      const { pipeline } = pipelineWith({
        options: { dpop: { challengeWithoutToken: true, algorithms: ['ES256', 'EdDSA'] } },
      });
      const request = requestWith();
      expect(await failureOf(() => pipeline.authenticate(request))).toBeInstanceOf(
        BearerTokenMissing,
      );
      expect(challengeRecordOf(request)).toEqual({ algs: 'ES256 EdDSA' });
    });
  });

  describe('an Authorization header longer than any token accepted (maxTokenLength 100)', () => {
    it.each(['Bearer ', 'bearer ', 'BEARER ', 'Bearer\t', 'bearer  '])(
      'is refused unread with the scheme %s: invalid_token "the token is too large"',
      (scheme) => {
        const { pipeline, cache, outcomes } = pipelineWith();
        expect(() => pipeline.authenticate(requestWith(`${scheme}${'a'.repeat(101)}`))).toThrow(
          new InvalidToken('the token is too large'),
        );
        expect(cache.get).not.toHaveBeenCalledWith(expect.stringMatching(/^a+$/));
        expect(outcomes).toEqual(['invalid']);
      },
    );

    it.each(['DPoP ', 'dpop\t'])(
      'is refused unread with the scheme %s: invalid_token with a DPoP challenge',
      async (scheme) => {
        const { pipeline } = pipelineWith({ options: { dpop: { algorithms: ['ES256'] } } });
        const request = requestWith(`${scheme}${'a'.repeat(103)}`);
        const failure = await failureOf(() => pipeline.authenticate(request));
        expect(failure).toEqual(new InvalidToken('the token is too large'));
        expect(challengeRecordOf(request)).toEqual({ scheme: 'DPoP', algs: 'ES256' });
      },
    );

    it('is refused unread with another scheme or none: a bare Bearer challenge', () => {
      const { pipeline, outcomes } = pipelineWith();
      for (const authorization of [`Basic ${'a'.repeat(102)}`, 'a'.repeat(108)])
        expect(() => pipeline.authenticate(requestWith(authorization))).toThrow(BearerTokenMissing);
      expect(outcomes).toEqual([]);
    });

    it('is verified at exactly the limit', async () => {
      const { pipeline, verifier } = pipelineWith();
      await expect(pipeline.authenticate(requestWith(`Bearer ${'a'.repeat(100)}`))).resolves.toBe(
        claims,
      );
      expect(verifier.verify).toHaveBeenCalledWith('a'.repeat(100));
    });
  });

  describe('a token not verified before', () => {
    it('is verified, remembered and counted valid once', async () => {
      const { pipeline, cache, outcomes } = pipelineWith();
      await expect(pipeline.authenticate(requestWith('Bearer a.b.c'))).resolves.toBe(claims);
      expect(cache.set).toHaveBeenCalledWith('a.b.c', verdict);
      expect(outcomes).toEqual(['valid']);
    });

    it('is refused with what the verifier says, counted invalid once', async () => {
      const refusal = new InvalidToken('signature verification failed');
      const { pipeline, cache, outcomes } = pipelineWith({ verify: () => Promise.reject(refusal) });
      expect(await failureOf(() => pipeline.authenticate(requestWith('Bearer a.b.c')))).toBe(
        refusal,
      );
      expect(cache.set).not.toHaveBeenCalled();
      expect(outcomes).toEqual(['invalid']);
    });

    it('hides any other failure behind "the token is not valid", keeping it as the cause', async () => {
      const internal = new Error('ENOENT /etc/secret at Object.<anonymous>');
      const { pipeline } = pipelineWith({ verify: () => Promise.reject(internal) });
      const failure = await failureOf(() => pipeline.authenticate(requestWith('Bearer a.b.c')));
      expect(failure.body()).toEqual({
        error: 'invalid_token',
        error_description: 'the token is not valid',
      });
      expect(failure.cause).toBe(internal);
    });

    it('with the DPoP scheme, is refused with a DPoP challenge', async () => {
      const { pipeline } = pipelineWith({ options: { dpop: { algorithms: ['ES256'] } } });
      const request = requestWith('DPoP a.b.c');
      const failure = await failureOf(() => pipeline.authenticate(request));
      expect(failure).toEqual(new InvalidToken('the token is not DPoP-bound'));
      expect(challengeRecordOf(request)).toEqual({ scheme: 'DPoP', algs: 'ES256' });
    });

    it('DPoP-bound, is refused with the Bearer scheme', async () => {
      const bound = { ...verdict, jkt: 'thumbprint' } as VerifiedToken;
      const { pipeline } = pipelineWith({ verify: () => Promise.resolve(bound) });
      const failure = await failureOf(() => pipeline.authenticate(requestWith('Bearer a.b.c')));
      expect(failure).toEqual(
        new InvalidToken('the token is DPoP-bound: send it with the DPoP scheme and a proof'),
      );
    });
  });

  describe('a token verified before', () => {
    it('is admitted at once, synchronously, counted cached', () => {
      const { pipeline, cache, verifier, revocation, outcomes } = pipelineWith({
        cached: verdict,
        revoked: false,
      });
      const request = requestWith('Bearer a.b.c');
      expect(pipeline.authenticate(request)).toBe(claims);
      // The Bearer scheme is the default challenge: nothing to record.
      expect(challengeRecordOf(request)).toBeUndefined();
      expect(cache.get).toHaveBeenCalledWith('a.b.c');
      expect(verifier.verify).not.toHaveBeenCalled();
      expect(revocation.isRevoked).toHaveBeenCalledWith(claims, 'a.b.c');
      expect(outcomes).toEqual(['cached']);
    });

    it('is looked up whatever the case of the scheme', () => {
      const { pipeline, cache } = pipelineWith({ cached: verdict });
      expect(pipeline.authenticate(requestWith('BEARER a.b.c'))).toBe(claims);
      expect(cache.get).toHaveBeenLastCalledWith('a.b.c');
    });

    it('DPoP-bound, is refused with the Bearer scheme', () => {
      const { pipeline, outcomes } = pipelineWith({
        cached: { ...verdict, jkt: 'thumbprint' },
      });
      expect(() => pipeline.authenticate(requestWith('Bearer a.b.c'))).toThrow(
        new InvalidToken('the token is DPoP-bound: send it with the DPoP scheme and a proof'),
      );
      expect(outcomes).toEqual(['invalid']);
    });

    it('is refused once revoked, forgotten, and counted invalid once', () => {
      const { pipeline, cache, outcomes } = pipelineWith({ cached: verdict, revoked: true });
      expect(() => pipeline.authenticate(requestWith('Bearer a.b.c'))).toThrow(
        new InvalidToken('the token was revoked'),
      );
      expect(cache.delete).toHaveBeenCalledWith('a.b.c');
      expect(outcomes).toEqual(['invalid']);
    });

    it('waits for a revocation check that answers asynchronously', async () => {
      const { pipeline, outcomes } = pipelineWith({
        cached: verdict,
        revoked: Promise.resolve(true),
      });
      await expect(pipeline.authenticate(requestWith('Bearer a.b.c'))).rejects.toThrow(
        new InvalidToken('the token was revoked'),
      );
      expect(outcomes).toEqual(['invalid']);
    });
  });
});
