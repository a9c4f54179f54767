import { generateKeyPairSync, randomUUID } from 'node:crypto';
import { AccessTokenJwtType } from '@nest-identity/shared';
import type { IdentitySettings } from '../config/identity-settings';
import { signJws } from '../keys/jws';
import { toSigningKey, type SigningKey } from '../keys/signing-key';
import type { SigningKeyStore } from '../keys/signing-key-store';
import { newReferenceHandle } from '../reference-tokens/reference-handle';
import type {
  ReferenceTokenStore,
  StoredReferenceToken,
} from '../reference-tokens/reference-token.store';
import type { RevokedTokenStore } from '../reference-tokens/revoked-token.store';
import { StoreUnavailable } from '../persistence/store-unavailable';
import { TokenInspector } from './token-inspector';

const ISSUER = 'https://id.example.com';
const rsa = () => generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;
const key = toSigningKey(rsa(), 'RS256');
const retired = toSigningKey(rsa(), 'RS256');
const unpublished = toSigningKey(rsa(), 'RS256');
const ec = toSigningKey(generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey, 'ES256');

describe('TokenInspector', () => {
  const now = Math.floor(Date.now() / 1000);
  let stored: Map<string, StoredReferenceToken>;
  let denied: Set<string>;
  let inspector: TokenInspector;

  beforeEach(() => {
    stored = new Map();
    denied = new Set();
    const referenceTokens = {
      find: (handle: string) => Promise.resolve(stored.get(handle)),
    } as unknown as ReferenceTokenStore;
    const revokedTokens = {
      isRevoked: (jti: string) => Promise.resolve(denied.has(jti)),
    } as unknown as RevokedTokenStore;
    const keys = {
      getPublishedKeys: () => Promise.resolve([key, retired, ec]),
    } as unknown as SigningKeyStore;
    inspector = new TokenInspector(referenceTokens, revokedTokens, keys, {
      issuer: ISSUER,
    } as IdentitySettings);
  });

  function claims(changes: Record<string, unknown> = {}): Record<string, unknown> {
    return {
      iss: ISSUER,
      sub: 'svc',
      client_id: 'svc',
      aud: 'api1',
      scope: 'api1',
      iat: now,
      nbf: now,
      exp: now + 300,
      jti: randomUUID(),
      ...changes,
    };
  }

  function jwt(
    payload = claims(),
    { signer = key, header = {} }: { signer?: SigningKey; header?: Record<string, unknown> } = {},
  ): string {
    return signJws(
      { alg: signer.alg, typ: AccessTokenJwtType, kid: signer.kid, ...header },
      payload,
      signer.privateKey,
    );
  }

  it('answers our JWT with its claims, whichever published key signed it', async () => {
    const payload = claims();
    for (const signer of [key, retired, ec]) {
      expect(await inspector.inspect(jwt(payload, { signer }))).toEqual({
        kind: 'jwt',
        claims: payload,
        clientId: 'svc',
        jti: payload.jti,
        expiresAt: new Date((now + 300) * 1000),
      });
    }
  });

  it.each([
    [
      'signed by a key we do not publish',
      () => jwt(claims(), { signer: unpublished, header: { kid: key.kid } }),
      'signature verification failed',
    ],
    [
      'an alg other than its key’s',
      () => jwt(claims(), { header: { alg: 'PS256' } }),
      'the token is malformed or its key is unknown',
    ],
    [
      'an unknown kid',
      () => jwt(claims(), { header: { kid: 'not-ours' } }),
      'the token is malformed or its key is unknown',
    ],
    [
      'typ other than at+jwt',
      () => jwt(claims(), { header: { typ: 'JWT' } }),
      "the token's typ must be at+jwt",
    ],
    [
      'another issuer',
      () => jwt(claims({ iss: 'https://evil.example.com' })),
      "the token's issuer is not trusted",
    ],
    // RFC 7662 §2.2: active means not expired, by the identity's own clock, without skew.
    ['expired a second ago', () => jwt(claims({ exp: now - 1 })), 'the token expired'],
    ['at its exp', () => jwt(claims({ exp: now })), 'the token expired'],
    ['not yet valid', () => jwt(claims({ nbf: now + 60 })), 'the token is not valid yet'],
    ['no jti', () => jwt(claims({ jti: undefined })), 'the token has no jti'],
    ['no client_id', () => jwt(claims({ client_id: undefined })), 'the token has no client_id'],
    [
      'tampered with',
      () =>
        jwt().replace(
          /\.[^.]+\./,
          `.${Buffer.from(JSON.stringify(claims({ scope: 'admin' }))).toString('base64url')}.`,
        ),
      'signature verification failed',
    ],
    ['not a JWT at all', () => 'not-a-token', 'the token is malformed or its key is unknown'],
    ['three parts of junk', () => 'a.b.c', 'the token is malformed or its key is unknown'],
    [
      'with a repeated claim',
      () => {
        const [h, , s] = jwt().split('.');
        const repeated = Buffer.from('{"iss":"x","iss":"y"}').toString('base64url');
        return `${h}.${repeated}.${s}`;
      },
      'the token is malformed or its key is unknown',
    ],
  ])('refuses a JWT %s', async (_case, token, problem) => {
    const presented = token();
    expect(await inspector.inspect(presented)).toBeUndefined();
    expect(await inspector.verifiedJwt(presented, now * 1000)).toEqual({ problem });
  });

  it('refuses a deny-listed JWT', async () => {
    const payload = claims();
    denied.add(payload.jti as string);

    expect(await inspector.inspect(jwt(payload))).toBeUndefined();
    expect(await inspector.activeJwt(jwt(payload))).toEqual({
      problem: 'the token has been revoked',
    });
    // The revocation endpoint still recognises it as ours.
    expect((await inspector.verifiedJwt(jwt(payload))).token?.jti).toBe(payload.jti);
  });

  it('answers a stored reference token, and nothing for an unknown handle', async () => {
    const handle = newReferenceHandle();
    const payload = claims();
    const expiresAt = new Date((now + 300) * 1000);
    stored.set(handle, { clientId: 'svc', claims: payload, expiresAt });

    expect(await inspector.inspect(handle)).toEqual({
      kind: 'reference',
      claims: payload,
      clientId: 'svc',
      jti: payload.jti,
      expiresAt,
    });
    expect(await inspector.inspect(newReferenceHandle())).toBeUndefined();
  });

  it('refuses to answer when the store cannot (never "inactive" by accident)', async () => {
    const failing = new TokenInspector(
      {
        find: () => Promise.reject(new StoreUnavailable('down')),
      } as unknown as ReferenceTokenStore,
      {
        isRevoked: () => Promise.reject(new StoreUnavailable('down')),
      } as unknown as RevokedTokenStore,
      { getPublishedKeys: () => Promise.resolve([key]) } as unknown as SigningKeyStore,
      { issuer: ISSUER } as IdentitySettings,
    );

    await expect(failing.inspect(newReferenceHandle())).rejects.toBeInstanceOf(StoreUnavailable);
    await expect(failing.inspect(jwt())).rejects.toBeInstanceOf(StoreUnavailable);
  });
});
