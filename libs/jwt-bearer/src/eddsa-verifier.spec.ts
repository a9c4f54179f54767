import { generateKeyPairSync, sign } from 'node:crypto';
import { JsonWebTokenError, NotBeforeError, TokenExpiredError } from '@nestjs/jwt';
import { Strategy } from 'passport-jwt';
import { EDDSA_ON_NODE_CRYPTO, useNodeCryptoForEdDsa, verifyEdDsa } from './eddsa-verifier';

describe('EdDSA on node:crypto for passport-jwt', () => {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  const now = () => Math.floor(Date.now() / 1000);
  const options = {
    algorithms: ['RS256', 'EdDSA'],
    audience: 'api1',
    clockTolerance: 60,
    complete: true,
  };
  const encode = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');

  function token(claims: Record<string, unknown> = {}, header: Record<string, unknown> = {}) {
    const input = `${encode({ alg: 'EdDSA', typ: 'at+jwt', kid: 'k', ...header })}.${encode({
      aud: 'api1',
      nbf: now(),
      exp: now() + 300,
      ...claims,
    })}`;
    return `${input}.${sign(null, Buffer.from(input), privateKey).toString('base64url')}`;
  }

  function failure(result: ReturnType<typeof verifyEdDsa>): Error | null {
    return result[0];
  }

  it('verifies a token and hands over header and payload, as jsonwebtoken with complete: true', () => {
    const [error, verified] = verifyEdDsa(token({ jti: 'j' }), publicKey, options);
    expect(error).toBeNull();
    expect(verified).toMatchObject({
      header: { alg: 'EdDSA', typ: 'at+jwt', kid: 'k' },
      payload: { aud: 'api1', jti: 'j' },
      signature: expect.any(String),
    });
  });

  it('refuses a signature by another key', () => {
    const other = generateKeyPairSync('ed25519').publicKey;
    expect(failure(verifyEdDsa(token(), other, options))).toEqual(
      new JsonWebTokenError('invalid signature'),
    );
  });

  it('refuses a payload changed after signing', () => {
    const [header, , signature] = token().split('.');
    const forged = `${header}.${encode({ aud: 'api1', exp: now() + 9999 })}.${signature}`;
    expect(failure(verifyEdDsa(forged, publicKey, options))).toEqual(
      new JsonWebTokenError('invalid signature'),
    );
  });

  it.each([
    [
      'a header alg other than EdDSA',
      () => verifyEdDsa(token({}, { alg: 'ES256' }), publicKey, options),
    ],
    [
      'EdDSA outside the allowed algorithms',
      () => verifyEdDsa(token(), publicKey, { ...options, algorithms: ['RS256'] }),
    ],
  ])('refuses %s', (_case, verify) => {
    expect(failure(verify())).toEqual(new JsonWebTokenError('invalid algorithm'));
  });

  it.each(['a.b', 'not-a-jwt', '!!.??.**'])('refuses the malformed %s', (malformed) => {
    expect(failure(verifyEdDsa(malformed, publicKey, options))).toBeInstanceOf(JsonWebTokenError);
  });

  it('refuses an expired token beyond the tolerance, as jsonwebtoken does', () => {
    expect(failure(verifyEdDsa(token({ exp: now() - 60 }), publicKey, options))).toBeInstanceOf(
      TokenExpiredError,
    );
    expect(failure(verifyEdDsa(token({ exp: now() - 59 }), publicKey, options))).toBeNull();
  });

  it('refuses a token not valid yet beyond the tolerance', () => {
    expect(failure(verifyEdDsa(token({ nbf: now() + 61 }), publicKey, options))).toBeInstanceOf(
      NotBeforeError,
    );
    expect(failure(verifyEdDsa(token({ nbf: now() + 60 }), publicKey, options))).toBeNull();
  });

  it.each([
    ['another audience', { aud: 'api2' }, 'jwt audience invalid. expected: api1'],
    ['no audience', { aud: undefined }, 'jwt audience invalid. expected: api1'],
    ['exp not a number', { exp: 'soon' }, 'invalid exp value'],
    ['nbf not a number', { nbf: 'now' }, 'invalid nbf value'],
  ])('refuses %s', (_case, claims, message) => {
    expect(failure(verifyEdDsa(token(claims), publicKey, options))).toEqual(
      new JsonWebTokenError(message),
    );
  });

  it('accepts an audience array holding the audience', () => {
    expect(failure(verifyEdDsa(token({ aud: ['x', 'api1'] }), publicKey, options))).toBeNull();
  });

  it('refuses jsonwebtoken options it does not implement rather than ignore them', () => {
    expect(failure(verifyEdDsa(token(), publicKey, { ...options, issuer: 'x' }))).toEqual(
      new JsonWebTokenError('issuer is not supported with EdDSA'),
    );
  });

  describe("as passport-jwt's verifier", () => {
    useNodeCryptoForEdDsa();
    const verifier = (Strategy as unknown as { JwtVerifier: (...args: unknown[]) => void })
      .JwtVerifier;
    const run = (key: unknown, verifyOptions: object) =>
      new Promise<[unknown, unknown]>((resolve) =>
        verifier(token(), key, verifyOptions, (error: unknown, verified: unknown) =>
          resolve([error, verified]),
        ),
      );

    it('is installed once', () => {
      useNodeCryptoForEdDsa();
      expect((Strategy as unknown as { JwtVerifier: unknown }).JwtVerifier).toBe(verifier);
    });

    it('verifies EdDSA for a strategy that opted in', async () => {
      const [error, verified] = await run(publicKey, { ...options, [EDDSA_ON_NODE_CRYPTO]: true });
      expect(error).toBeNull();
      expect(verified).toMatchObject({ payload: { aud: 'api1' } });
    });

    it("leaves any other strategy's tokens to jsonwebtoken", async () => {
      const [error] = await run(publicKey, options);
      // jsonwebtoken's own refusal: it knows no Ed25519 key.
      expect(error).toEqual(new Error('Unknown key type "ed25519".'));
    });
  });
});
