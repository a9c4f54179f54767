import {
  constants,
  createHash,
  generateKeyPairSync,
  randomUUID,
  sign,
  type JsonWebKey,
  type KeyObject,
} from 'node:crypto';
import { request as httpRequest } from 'node:http';
import { TOKEN_PATH, basicAuthorization, type Credentials } from './oauth';
import { rememberSecrets } from './secrecy';

/** A client's DPoP key (RFC 9449), made with node:crypto, for hand-crafted proofs. */
export interface DPoPTestKey {
  readonly alg: 'ES256' | 'RS256' | 'EdDSA';
  readonly privateKey: KeyObject;
  readonly publicJwk: JsonWebKey;
}

export function dpopTestKey(alg: DPoPTestKey['alg'] = 'ES256'): DPoPTestKey {
  const pair =
    alg === 'ES256'
      ? generateKeyPairSync('ec', { namedCurve: 'P-256' })
      : alg === 'EdDSA'
        ? generateKeyPairSync('ed25519')
        : generateKeyPairSync('rsa', { modulusLength: 2048 });
  return { alg, privateKey: pair.privateKey, publicJwk: pair.publicKey.export({ format: 'jwk' }) };
}

const segment = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');

/**
 * A DPoP proof for `POST <issuer>/connect/token` signed with `key`; `claims` and `header`
 * override the defaults (an undefined value removes the member). Remembered for the log scan.
 */
export function dpopProof(
  key: DPoPTestKey,
  issuer: string,
  claims: Record<string, unknown> = {},
  header: Record<string, unknown> = {},
): string {
  const input = `${segment({ typ: 'dpop+jwt', alg: key.alg, jwk: key.publicJwk, ...header })}.${segment(
    {
      jti: randomUUID(),
      htm: 'POST',
      htu: `${issuer}${TOKEN_PATH}`,
      iat: Math.floor(Date.now() / 1000),
      ...claims,
    },
  )}`;
  const signature =
    key.alg === 'ES256'
      ? sign('sha256', Buffer.from(input), { key: key.privateKey, dsaEncoding: 'ieee-p1363' })
      : key.alg === 'EdDSA'
        ? sign(null, Buffer.from(input), key.privateKey)
        : sign('sha256', Buffer.from(input), {
            key: key.privateKey,
            padding: constants.RSA_PKCS1_PADDING,
          });
  const proof = `${input}.${signature.toString('base64url')}`;
  rememberSecrets(proof);
  return proof;
}

/** RFC 7638 §3.2: the SHA-256 thumbprint over the required members, in lexicographic order. */
export function jwkThumbprintOf(jwk: { kty?: string }): string {
  const members: Record<string, string[]> = {
    RSA: ['e', 'kty', 'n'],
    EC: ['crv', 'kty', 'x', 'y'],
    OKP: ['crv', 'kty', 'x'],
  };
  const names = members[jwk.kty ?? ''];
  if (!names) throw new Error(`no thumbprint members for ${String(jwk.kty)}`);
  const canonical = `{${names.map((name) => `"${name}":"${String((jwk as Record<string, unknown>)[name])}"`).join(',')}}`;
  return createHash('sha256').update(canonical, 'utf8').digest('base64url');
}

export interface RawTokenResponse {
  readonly status: number;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly json: Record<string, unknown>;
}

/**
 * POST /connect/token (client_secret_basic) over node:http, so a request can carry the `DPoP`
 * header several times (fetch would join them into one). Remembers the token it gets.
 */
export function postTokenWithProofs(
  baseUrl: string,
  client: Credentials,
  proofs: string[],
  form: Record<string, string> = { grant_type: 'client_credentials' },
): Promise<RawTokenResponse> {
  const headers: Record<string, string | string[]> = {
    'content-type': 'application/x-www-form-urlencoded',
    authorization: basicAuthorization(client),
  };
  if (proofs.length > 0) headers.dpop = proofs.length === 1 ? proofs[0] : proofs;
  rememberSecrets(client.secret, ...proofs);
  return new Promise((resolve, reject) => {
    const request = httpRequest(
      `${baseUrl}${TOKEN_PATH}`,
      { method: 'POST', headers },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          const json = (text === '' ? {} : JSON.parse(text)) as Record<string, unknown>;
          if (typeof json.access_token === 'string') rememberSecrets(json.access_token);
          resolve({ status: response.statusCode ?? 0, headers: response.headers, json });
        });
        response.on('error', reject);
      },
    );
    request.on('error', reject);
    request.end(new URLSearchParams(form).toString());
  });
}
