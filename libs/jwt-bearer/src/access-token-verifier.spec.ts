import { Logger } from '@nestjs/common';
import { InvalidToken } from '@nest-identity/shared';
import {
  FakeAuthority,
  TestSigningKey,
  type TestAlgorithm,
} from '@nest-identity/jwt-bearer/testing';
import { AccessTokenVerifier } from './access-token-verifier';
import { AuthorityMetadata } from './authority-metadata';
import { resolveJwtBearerOptions, type JwtBearerOptions } from './jwt-bearer.options';
import { SigningKeyResolver } from './signing-key-resolver';

describe('AccessTokenVerifier', () => {
  let authority: FakeAuthority;
  let verifier: AccessTokenVerifier;

  beforeAll(() => {
    Logger.overrideLogger(false);
  });
  beforeEach(async () => {
    authority = await FakeAuthority.start();
    verifier = verifierFor();
  });
  afterEach(() => authority.close());

  function verifierFor(options: Partial<JwtBearerOptions> = {}): AccessTokenVerifier {
    const resolved = resolveJwtBearerOptions({
      authority: authority.issuer,
      audience: 'api1',
      requireHttpsMetadata: false,
      ...options,
    });
    const metadata = new AuthorityMetadata(resolved);
    return new AccessTokenVerifier(resolved, new SigningKeyResolver(resolved, metadata), metadata);
  }

  const refusedWith = (description: string) => new InvalidToken(description);

  it('verifies a token: its frozen claims, the key that verified it, its times', async () => {
    const token = authority.signAccessToken();
    const verdict = await verifier.verify(token);
    expect(verdict.claims).toMatchObject({ aud: 'api1', scope: 'api1' });
    expect(Object.isFrozen(verdict.claims)).toBe(true);
    expect(verdict.kid).toBe(authority.signingKey.kid);
    expect(verdict.key.export({ format: 'jwk' })).toEqual(
      authority.signingKey.publicKey.export({ format: 'jwk' }),
    );
    expect(verdict.exp).toBe(verdict.claims.exp);
    expect(verdict.nbf).toBe(verdict.claims.nbf);
    expect(verdict.jkt).toBeUndefined();
  });

  it.each<TestAlgorithm>(['PS256', 'ES256', 'EdDSA'])(
    'verifies %s on node:crypto, as RS256',
    async (alg) => {
      const key = new TestSigningKey(undefined, alg);
      authority.publishedKeys.push(key);
      await expect(verifier.verify(authority.signAccessToken({ key }))).resolves.toMatchObject({
        kid: key.kid,
      });
    },
  );

  it("names a DPoP-bound token's key (cnf.jkt)", async () => {
    const token = authority.signAccessToken({ claims: { cnf: { jkt: 'thumbprint' } } });
    await expect(verifier.verify(token)).resolves.toMatchObject({ jkt: 'thumbprint' });
  });

  it('refuses a signature by another key under the published kid', async () => {
    const key = new TestSigningKey(authority.signingKey.kid);
    await expect(verifier.verify(authority.signAccessToken({ key }))).rejects.toThrow(
      refusedWith('signature verification failed'),
    );
  });

  it('refuses a payload changed after signing', async () => {
    const [header, , signature] = authority.signAccessToken().split('.');
    const payload = authority.signAccessToken({ claims: { scope: 'admin' } }).split('.')[1];
    await expect(verifier.verify(`${header}.${payload}.${signature}`)).rejects.toThrow(
      refusedWith('signature verification failed'),
    );
  });

  it.each([
    ['expired beyond the skew', { exp: -61 }, 'the token expired'],
    ['not valid yet beyond the skew', { nbf: 61 }, 'the token is not valid yet'],
  ])('refuses a token %s', async (_case, offsets, description) => {
    const now = Math.floor(Date.now() / 1000);
    const claims = Object.fromEntries(
      Object.entries(offsets).map(([claim, offset]) => [claim, now + offset]),
    );
    await expect(verifier.verify(authority.signAccessToken({ claims }))).rejects.toThrow(
      refusedWith(description),
    );
  });

  it('applies the checks in their declared order: the audience before the typ', async () => {
    const token = authority.signAccessToken({ claims: { aud: 'api2' }, header: { typ: 'JWT' } });
    await expect(verifier.verify(token)).rejects.toThrow(
      refusedWith('the token is not valid for this audience'),
    );
  });

  it('refuses an issuer other than the discovered one', async () => {
    const token = authority.signAccessToken({ claims: { iss: 'https://evil.example' } });
    await expect(verifier.verify(token)).rejects.toThrow(
      refusedWith("the token's issuer is not trusted"),
    );
  });

  it('applies the configured rules: requiredClaims, maxTokenLifetimeSeconds', async () => {
    const noSub = authority.signAccessToken({ claims: { sub: undefined } });
    await expect(verifier.verify(noSub)).rejects.toThrow(refusedWith('the token has no sub'));
    await expect(
      verifierFor({ requiredClaims: ['iat', 'jti', 'client_id'] }).verify(noSub),
    ).resolves.toBeDefined();
    await expect(
      verifierFor({ maxTokenLifetimeSeconds: 299 }).verify(authority.signAccessToken()),
    ).rejects.toThrow(refusedWith("the token's lifetime is longer than this API accepts"));
  });

  describe('a malformed token is refused before any key is looked up', () => {
    const part = (json: string) => Buffer.from(json).toString('base64url');
    const header = '{"alg":"RS256","typ":"at+jwt","kid":"k"}';
    const payload = '{"iss":"https://id.example.com","aud":"api1","exp":2000000000}';
    const token = (h = header, p = payload) => `${part(h)}.${part(p)}.c2lnbmF0dXJl`;

    async function expectRefused(malformed: string, description: string): Promise<void> {
      await expect(verifier.verify(malformed)).rejects.toThrow(refusedWith(description));
      expect(authority.requests.jwks).toBe(0);
    }

    it.each([
      ['two parts', `${part(header)}.${part(payload)}`],
      ['four parts', `${token()}.more`],
      ['an empty signature (alg none)', `${part(header)}.${part(payload)}.`],
      ['a header that is not JSON', token('{"alg":')],
      ['a payload that is not JSON', token(header, 'not json')],
      ['a header that is an array', token('["RS256"]')],
      ['a payload that is a string', token(header, '"claims"')],
      ['a payload that is null', token(header, 'null')],
    ])('%s: "the token is malformed"', (_case, malformed) =>
      expectRefused(malformed, 'the token is malformed'),
    );

    it('longer than maxTokenLength: "the token is too large"', async () => {
      const small = verifierFor({ maxTokenLength: 100 });
      await expect(small.verify(token(header, `{"pad":"${'a'.repeat(100)}"}`))).rejects.toThrow(
        refusedWith('the token is too large'),
      );
    });

    it.each([
      ['crit naming an unknown extension', '{"alg":"RS256","crit":["urn:x"],"urn:x":1}'],
      ['crit naming a present member', '{"alg":"RS256","crit":["b64"],"b64":true}'],
      ['crit empty', '{"alg":"RS256","crit":[]}'],
      ['crit null', '{"alg":"RS256","crit":null}'],
    ])('%s (RFC 7515 §4.1.11: this API understands no extension)', (_case, critical) =>
      expectRefused(
        token(critical),
        'the token requires JWS extensions (crit) this API does not support',
      ),
    );

    it.each([
      ['header', token('{"alg":"none","typ":"at+jwt","kid":"k","alg":"RS256"}')],
      ['header, escaped', token('{"alg":"RS256","typ":"JWT","\\u0074yp":"at+jwt"}')],
      ['claims', token(header, '{"aud":"api2","aud":"api1","exp":2000000000}')],
    ])('a member repeated in the %s (RFC 7515 §4, RFC 7519 §4)', (_case, repeated) =>
      expectRefused(repeated, 'the token repeats a JSON member name'),
    );

    it('never echoes the token in its description', async () => {
      const marker = '<script>alert(1)</script>';
      for (const bad of [
        token(`{"alg":"RS256","crit":["${marker}"]}`),
        token(`{"alg":"RS256","${marker}":1,"${marker}":2}`),
        `${marker}.${marker}`,
      ]) {
        const failure = await verifier.verify(bad).catch((error: InvalidToken) => error);
        expect((failure as InvalidToken).description).not.toContain('script');
      }
    });
  });
});
