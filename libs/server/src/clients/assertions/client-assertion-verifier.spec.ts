import {
  createHmac,
  generateKeyPairSync,
  randomBytes,
  randomUUID,
  sign,
  type KeyObject,
} from 'node:crypto';
import { ClientAuthMethods, TemporarilyUnavailable } from '@nest-identity/shared';
import { ClientAuthenticationFailures as Failures } from '../../audit/audit-events';
import { testSettings } from '../../persistence/test-databases.fixture';
import { MemoryReplayCache } from '../../replay/memory.replay-cache';
import { ReplayCache } from '../../replay/replay-cache';
import { aClient } from '../client.fixture';
import { ClientAuthenticationRejected } from '../client-authentication-rejected';
import { readClientAssertion } from './assertion-jws';
import { ClientAssertionVerifier } from './client-assertion-verifier';
import { ClientKeys } from './client-keys';

const ISSUER = 'https://identity.example';
const TOKEN_ENDPOINT = `${ISSUER}/connect/token`;
const NOW = 1_800_000_000_000;
const now = Math.floor(NOW / 1000);

function jws(
  header: Record<string, unknown>,
  payload: Record<string, unknown>,
  key: KeyObject | Buffer,
): string {
  const input = `${b64(header)}.${b64(payload)}`;
  const data = Buffer.from(input);
  const signature = Buffer.isBuffer(key)
    ? createHmac(`sha${String(header.alg).slice(2)}`, key)
        .update(data)
        .digest()
    : header.alg === 'ES256'
      ? sign('sha256', data, { key, dsaEncoding: 'ieee-p1363' })
      : header.alg === 'EdDSA'
        ? sign(null, data, key)
        : sign('sha256', data, key);
  return `${input}.${signature.toString('base64url')}`;
}
const b64 = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');

const claims = (overrides: Record<string, unknown> = {}) => ({
  iss: 'client',
  sub: 'client',
  aud: TOKEN_ENDPOINT,
  iat: now,
  exp: now + 60,
  jti: randomUUID(),
  ...overrides,
});

