import { constants, createHmac, randomUUID, sign, type KeyObject } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { postToken, type WireResponse } from './oauth';
import { rememberSecrets } from './secrecy';

/** RFC 7523 §2.2. */
export const JWT_BEARER_ASSERTION_TYPE = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';

/** Signs a compact JWS as a client would: RS256, PS256, ES256, EdDSA, HS256, or `none`. */
export function signJwt(
  header: Record<string, unknown> & { alg: string },
  payload: Record<string, unknown>,
  key?: KeyObject | Buffer,
): string {
  const encode = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
  const input = `${encode(header)}.${encode(payload)}`;
  const data = Buffer.from(input);
  let signature: Buffer;
  switch (header.alg) {
    case 'none':
      signature = Buffer.alloc(0);
      break;
    case 'HS256':
      signature = createHmac('sha256', key as Buffer)
        .update(data)
        .digest();
      break;
    case 'RS256':
      signature = sign('sha256', data, key as KeyObject);
      break;
    case 'PS256':
      signature = sign('sha256', data, {
        key: key as KeyObject,
        padding: constants.RSA_PKCS1_PSS_PADDING,
        saltLength: 32,
      });
      break;
    case 'ES256':
      signature = sign('sha256', data, { key: key as KeyObject, dsaEncoding: 'ieee-p1363' });
      break;
    case 'EdDSA':
      signature = sign(null, data, key as KeyObject);
      break;
    default:
      throw new TypeError(`signJwt: no ${header.alg}`);
  }
  return `${input}.${signature.toString('base64url')}`;
}

/** The claims of a fresh assertion for `clientId` with audience `aud`; `overrides` replace any. */
export function assertionClaims(
  clientId: string,
  aud: string | string[],
  overrides: Record<string, unknown> = {},
): Record<string, unknown> {
  const now = Math.floor(Date.now() / 1000);
  return {
    iss: clientId,
    sub: clientId,
    aud,
    iat: now,
    exp: now + 60,
    jti: randomUUID(),
    ...overrides,
  };
}

/** POST /connect/token authenticated with `assertion` (remembered for the log-secrecy scan). */
export function postAssertion(
  baseUrl: string,
  assertion: string,
  form: Record<string, string> = {},
  options: { basic?: { id: string; secret: string } } = {},
): Promise<WireResponse> {
  rememberSecrets(assertion);
  return postToken(baseUrl, {
    form: {
      grant_type: 'client_credentials',
      client_assertion_type: JWT_BEARER_ASSERTION_TYPE,
      client_assertion: assertion,
      ...form,
    },
    ...options,
  });
}

/** A client's JWK Set served over HTTP by the test: the set can change, requests are counted. */
export interface JwksServer {
  readonly url: string;
  keys: object[];
  requests: number;
  close(): Promise<void>;
}

export async function serveJwks(keys: object[]): Promise<JwksServer> {
  const state = { keys, requests: 0 };
  const server: Server = createServer((_request, response) => {
    state.requests++;
    response.writeHead(200, { 'content-type': 'application/jwk-set+json' });
    response.end(JSON.stringify({ keys: state.keys }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/jwks.json`,
    get keys() {
      return state.keys;
    },
    set keys(value) {
      state.keys = value;
    },
    get requests() {
      return state.requests;
    },
    set requests(value) {
      state.requests = value;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/**
 * A fetch for openid-client / oauth4webapi (`customFetch`) that remembers every client assertion
 * it sends, for the log-secrecy scan.
 */
export function rememberingFetch(
  url: string,
  options: { body?: unknown } & Record<string, unknown>,
): Promise<Response> {
  if (options.body instanceof URLSearchParams || typeof options.body === 'string') {
    const form = new URLSearchParams(options.body);
    rememberSecrets(form.get('client_assertion') ?? undefined);
  }
  return fetch(url, options as RequestInit).then((response) => {
    void response
      .clone()
      .json()
      .then((body: { access_token?: string }) => rememberSecrets(body?.access_token))
      .catch(() => undefined);
    return response;
  });
}
