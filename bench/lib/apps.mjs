// The built apps as `npm run bench` and `npm run soak` start them, and the token requests of the
// seed client (`client`/`secret` of config/identity.json, scope api1).
import autocannon from 'autocannon';
import { spawnSync } from 'node:child_process';
import { tempDir } from './processes.mjs';

export const FORM = { 'content-type': 'application/x-www-form-urlencoded' };
export const POST_BODY =
  'grant_type=client_credentials&client_id=client&client_secret=secret&scope=api1';

/** POST /connect/token for the seed client, with client_secret_basic or client_secret_post. */
export function tokenRequest(method) {
  if (method === 'basic') {
    return {
      method: 'POST',
      path: '/connect/token',
      headers: {
        ...FORM,
        authorization: `Basic ${Buffer.from('client:secret').toString('base64')}`,
      },
      body: 'grant_type=client_credentials&scope=api1',
    };
  }
  return { method: 'POST', path: '/connect/token', headers: FORM, body: POST_BODY };
}

/**
 * What `Server.start` needs for the built identity on a fresh SQLite store with the seed
 * configuration; with `workers`, a node:cluster of that many. RATE_LIMIT is off: a load
 * generator on one address would only measure the throttle.
 */
export function identityServer({ alg = 'RS256', workers = 1, env = {} } = {}) {
  return {
    name: workers > 1 ? `identity×${workers}` : `identity-${alg}`,
    script: 'dist/apps/identity/main.js',
    env: {
      IDENTITY_SIGNING_ALG: alg,
      IDENTITY_DATA_DIR: tempDir('bench-identity-'),
      IDENTITY_CONFIG: 'config/identity.json',
      RATE_LIMIT: 'off',
      IDENTITY_WORKERS: String(workers),
      ...env,
    },
    readyLine: 'identity listening on',
    readyCount: workers,
  };
}

/** What `Server.start` needs for the built weather-api trusting the identity at `authority`. */
export function weatherApiServer(
  authority,
  { name = 'weather-api', nodeArgs = [], env = {} } = {},
) {
  return {
    name,
    script: 'dist/apps/weather-api/main.js',
    nodeArgs,
    env: { AUTHORITY: authority, AUDIENCE: 'api1', REQUIRE_HTTPS_METADATA: 'false', ...env },
    readyLine: 'listening on',
  };
}

/** Mints `count` tokens from the identity (autocannon, 50 at a time). */
export async function mintTokens(identity, count) {
  const tokens = [];
  await autocannon({
    url: identity.url,
    connections: Math.min(50, count),
    amount: count,
    requests: [
      {
        ...tokenRequest('post'),
        onResponse: (status, body) => {
          if (status === 200) tokens.push(JSON.parse(body).access_token);
        },
      },
    ],
  });
  if (tokens.length < count) throw new Error(`minted ${tokens.length} of ${count} tokens`);
  return tokens;
}

/** `npm run build`, unless `skip`; exits with the build's status when it fails. */
export function buildApps({ skip, log }) {
  if (skip) return;
  log('npm run build');
  const build = spawnSync('npm', ['run', 'build'], { stdio: 'inherit' });
  if (build.status !== 0) process.exit(build.status ?? 1);
}
