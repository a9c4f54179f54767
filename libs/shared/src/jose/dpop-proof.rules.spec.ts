import {
  constants,
  createHash,
  createHmac,
  generateKeyPairSync,
  randomUUID,
  sign,
  type KeyObject,
} from 'node:crypto';
import { DPoPProofRejected, readDPoPProof, type DPoPProofRules } from './dpop-proof';

// The reader's rules as the identity's token endpoint applied them before issue 13 (its own
// reader, now this one): every description a client may have seen is kept.

const URL = 'https://id.example.com/connect/token';
const now = () => Math.floor(Date.now() / 1000);
const RULES: DPoPProofRules = {
  algorithms: [
    'RS256',
    'RS384',
    'RS512',
    'PS256',
    'PS384',
    'PS512',
    'ES256',
    'ES384',
    'ES512',
    'EdDSA',
    'Ed25519',
  ],
  maxLength: 8192,
  maxAgeSeconds: 60,
  maxFutureSeconds: 60,
};
const check = (proof: string) =>
  readDPoPProof(proof, { method: 'POST', url: URL, now: now() }, RULES);
const segment = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');

interface DPoPKey {
  readonly alg: string;
  readonly privateKey: KeyObject;
  readonly publicJwk: Record<string, unknown>;
}

function aDPoPKey(
  alg: 'ES256' | 'RS256' | 'PS256' | 'EdDSA' | 'Ed25519' | 'ES384' = 'ES256',
): DPoPKey {
  const { privateKey, publicKey } =
    alg === 'ES256'
      ? generateKeyPairSync('ec', { namedCurve: 'P-256' })
      : alg === 'ES384'
        ? generateKeyPairSync('ec', { namedCurve: 'P-384' })
        : alg === 'EdDSA' || alg === 'Ed25519'
          ? generateKeyPairSync('ed25519')
          : generateKeyPairSync('rsa', { modulusLength: 2048 });
  return { alg, privateKey, publicJwk: publicKey.export({ format: 'jwk' }) };
}

const SIGN_OPTIONS: Record<string, [string | null, object]> = {
  ES256: ['sha256', { dsaEncoding: 'ieee-p1363' }],
  ES384: ['sha384', { dsaEncoding: 'ieee-p1363' }],
  RS256: ['sha256', { padding: constants.RSA_PKCS1_PADDING }],
  PS256: ['sha256', { padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 32 }],
  EdDSA: [null, {}],
  Ed25519: [null, {}],
};

/** A proof signed by `key`; `header` and `claims` override the defaults (undefined removes). */
function aDPoPProof(
  key: DPoPKey,
  claims: Record<string, unknown> = {},
  header: Record<string, unknown> = {},
): string {
  const fullHeader = { typ: 'dpop+jwt', alg: key.alg, jwk: key.publicJwk, ...header };
  const fullClaims = { jti: randomUUID(), htm: 'POST', htu: URL, iat: now(), ...claims };
  const input = `${segment(fullHeader)}.${segment(fullClaims)}`;
  const [digest, options] = SIGN_OPTIONS[key.alg] ?? SIGN_OPTIONS.ES256;
  const signature = sign(digest, Buffer.from(input), { key: key.privateKey, ...options });
  return `${input}.${signature.toString('base64url')}`;
}

/** RFC 7638 §3.1 for the key types of the fixture, computed independently of jwkThumbprint. */
function thumbprint(jwk: Record<string, unknown>): string {
  const canonical =
    jwk.kty === 'RSA'
      ? { e: jwk.e, kty: jwk.kty, n: jwk.n }
      : jwk.kty === 'EC'
        ? { crv: jwk.crv, kty: jwk.kty, x: jwk.x, y: jwk.y }
        : { crv: jwk.crv, kty: jwk.kty, x: jwk.x };
  return createHash('sha256').update(JSON.stringify(canonical)).digest('base64url');
}

