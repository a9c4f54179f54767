import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import { JwtService } from '@nestjs/jwt';
import { readCompactJws, verifiesJwsSignature, type SigningAlgorithm } from '@nest-identity/shared';
import { signJws } from './jws';

const keyPairs: Record<SigningAlgorithm, { privateKey: KeyObject; publicKey: KeyObject }> = {
  RS256: generateKeyPairSync('rsa', { modulusLength: 2048 }),
  PS256: generateKeyPairSync('rsa', { modulusLength: 2048 }),
  ES256: generateKeyPairSync('ec', { namedCurve: 'P-256' }),
  EdDSA: generateKeyPairSync('ed25519'),
};

/** What the identity's readers do: the JOSE core's reader and signature check. */
function verified(token: string, key: KeyObject) {
  const jws = readCompactJws(token, 8192);
  const alg = jws.header.alg as string;
  return verifiesJwsSignature(alg, key, jws.signingInput, jws.signature)
    ? { header: jws.header, payload: jws.payload }
    : undefined;
}

describe('signJws', () => {
  it.each(Object.keys(keyPairs) as SigningAlgorithm[])(
    'signs %s as the JOSE core verifies it',
    (alg) => {
      const { privateKey, publicKey } = keyPairs[alg];
      const token = signJws({ alg, typ: 'at+jwt', kid: 'k1' }, { sub: 'client' }, privateKey);
      expect(verified(token, publicKey)).toEqual({
        header: { alg, typ: 'at+jwt', kid: 'k1' },
        payload: { sub: 'client' },
      });
    },
  );

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

  it('signs the payload: a changed payload no longer verifies', () => {
    const { privateKey, publicKey } = keyPairs.ES256;
    const [h, , s] = signJws({ alg: 'ES256' }, { sub: 'a' }, privateKey).split('.');
    const forged = `${h}.${Buffer.from('{"sub":"admin"}').toString('base64url')}.${s}`;
    expect(verified(forged, publicKey)).toBeUndefined();
  });

  it('signs with the key given: another public key does not verify it', () => {
    const token = signJws({ alg: 'RS256' }, {}, keyPairs.PS256.privateKey);
    expect(verified(token, keyPairs.RS256.publicKey)).toBeUndefined();
  });
});
