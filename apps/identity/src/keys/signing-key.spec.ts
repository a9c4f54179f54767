import { createPrivateKey, generateKeyPairSync, type JsonWebKey } from 'node:crypto';
import { jwkThumbprint, toSigningKey } from './signing-key';

describe('jwkThumbprint', () => {
  it('computes the RFC 7638 §3.1 example thumbprint', () => {
    const jwk: JsonWebKey = {
      kty: 'RSA',
      n: '0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_BJECPebWKRXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw',
      e: 'AQAB',
      alg: 'RS256',
      kid: '2011-04-29',
    };
    expect(jwkThumbprint(jwk)).toBe('NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs');
  });

  it('ignores members outside the key (kid, alg, use)', () => {
    const { publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const jwk = publicKey.export({ format: 'jwk' });
    expect(jwkThumbprint({ ...jwk, kid: 'x', use: 'sig', alg: 'ES256' })).toBe(jwkThumbprint(jwk));
  });

  it('refuses a key type it has no rule for', () => {
    expect(() => jwkThumbprint({ kty: 'oct', k: 'AAAA' })).toThrow(TypeError);
  });
});

describe('toSigningKey', () => {
  it('publishes only the public members, with kid = thumbprint, use and alg', () => {
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const key = toSigningKey(
      createPrivateKey(privateKey.export({ format: 'pem', type: 'pkcs8' })),
      'RS256',
    );
    expect(Object.keys(key.publicJwk).sort()).toEqual(['alg', 'e', 'kid', 'kty', 'n', 'use']);
    expect(key.publicJwk).toMatchObject({ kty: 'RSA', use: 'sig', alg: 'RS256', kid: key.kid });
    expect(key.kid).toBe(jwkThumbprint(key.publicJwk));
  });
});
