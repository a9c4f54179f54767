import Database from 'better-sqlite3';
import {
  createHash,
  createHmac,
  createPrivateKey,
  createPublicKey,
  randomUUID,
  sign,
  verify,
  type JsonWebKey,
  type KeyObject,
} from 'node:crypto';
import { request as httpRequest } from 'node:http';
import { join } from 'node:path';
import { rememberSecrets } from './secrecy';

export const TOKEN_PATH = '/connect/token';
export const DISCOVERY_PATH = '/.well-known/openid-configuration';
export const RFC8414_PATH = '/.well-known/oauth-authorization-server';
export const JWKS_PATH = '/.well-known/openid-configuration/jwks';

export interface Credentials {
  readonly id: string;
  readonly secret: string;
}

/** A response read whole: status, headers, text, and the JSON body when there is one. */
export interface WireResponse {
  readonly status: number;
  readonly headers: Headers;
  readonly text: string;
  readonly json: unknown;
}

/** A response as the wire carried it: status, headers, text, and its JSON when it parses. */
export async function readWire(response: Response): Promise<WireResponse> {
  const text = await response.text();
  let json: unknown;
  try {
    json = text === '' ? undefined : JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: response.status, headers: response.headers, text, json };
}

export async function getJson(url: string, init?: RequestInit): Promise<WireResponse> {
  return readWire(await fetch(url, init));
}

/** application/x-www-form-urlencoded serialization of one value (WHATWG URL standard). */
export function formEncode(value: string): string {
  return new URLSearchParams({ v: value }).toString().slice(2);
}

/** RFC 6749 §2.3.1: `Basic base64(urlencode(id) ":" urlencode(secret))`. */
export function basicAuthorization({ id, secret }: Credentials): string {
  return `Basic ${Buffer.from(`${formEncode(id)}:${formEncode(secret)}`).toString('base64')}`;
}

export interface TokenRequestOptions {
  /** Form parameters; an array of pairs lets a name repeat. */
  form?: Record<string, string> | [string, string][];
  /** client_secret_basic with these credentials. */
  basic?: Credentials;
  /** client_secret_post with these credentials (added to the form). */
  post?: Credentials;
  headers?: Record<string, string>;
  /** A raw body instead of `form` (with `contentType`, or none at all when undefined). */
  body?: string | Uint8Array;
  contentType?: string;
}

/** POST /connect/token with exactly what the options say, nothing more. */
export async function postToken(
  baseUrl: string,
  options: TokenRequestOptions,
): Promise<WireResponse> {
  const headers: Record<string, string> = { ...options.headers };
  if (options.basic) headers.authorization = basicAuthorization(options.basic);
  let body: string | Uint8Array;
  if (options.body !== undefined) {
    body = options.body;
    if (options.contentType !== undefined) headers['content-type'] = options.contentType;
  } else {
    const form = new URLSearchParams(options.form ?? {});
    if (options.post) {
      form.append('client_id', options.post.id);
      form.append('client_secret', options.post.secret);
    }
    body = form.toString();
    headers['content-type'] = options.contentType ?? 'application/x-www-form-urlencoded';
  }
  // A Uint8Array body gets no Content-Type from fetch, so a request can have none at all.
  const payload = new Uint8Array(typeof body === 'string' ? Buffer.from(body) : body);
  const response = await readWire(
    await fetch(`${baseUrl}${TOKEN_PATH}`, { method: 'POST', headers, body: payload }),
  );
  const issued = (response.json as Partial<TokenResponseBody> | undefined)?.access_token;
  rememberSecrets(
    options.basic?.secret,
    options.post?.secret,
    headers.authorization?.replace(/^basic /i, ''),
    typeof issued === 'string' ? issued : undefined,
  );
  return response;
}

export interface TokenResponseBody {
  access_token: string;
  token_type: string;
  expires_in: number;
  scope: string;
}

/** An access token for `client` (client_secret_basic unless `method: 'post'`). */
export async function getToken(
  baseUrl: string,
  client: Credentials,
  { scope, method = 'basic' }: { scope?: string; method?: 'basic' | 'post' } = {},
): Promise<string> {
  const response = await postToken(baseUrl, {
    form: { grant_type: 'client_credentials', ...(scope === undefined ? {} : { scope }) },
    ...(method === 'basic' ? { basic: client } : { post: client }),
  });
  if (response.status !== 200) {
    throw new Error(`token request for ${client.id} failed: ${response.status} ${response.text}`);
  }
  return (response.json as TokenResponseBody).access_token;
}

/** A request with full control over the headers (fetch adds and checks some): node:http. */
export function rawRequest(
  url: string,
  {
    method = 'POST',
    headers = {},
    body,
  }: { method?: string; headers?: Record<string, string>; body?: Buffer | string },
): Promise<{
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
}> {
  return new Promise((resolve, reject) => {
    const request = httpRequest(url, { method, headers }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () =>
        resolve({
          status: response.statusCode ?? 0,
          headers: response.headers,
          text: Buffer.concat(chunks).toString('utf8'),
        }),
      );
      response.on('error', reject);
    });
    request.on('error', reject);
    request.end(body);
  });
}

// --- JWTs -----------------------------------------------------------------------------------

export interface DecodedJwt {
  header: Record<string, unknown>;
  payload: Record<string, unknown>;
  signingInput: string;
  signature: Buffer;
}