describe('readDPoPProof: the rules the identity applied (RFC 9449 §4.3)', () => {
  const es256 = aDPoPKey('ES256');

  it.each(['ES256', 'ES384', 'RS256', 'PS256', 'EdDSA', 'Ed25519'] as const)(
    'accepts a valid %s proof and gives its key thumbprint (RFC 7638)',
    (alg) => {
      const key = alg === 'ES256' ? es256 : aDPoPKey(alg);
      const proof = check(aDPoPProof(key, { jti: 'j-1', nonce: 'n' }));
      expect(proof).toEqual({
        jkt: thumbprint(key.publicJwk),
        jti: 'j-1',
        iat: expect.any(Number),
        nonce: 'n',
        acceptedUntil: (proof.iat + 60) * 1000,
      });
    },
  );

  it('ignores the query and fragment of htu, and normalises case and default port', () => {
    expect(() =>
      check(aDPoPProof(es256, { htu: 'HTTPS://ID.example.com:443/connect/token?x=1#y' })),
    ).not.toThrow();
  });

  const refusals: [string, () => string, string][] = [
    ['not a JWS', () => 'abc.def', 'the DPoP proof is not a compact JWS'],
    ['an empty value', () => '', 'the DPoP proof is not a compact JWS'],
    ['a huge value', () => 'a'.repeat(9000), 'the DPoP proof is too large'],
    [
      'a header that is not JSON',
      () => `bm90IGpzb24.${segment({})}.AAAA`,
      'the DPoP proof header and claims must be JSON objects',
    ],
    [
      'another typ',
      () => aDPoPProof(es256, {}, { typ: 'JWT' }),
      'the DPoP proof typ must be dpop+jwt',
    ],
    [
      'alg none',
      () => `${segment({ typ: 'dpop+jwt', alg: 'none', jwk: es256.publicJwk })}.${segment({})}.`,
      'the DPoP proof is not a compact JWS',
    ],
    [
      'alg none with a signature part',
      () =>
        `${segment({ typ: 'dpop+jwt', alg: 'none', jwk: es256.publicJwk })}.${segment({})}.AAAA`,
      'the DPoP proof alg is not an accepted asymmetric algorithm',
    ],
    [
      'alg HS256 (a MAC)',
      () => {
        const input = `${segment({ typ: 'dpop+jwt', alg: 'HS256', jwk: { kty: 'oct', k: 'c2VjcmV0' } })}.${segment({})}`;
        return `${input}.${createHmac('sha256', 'secret').update(input).digest('base64url')}`;
      },
      'the DPoP proof alg is not an accepted asymmetric algorithm',
    ],
    [
      'no jwk',
      () => aDPoPProof(es256, {}, { jwk: undefined }),
      'the DPoP proof header lacks a jwk',
    ],
    [
      'a private key in jwk',
      () => aDPoPProof(es256, {}, { jwk: es256.privateKey.export({ format: 'jwk' }) }),
      'the DPoP proof jwk must be a public key, without private members',
    ],
    [
      'a symmetric jwk',
      () => aDPoPProof(es256, {}, { jwk: { kty: 'oct', x: 'AAAA' } }),
      'the DPoP proof jwk must be an RSA, EC or OKP key',
    ],
    [
      'a broken jwk',
      () => aDPoPProof(es256, {}, { jwk: { kty: 'EC', crv: 'P-256', x: 'AAAA' } }),
      'the DPoP proof jwk is not a valid public key',
    ],
    [
      'a jwk of another kind than alg',
      () => aDPoPProof(es256, {}, { alg: 'RS256' }),
      'the DPoP proof jwk does not fit its alg',
    ],
    [
      "another key's signature",
      () => aDPoPProof(es256, {}, { jwk: aDPoPKey('ES256').publicJwk }),
      'the DPoP proof signature does not verify with its jwk',
    ],
    [
      'a tampered claim',
      () => {
        const [h, , s] = aDPoPProof(es256).split('.');
        return `${h}.${segment({ jti: 'x', htm: 'POST', htu: URL, iat: now() })}.${s}`;
      },
      'the DPoP proof signature does not verify with its jwk',
    ],
    ['no jti', () => aDPoPProof(es256, { jti: undefined }), 'the DPoP proof lacks the claim jti'],
    [
      'a long jti',
      () => aDPoPProof(es256, { jti: 'j'.repeat(257) }),
      'the DPoP proof jti is too long',
    ],
    ['no htm', () => aDPoPProof(es256, { htm: undefined }), 'the DPoP proof lacks the claim htm'],
    ['no htu', () => aDPoPProof(es256, { htu: undefined }), 'the DPoP proof lacks the claim htu'],
    ['no iat', () => aDPoPProof(es256, { iat: undefined }), 'the DPoP proof lacks a numeric iat'],
    ['a string iat', () => aDPoPProof(es256, { iat: '1' }), 'the DPoP proof lacks a numeric iat'],
    [
      'htm GET',
      () => aDPoPProof(es256, { htm: 'GET' }),
      'the DPoP proof htm does not match the request method',
    ],
    [
      'another htu',
      () => aDPoPProof(es256, { htu: 'https://id.example.com/connect/introspect' }),
      'the DPoP proof htu does not match the request URL',
    ],
    [
      'an htu on another host',
      () => aDPoPProof(es256, { htu: 'https://evil.example.com/connect/token' }),
      'the DPoP proof htu does not match the request URL',
    ],
    [
      'an htu that is no URL',
      () => aDPoPProof(es256, { htu: 'not a url' }),
      'the DPoP proof htu does not match the request URL',
    ],
    ['an old iat', () => aDPoPProof(es256, { iat: now() - 61 }), 'the DPoP proof iat is too old'],
    [
      'a future iat',
      () => aDPoPProof(es256, { iat: now() + 61 }),
      'the DPoP proof iat is in the future',
    ],
    [
      'a numeric nonce',
      () => aDPoPProof(es256, { nonce: 5 }),
      'the DPoP proof lacks the claim nonce',
    ],
  ];

  it.each(refusals)('refuses %s', (_case, proof, description) => {
    expect(() => check(proof())).toThrow(new DPoPProofRejected(description));
  });

  it('refuses an RSA key under 2048 bits', () => {
    const small = generateKeyPairSync('rsa', { modulusLength: 1024 });
    const key = {
      alg: 'RS256',
      privateKey: small.privateKey,
      publicJwk: small.publicKey.export({ format: 'jwk' }),
    };
    expect(() => check(aDPoPProof(key))).toThrow(
      new DPoPProofRejected('the DPoP proof jwk does not fit its alg'),
    );
  });
});
