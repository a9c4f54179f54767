import { createPrivateKey, generateKeyPairSync, type JsonWebKey } from 'node:crypto';
import type { SigningAlgorithm } from '@nest-identity/shared';
import { signJws } from './jws';
import { jwkThumbprint, readCompactJws, verifiesJwsSignature } from '@nest-identity/shared';
import { generatePrivateKey, keyMismatch, toSigningKey } from './signing-key';

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

describe('generatePrivateKey', () => {
  it.each([
    ['RS256', { kty: 'RSA' }],
    ['PS256', { kty: 'RSA' }],
    ['ES256', { kty: 'EC', crv: 'P-256' }],
    ['EdDSA', { kty: 'OKP', crv: 'Ed25519' }],
  ] as [SigningAlgorithm, object][])(
    'makes a %s key that signs, with its alg in the JWK',
    async (alg, members) => {
      const key = toSigningKey(await generatePrivateKey(alg), alg);
      expect(keyMismatch(key.privateKey, alg)).toBeUndefined();
      expect(key.publicJwk).toMatchObject({ ...members, alg, use: 'sig' });
      expect(key.publicJwk).not.toHaveProperty('d');
      const token = signJws({ alg, kid: key.kid }, { sub: 'c' }, key.privateKey);
      const jws = readCompactJws(token, 8192);
      expect(verifiesJwsSignature(alg, key.publicKey, jws.signingInput, jws.signature)).toBe(true);
      expect(jws.payload).toEqual({ sub: 'c' });
    },
  );
});

describe('keyMismatch', () => {
  it('refuses a key of the wrong type or size for the alg', () => {
    const rsa1024 = generateKeyPairSync('rsa', { modulusLength: 1024 }).privateKey;
    const p384 = generateKeyPairSync('ec', { namedCurve: 'P-384' }).privateKey;
    const ed = generateKeyPairSync('ed25519').privateKey;
    expect(keyMismatch(rsa1024, 'RS256')).toBe('RS256 needs at least 2048 bits');
    expect(keyMismatch(ed, 'PS256')).toBe('PS256 needs an RSA key');
    expect(keyMismatch(p384, 'ES256')).toBe('ES256 needs a P-256 key');
    expect(keyMismatch(p384, 'EdDSA')).toBe('EdDSA needs an Ed25519 key');
  });
});