describe('ClientAssertionVerifier', () => {
  const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const ed = generateKeyPairSync('ed25519');
  const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const client = aClient({
    jwks: {
      keys: [
        { ...ec.publicKey.export({ format: 'jwk' }), kid: 'ec' },
        { ...ed.publicKey.export({ format: 'jwk' }), kid: 'ed' },
        { ...rsa.publicKey.export({ format: 'jwk' }), kid: 'rsa', alg: 'RS256' },
      ] as never,
    },
  });
  const hmacKey = randomBytes(32);
  const secretClient = aClient({ secrets: [{ sha256: Buffer.alloc(32), hmacKey }] });
  let replays: ReplayCache;
  let verifier: ClientAssertionVerifier;

  beforeEach(() => {
    replays = new MemoryReplayCache(() => NOW);
    verifier = new ClientAssertionVerifier(
      new ClientKeys(false),
      replays,
      testSettings({ issuer: ISSUER }),
    );
  });

  // As the authenticator does: read (which may refuse), then verify.
  const check = async (
    token: string,
    who = client,
    method: 'private_key_jwt' | 'client_secret_jwt' = ClientAuthMethods.PrivateKeyJwt,
  ) => verifier.verify(who, method, readClientAssertion(token), NOW);

  const rejection = async (promise: Promise<unknown>) => {
    const error = await promise.then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(ClientAuthenticationRejected);
    return (error as ClientAuthenticationRejected).reason;
  };

  it('accepts ES256, EdDSA and RS256 assertions, with the token endpoint or the issuer as aud', async () => {
    await check(jws({ alg: 'ES256', kid: 'ec' }, claims(), ec.privateKey));
    await check(jws({ alg: 'EdDSA', kid: 'ed' }, claims({ aud: ISSUER }), ed.privateKey));
    await check(jws({ alg: 'RS256' }, claims({ aud: ['x', TOKEN_ENDPOINT] }), rsa.privateKey));
  });

  it.each([
    ['iss', { iss: 'other' }],
    ['sub', { sub: 'other' }],
    ['aud', { aud: 'https://other.example' }],
    ['aud of the wrong type', { aud: 42 }],
    ['aud with a member that is no string', { aud: [42, TOKEN_ENDPOINT] }],
    ['no aud', { aud: undefined }],
    ['no exp', { exp: undefined }],
    ['exp passed (beyond the skew)', { exp: now - 61 }],
    ['exp too far ahead', { exp: now + 661 + 60 }],
    ['exp not a number', { exp: String(now + 60) }],
    ['nbf in the future', { nbf: now + 120 }],
    ['iat in the future', { iat: now + 120 }],
    ['no jti', { jti: undefined }],
    ['an empty jti', { jti: '' }],
    ['a jti too long', { jti: 'j'.repeat(257) }],
  ])('refuses wrong claims: %s', async (_case, overrides) => {
    const token = jws({ alg: 'ES256', kid: 'ec' }, claims(overrides), ec.privateKey);
    expect(await rejection(check(token))).toBe(Failures.AssertionClaimsInvalid);
  });

  it.each([
    ['iss', { iss: 'other' }, 'iss is not the client id'],
    ['sub', { sub: 'other' }, 'sub is not the client id'],
    [
      'aud',
      { aud: 'https://other.example' },
      'aud names neither the token endpoint nor the issuer',
    ],
    ['exp', { exp: now - 61 }, 'exp has passed'],
    ['exp', { exp: now + 721 }, 'exp is more than 600 s ahead'],
    ['nbf', { nbf: 'soon' }, 'nbf is not a number or in the future'],
    ['iat', { iat: now + 61 }, 'iat is not a number or in the future'],
    ['jti', { jti: 'j'.repeat(257) }, 'jti is longer than 256 characters'],
  ])('says in the log which claim is wrong: %s', async (_claim, overrides, detail) => {
    const token = jws({ alg: 'ES256', kid: 'ec' }, claims(overrides), ec.privateKey);
    await expect(check(token)).rejects.toMatchObject({
      reason: Failures.AssertionClaimsInvalid,
      detail,
    });
  });

  it('refuses what is no compact JWS before any key is looked at (assertion malformed)', async () => {
    const valid = jws({ alg: 'ES256', kid: 'ec' }, claims(), ec.privateKey);
    const [, payload, signature] = valid.split('.');
    for (const token of [
      `${b64({ alg: 'none' })}.${b64(claims())}.`,
      'not-a-jwt',
      `${b64({ alg: 'ES256', kid: 'ec', crit: ['exp'] })}.${payload}.${signature}`,
      `${Buffer.from('{"alg":"none","alg":"ES256","kid":"ec"}').toString('base64url')}.${payload}.${signature}`,
      `${b64({ alg: 'ES256', kid: 'ec' })}.${b64(claims())}.${'A'.repeat(8192)}`,
    ])
      expect(await rejection(check(token))).toBe(Failures.AssertionMalformed);
  });

  it('tolerates a clock a little off', async () => {
    await check(
      jws(
        { alg: 'ES256', kid: 'ec' },
        claims({ exp: now - 30, nbf: now + 30, iat: now + 30 }),
        ec.privateKey,
      ),
    );
  });

  it('refuses a replayed jti, and refuses (503) when the replay store cannot answer', async () => {
    const token = jws({ alg: 'ES256', kid: 'ec' }, claims(), ec.privateKey);
    await check(token);
    expect(await rejection(check(token))).toBe(Failures.AssertionReplayed);
    replays.firstUse = () => Promise.reject(new Error('down'));
    const next = jws({ alg: 'ES256', kid: 'ec' }, claims(), ec.privateKey);
    await expect(check(next)).rejects.toBeInstanceOf(TemporarilyUnavailable);
  });

  it('remembers the jti until exp and the skew', async () => {
    const firstUse = jest.spyOn(replays, 'firstUse');
    const token = jws({ alg: 'ES256', kid: 'ec' }, claims({ jti: 'j1' }), ec.privateKey);
    await check(token);
    expect(firstUse).toHaveBeenCalledWith('client-assertion:client:j1', (now + 60 + 60) * 1000);
  });

  it('refuses alg none, HS* and algorithms that do not fit the key', async () => {
    const none = `${b64({ alg: 'none' })}.${b64(claims())}.AAAA`;
    expect(await rejection(check(none))).toBe(Failures.AssertionAlgorithmRefused);
    const hs = jws({ alg: 'HS256', kid: 'ec' }, claims(), Buffer.from('public key bytes'));
    expect(await rejection(check(hs))).toBe(Failures.AssertionAlgorithmRefused);
    // The RSA key is registered for RS256 only; the EC key cannot do ES384.
    const ps = jws({ alg: 'PS256', kid: 'rsa' }, claims(), rsa.privateKey);
    expect(await rejection(check(ps))).toBe(Failures.AssertionKeyUnknown);
    const es384 = jws({ alg: 'ES384', kid: 'ec' }, claims(), ec.privateKey);
    expect(await rejection(check(es384))).toBe(Failures.AssertionKeyUnknown);
  });

  it('refuses an unknown kid and a wrong signature; a client without keys', async () => {
    expect(
      await rejection(check(jws({ alg: 'ES256', kid: 'nope' }, claims(), ec.privateKey))),
    ).toBe(Failures.AssertionKeyUnknown);
    const other = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey;
    expect(await rejection(check(jws({ alg: 'ES256', kid: 'ec' }, claims(), other)))).toBe(
      Failures.AssertionSignatureInvalid,
    );
    expect(await rejection(check(jws({ alg: 'ES256' }, claims(), ec.privateKey), aClient()))).toBe(
      Failures.NoAssertionKeys,
    );
  });

  it('client_secret_jwt: an HMAC with a secret the server can read, long enough for the alg', async () => {
    await check(
      jws({ alg: 'HS256' }, claims(), hmacKey),
      secretClient,
      ClientAuthMethods.ClientSecretJwt,
    );
    const wrong = jws({ alg: 'HS256' }, claims(), randomBytes(32));
    expect(await rejection(check(wrong, secretClient, ClientAuthMethods.ClientSecretJwt))).toBe(
      Failures.AssertionSignatureInvalid,
    );
    // 32 bytes are too short a key for HS512 (RFC 7518 §3.2).
    const hs512 = jws({ alg: 'HS512' }, claims(), hmacKey);
    expect(await rejection(check(hs512, secretClient, ClientAuthMethods.ClientSecretJwt))).toBe(
      Failures.NoAssertionKeys,
    );
    // A secret stored only as a hash cannot check an HMAC.
    const hashedOnly = aClient({ secrets: [{ sha256: Buffer.alloc(32) }] });
    expect(
      await rejection(
        check(
          jws({ alg: 'HS256' }, claims(), hmacKey),
          hashedOnly,
          ClientAuthMethods.ClientSecretJwt,
        ),
      ),
    ).toBe(Failures.NoAssertionKeys);
    // An expired secret no longer authenticates.
    const expired = aClient({
      secrets: [{ sha256: Buffer.alloc(32), hmacKey, expiresAt: new Date(NOW - 1) }],
    });
    expect(
      await rejection(
        check(jws({ alg: 'HS256' }, claims(), hmacKey), expired, ClientAuthMethods.ClientSecretJwt),
      ),
    ).toBe(Failures.NoAssertionKeys);
  });
});
