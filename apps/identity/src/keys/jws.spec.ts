import { createPublicKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { JwtService } from '@nestjs/jwt';
import type { SigningAlgorithm } from '@app/shared';
import { signJws, verifyJws } from './jws';

const keyPairs: Record<SigningAlgorithm, { privateKey: KeyObject; publicKey: KeyObject }> = {
  RS256: generateKeyPairSync('rsa', { modulusLength: 2048 }),
  PS256: generateKeyPairSync('rsa', { modulusLength: 2048 }),
  ES256: generateKeyPairSync('ec', { namedCurve: 'P-256' }),
  EdDSA: generateKeyPairSync('ed25519'),
};

describe('signJws / verifyJws', () => {
  it.each(Object.keys(keyPairs) as SigningAlgorithm[])('round-trips %s', (alg) => {
    const { privateKey, publicKey } = keyPairs[alg];
    const token = signJws({ alg, typ: 'at+jwt', kid: 'k1' }, { sub: 'client' }, privateKey);
    expect(verifyJws(token, (header) => (header.kid === 'k1' ? publicKey : undefined))).toEqual({
      header: { alg, typ: 'at+jwt', kid: 'k1' },
      payload: { sub: 'client' },
    });
  });

  it.each(['RS256', 'PS256', 'ES256'] as const)(
    'produces %s signatures that jsonwebtoken (the resource server side) accepts',
    (alg) => {
      const { privateKey, publicKey } = keyPairs[alg];
      const token = signJws({ alg, typ: 'at+jwt' }, { sub: 'client' }, privateKey);
      const jwt = new JwtService();
      const pem = publicKey.export({ format: 'pem', type: 'spki' }).toString();
      expect(jwt.verify(token, { publicKey: pem, algorithms: [alg] })).toEqual({ sub: 'client' });
    },
  );

  it('refuses a token whose payload was changed', () => {
    const { privateKey, publicKey } = keyPairs.ES256;
    const [h, , s] = signJws({ alg: 'ES256' }, { sub: 'a' }, privateKey).split('.');
    const forged = `${h}.${Buffer.from('{"sub":"admin"}').toString('base64url')}.${s}`;
    expect(verifyJws(forged, () => publicKey)).toBeUndefined();
  });

  it('refuses a signature by another key', () => {
    const token = signJws({ alg: 'RS256' }, {}, keyPairs.PS256.privateKey);
    expect(verifyJws(token, () => keyPairs.RS256.publicKey)).toBeUndefined();
  });

  it.each([
    ['alg none', `${b64({ alg: 'none' })}.${b64({})}.`],
    ['alg HS256', `${b64({ alg: 'HS256' })}.${b64({})}.AAAA`],
    ['two parts', `${b64({ alg: 'RS256' })}.${b64({})}`],
    ['a header that is not JSON', `not-json.${b64({})}.AAAA`],
    ['a payload that is an array', `${b64({ alg: 'RS256' })}.${b64([1])}.AAAA`],
  ])('refuses %s', (_case, token) => {
    expect(verifyJws(token, () => keyPairs.RS256.publicKey)).toBeUndefined();
  });

  it('refuses when no key matches the header', () => {
    const token = signJws({ alg: 'EdDSA', kid: 'other' }, {}, keyPairs.EdDSA.privateKey);
    expect(verifyJws(token, () => undefined)).toBeUndefined();
  });

  it('verifies against a public key exported and re-imported as JWK', () => {
    const { privateKey, publicKey } = keyPairs.EdDSA;
    const jwk = publicKey.export({ format: 'jwk' });
    const token = signJws({ alg: 'EdDSA' }, { a: 1 }, privateKey);
    expect(verifyJws(token, () => createPublicKey({ key: jwk, format: 'jwk' }))).toBeDefined();
  });
});

function b64(value: unknown): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}