export function decodeJwt(token: string): DecodedJwt {
  const parts = token.split('.');
  if (parts.length !== 3) throw new Error(`not a JWS compact serialization: ${token}`);
  const [header, payload, signature] = parts as [string, string, string];
  return {
    header: JSON.parse(Buffer.from(header, 'base64url').toString('utf8')),
    payload: JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')),
    signingInput: `${header}.${payload}`,
    signature: Buffer.from(signature, 'base64url'),
  };
}

/** Whether `token` carries a valid RS256 signature by the public `jwk`. */
export function verifiesWith(token: string, jwk: JsonWebKey): boolean {
  const { signingInput, signature } = decodeJwt(token);
  const key = createPublicKey({ key: jwk, format: 'jwk' });
  return verify('sha256', Buffer.from(signingInput), key, signature);
}

function encodeSegment(value: object): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}

/** The claims of an api1 access token from `issuer` for the seed client, with `changes`. */
export function accessTokenClaims(
  issuer: string,
  changes: Record<string, unknown> = {},
): Record<string, unknown> {
  const now = nowSeconds();
  return {
    iss: issuer,
    sub: 'client',
    client_id: 'client',
    aud: 'api1',
    scope: 'api1',
    iat: now,
    nbf: now,
    exp: now + 300,
    jti: randomUUID(),
    ...changes,
  };
}

/** An RS256 JWS over `header` (alg forced to RS256 unless given) and `payload`. */
export function signRs256(
  header: Record<string, unknown>,
  payload: Record<string, unknown>,
  privateKey: KeyObject,
): string {
  const input = `${encodeSegment({ alg: 'RS256', ...header })}.${encodeSegment(payload)}`;
  const token = `${input}.${sign('sha256', Buffer.from(input), privateKey).toString('base64url')}`;
  rememberSecrets(token);
  return token;
}

/** An HS256 JWS: the algorithm-confusion attack uses the public key's bytes as the secret. */
export function signHs256(
  header: Record<string, unknown>,
  payload: Record<string, unknown>,
  secret: string | Buffer,
): string {
  const input = `${encodeSegment({ ...header, alg: 'HS256' })}.${encodeSegment(payload)}`;
  const token = `${input}.${createHmac('sha256', secret).update(input).digest('base64url')}`;
  rememberSecrets(token);
  return token;
}

/**
 * The private key an embedded (SQLite) identity signs with now, read from `identity.sqlite` in
 * its data dir: lets a test forge tokens the API trusts. Needs the key stored in clear (no
 * IDENTITY_KEY_ENCRYPTION_KEY).
 */
export function readSigningKey(dataDir: string): KeyObject {
  const db = new Database(join(dataDir, 'identity.sqlite'), {
    readonly: true,
    fileMustExist: true,
  });
  try {
    const now = Date.now();
    const row = db
      .prepare<[number, number], { kid: string; private_key: string }>(
        `SELECT kid, private_key FROM identity_signing_keys
         WHERE activates_at <= ? AND ? < retires_at ORDER BY generation DESC LIMIT 1`,
      )
      .get(now, now);
    if (!row) throw new Error(`no active signing key in ${dataDir}/identity.sqlite`);
    if (!row.private_key.startsWith('-----BEGIN')) {
      throw new Error(`the signing key ${row.kid} is encrypted at rest`);
    }
    return createPrivateKey(row.private_key);
  } finally {
    db.close();
  }
}

/** RFC 7638 §3: SHA-256 over the required members in lexicographic order, no whitespace. */
export function rsaThumbprint(jwk: { e?: unknown; n?: unknown }): string {
  if (typeof jwk.e !== 'string' || typeof jwk.n !== 'string') throw new Error('not an RSA JWK');
  const canonical = `{"e":"${jwk.e}","kty":"RSA","n":"${jwk.n}"}`;
  return createHash('sha256').update(canonical, 'utf8').digest('base64url');
}

export interface Jwks {
  keys: (JsonWebKey & { kid: string; use?: string; alg?: string })[];
}

export async function fetchJwks(baseUrl: string): Promise<Jwks> {
  const response = await getJson(`${baseUrl}${JWKS_PATH}`);
  if (response.status !== 200) throw new Error(`JWKS: ${response.status} ${response.text}`);
  return response.json as Jwks;
}

/** The JWKS key named by the token's `kid`. */
export async function keyForToken(baseUrl: string, token: string): Promise<JsonWebKey> {
  const { kid } = decodeJwt(token).header;
  const key = (await fetchJwks(baseUrl)).keys.find((candidate) => candidate.kid === kid);
  if (!key) throw new Error(`no key ${String(kid)} in ${baseUrl}${JWKS_PATH}`);
  return key;
}

export function nowSeconds(): number {
  return Math.floor(Date.now() / 1000);
}

/** The kids of the keys the identity publishes, sorted. */
export async function publishedKids(identityUrl: string): Promise<string[]> {
  return (await fetchJwks(identityUrl)).keys.map((key) => key.kid).sort();
}

/** Whether `client` gets a token now (client_secret_basic). */
export async function tokenWorks(identityUrl: string, client: Credentials): Promise<boolean> {
  const response = await postToken(identityUrl, {
    form: { grant_type: 'client_credentials' },
    basic: client,
  });
  return response.status === 200;
}
