// What a counted response must be. Each check sees every 2xx response (non-2xx responses and
// socket errors are counted by autocannon) and tallies the ones that are not what they should be.
import { constants, createPublicKey, verify } from 'node:crypto';

/** node:crypto parameters of each JWS algorithm (RFC 7518, RFC 8037), as apps/identity's jws.ts. */
const JWS = {
  RS256: { digest: 'sha256', options: { padding: constants.RSA_PKCS1_PADDING } },
  PS256: {
    digest: 'sha256',
    options: { padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 32 },
  },
  ES256: { digest: 'sha256', options: { dsaEncoding: 'ieee-p1363' } },
  EdDSA: { digest: null, options: {} },
};

/** How many 2xx responses were checked, how many failed and why (counted by reason). */
class Tally {
  constructor() {
    this.reset();
  }

  reset() {
    this.checked = 0;
    this.failed = 0;
    this.signatures = 0;
    this.reasons = {};
  }

  fail(reason) {
    this.failed++;
    this.reasons[reason] = (this.reasons[reason] ?? 0) + 1;
  }

  snapshot() {
    return {
      checked: this.checked,
      failed: this.failed,
      signatures: this.signatures,
      reasons: { ...this.reasons },
    };
  }
}

export async function fetchJson(url, init) {
  const response = await fetch(url, { ...init, signal: AbortSignal.timeout(10_000) });
  if (!response.ok) throw new Error(`${init?.method ?? 'GET'} ${url}: HTTP ${response.status}`);
  return response.json();
}

function decodeJson(part) {
  try {
    return JSON.parse(Buffer.from(part, 'base64url').toString('utf8'));
  } catch {
    return undefined;
  }
}

/**
 * Token responses of the client `client` for scope api1. Every response: JSON with a Bearer
 * token and `scope` api1; a compact JWS whose header has the expected alg, typ at+jwt and a kid
 * of the server's JWKS; claims iss (the discovered issuer), client_id, aud api1, scope api1, exp
 * = iat + expires_in in the future, and a jti not seen before in this run. The signature is
 * verified (node:crypto, against the JWKS key) for the first `signFirst` tokens of each run and a
 * random `signShare` of the others, so that verifying does not starve the load generator.
 */
export async function tokenCheck({ baseUrl, alg, signFirst = 1000, signShare = 0.1 }) {
  const discovery = await fetchJson(`${baseUrl}/.well-known/openid-configuration`);
  const jwks = await fetchJson(discovery.jwks_uri);
  const keys = new Map();
  for (const jwk of jwks.keys) {
    if (jwk.use !== undefined && jwk.use !== 'sig') continue;
    keys.set(jwk.kid, { alg: jwk.alg, key: createPublicKey({ key: jwk, format: 'jwk' }) });
  }
  const issuer = discovery.issuer;
  const tally = new Tally();
  const seenJti = new Set();

  const check = (body) => {
    tally.checked++;
    let response;
    try {
      response = JSON.parse(body);
    } catch {
      return tally.fail('body is not JSON');
    }
    const { access_token: token, token_type: tokenType, expires_in: expiresIn } = response;
    if (typeof token !== 'string') return tally.fail('no access_token');
    if (String(tokenType).toLowerCase() !== 'bearer') return tally.fail('token_type not Bearer');
    if (response.scope !== 'api1') return tally.fail('response scope not api1');
    if (!(expiresIn > 0)) return tally.fail('no expires_in');
    const parts = token.split('.');
    if (parts.length !== 3) return tally.fail('not a compact JWS');
    const header = decodeJson(parts[0]);
    const claims = decodeJson(parts[1]);
    if (!header || !claims) return tally.fail('header or claims not JSON');
    if (header.alg !== alg) return tally.fail(`alg ${header.alg}, expected ${alg}`);
    if (String(header.typ).toLowerCase() !== 'at+jwt') return tally.fail('typ not at+jwt');
    const key = keys.get(header.kid);
    if (!key || (key.alg !== undefined && key.alg !== alg)) return tally.fail('kid not in JWKS');
    if (claims.iss !== issuer) return tally.fail('iss');
    if (claims.client_id !== 'client') return tally.fail('client_id');
    if (![claims.aud].flat().includes('api1')) return tally.fail('aud');
    if (!String(claims.scope).split(' ').includes('api1')) return tally.fail('scope claim');
    if (!(claims.exp > Date.now() / 1000) || Math.abs(claims.exp - claims.iat - expiresIn) > 1) {
      return tally.fail('exp');
    }
    if (typeof claims.jti !== 'string' || seenJti.has(claims.jti)) {
      return tally.fail('jti missing or repeated');
    }
    seenJti.add(claims.jti);
    if (tally.checked <= signFirst || Math.random() < signShare) {
      tally.signatures++;
      const { digest, options } = JWS[alg];
      const signed = Buffer.from(`${parts[0]}.${parts[1]}`);
      const signature = Buffer.from(parts[2], 'base64url');
      if (!verify(digest, signed, { key: key.key, ...options }, signature)) {
        return tally.fail('signature does not verify');
      }
    }
  };

  return {
    check,
    tally,
    issuer,
    reset() {
      tally.reset();
      seenJti.clear();
    },
  };
}

const DAY = /^\d{4}-\d{2}-\d{2}$/;

/** weather-api's answer: a JSON array of five forecasts of the template's shape. */
export function forecastCheck() {
  const tally = new Tally();
  const check = (body) => {
    tally.checked++;
    let forecasts;
    try {
      forecasts = JSON.parse(body);
    } catch {
      return tally.fail('body is not JSON');
    }
    if (!Array.isArray(forecasts) || forecasts.length !== 5) return tally.fail('not 5 forecasts');
    for (const day of forecasts) {
      if (
        !DAY.test(day?.date) ||
        !Number.isInteger(day.temperatureC) ||
        !Number.isInteger(day.temperatureF) ||
        typeof day.summary !== 'string'
      ) {
        return tally.fail('forecast shape');
      }
    }
  };
  return { check, tally, reset: () => tally.reset() };
}

/** A response that must be exactly `expected`. */
export function exactCheck(expected) {
  const tally = new Tally();
  const check = (body) => {
    tally.checked++;
    if (body !== expected) tally.fail('unexpected body');
  };
  return { check, tally, reset: () => tally.reset() };
}
