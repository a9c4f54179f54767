import { createHash, generateKeyPairSync, randomUUID, sign, type KeyObject } from 'node:crypto';
import {
  DPoPProofRejected,
  dpopProofReplayKey,
  readDPoPProof,
  type DPoPProofRules,
} from './dpop-proof';
import { jwkThumbprint } from './jwk-thumbprint';

const URL = 'https://api.example.com/weatherforecast';
const NOW = Math.floor(Date.now() / 1000);
const RULES: DPoPProofRules = {
  algorithms: ['ES256', 'RS256', 'EdDSA'],
  maxLength: 8192,
  maxAgeSeconds: 300,
  maxFutureSeconds: 5,
};

const segment = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

function es256() {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  return { privateKey, publicKey, jwk: publicKey.export({ format: 'jwk' }) };
}

function proof(
  privateKey: KeyObject,
  header: Record<string, unknown>,
  claims: Record<string, unknown> = {},
  rawHeader?: string,
): string {
  const fullClaims = { jti: randomUUID(), htm: 'GET', htu: URL, iat: NOW, ...claims };
  const encodedHeader = rawHeader ?? segment({ typ: 'dpop+jwt', alg: 'ES256', ...header });
  const input = `${encodedHeader}.${segment(fullClaims)}`;
  const signature = sign('sha256', Buffer.from(input), {
    key: privateKey,
    dsaEncoding: 'ieee-p1363',
  });
  return `${input}.${signature.toString('base64url')}`;
}

const request = { method: 'GET', url: URL, now: NOW };
function problem(token: string, expected: Partial<typeof request> & { accessToken?: string } = {}) {
  try {
    readDPoPProof(token, { ...request, ...expected }, RULES);
    return undefined;
  } catch (error) {
    if (error instanceof DPoPProofRejected) return error.description;
    throw error;
  }
}

describe('readDPoPProof (RFC 9449 §4.3), the one reader of both sides', () => {
  const key = es256();

  it('gives the key thumbprint, jti, iat, nonce and how long the jti must be kept', () => {
    const read = readDPoPProof(
      proof(key.privateKey, { jwk: key.jwk }, { jti: 'j', nonce: 'n' }),
      request,
      RULES,
    );
    expect(read).toEqual({
      jkt: jwkThumbprint(key.publicKey),
      jti: 'j',
      iat: NOW,
      nonce: 'n',
      acceptedUntil: (NOW + RULES.maxAgeSeconds) * 1000,
    });
    expect(dpopProofReplayKey(read)).toBe(
      `dpop-proof:${read.jkt}:${createHash('sha256').update('j').digest('base64url')}`,
    );
  });

  it('reads typ case-insensitively', () => {
    expect(problem(proof(key.privateKey, { jwk: key.jwk, typ: 'DPoP+JWT' }))).toBeUndefined();
    expect(problem(proof(key.privateKey, { jwk: key.jwk, typ: 'jwt' }))).toBe(
      'the DPoP proof typ must be dpop+jwt',
    );
  });

  it('refuses crit and repeated members, as every JWS reader here does', () => {
    expect(problem(proof(key.privateKey, { jwk: key.jwk, crit: ['x'], x: 1 }))).toBe(
      'the DPoP proof requires JWS extensions (crit), which are not supported',
    );
    const repeated = Buffer.from(
      `{"typ":"dpop+jwt","alg":"ES256","jwk":${JSON.stringify(key.jwk)},"alg":"ES256"}`,
    ).toString('base64url');
    expect(problem(proof(key.privateKey, {}, {}, repeated))).toBe(
      'the DPoP proof repeats a JSON member name',
    );
  });

  it('refuses a proof longer than the rules allow before reading it', () => {
    const token = proof(key.privateKey, { jwk: key.jwk });
    expect(() => readDPoPProof(token, request, { ...RULES, maxLength: token.length - 1 })).toThrow(
      'the DPoP proof is too large',
    );
  });

  it('refuses an alg outside the rules, and a jwk whose own alg is another', () => {
    const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const ps256 = `${segment({ typ: 'dpop+jwt', alg: 'PS256', jwk: rsa.publicKey.export({ format: 'jwk' }) })}.${segment({})}.c2ln`;
    expect(problem(ps256)).toBe('the DPoP proof alg is not an accepted asymmetric algorithm');
    expect(problem(proof(key.privateKey, { jwk: { ...key.jwk, alg: 'ES384' } }))).toBe(
      'the DPoP proof jwk does not fit its alg',
    );
    expect(problem(proof(key.privateKey, { jwk: { ...key.jwk, d: 'x' } }))).toBe(
      'the DPoP proof jwk must be a public key, without private members',
    );
  });

  it('refuses a signature by another key than the jwk', () => {
    expect(problem(proof(es256().privateKey, { jwk: key.jwk }))).toBe(
      'the DPoP proof signature does not verify with its jwk',
    );
  });

  it('compares htu normalised, without query and fragment, and htm exactly', () => {
    const at = (htu: string) => problem(proof(key.privateKey, { jwk: key.jwk }, { htu }));
    expect(at('HTTPS://API.example.com:443/weather%66orecast?x=1#f')).toBeUndefined();
    expect(at('https://api.example.com/other')).toBe(
      'the DPoP proof htu does not match the request URL',
    );
    expect(at('ftp://api.example.com/weatherforecast')).toBe(
      'the DPoP proof htu does not match the request URL',
    );
    expect(problem(proof(key.privateKey, { jwk: key.jwk }, { htm: 'get' }))).toBe(
      'the DPoP proof htm does not match the request method',
    );
  });

  it('bounds iat by the rules: maxAgeSeconds back, maxFutureSeconds ahead', () => {
    const iat = (value: unknown) =>
      problem(proof(key.privateKey, { jwk: key.jwk }, { iat: value }));
    expect(iat(NOW - 300)).toBeUndefined();
    expect(iat(NOW - 301)).toBe('the DPoP proof iat is too old');
    expect(iat(NOW + 5)).toBeUndefined();
    expect(iat(NOW + 6)).toBe('the DPoP proof iat is in the future');
    expect(iat('now')).toBe('the DPoP proof lacks a numeric iat');
  });

  it('checks ath against the presented token only when one is presented', () => {
    const ath = createHash('sha256').update('the-token').digest('base64url');
    const withAth = proof(key.privateKey, { jwk: key.jwk }, { ath });
    expect(problem(withAth, { accessToken: 'the-token' })).toBeUndefined();
    expect(problem(withAth, { accessToken: 'another-token' })).toBe(
      "the DPoP proof's ath is not the hash of this token",
    );
    expect(problem(proof(key.privateKey, { jwk: key.jwk }), { accessToken: 'the-token' })).toBe(
      "the DPoP proof's ath is not the hash of this token",
    );
  });
});
