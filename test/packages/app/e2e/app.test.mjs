// The fresh app's own end-to-end test, run with `node --test` inside the app's folder by
// test/packages/run.mjs: the app (dist/main.js) as a real process, called over real HTTP.
import { spawn } from 'node:child_process';
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { URLSearchParams } from 'node:url';

const authority = process.env.AUTHORITY_URL;
const api = process.env.API_URL;
const basic = (id, secret) =>
  'Basic ' +
  Buffer.from(`${encodeURIComponent(id)}:${encodeURIComponent(secret)}`).toString('base64');
const ordersClient = basic('orders-client', process.env.ORDERS_CLIENT_SECRET);
const otherClient = basic('other-client', process.env.OTHER_CLIENT_SECRET);

let app;
let output = '';

before(async () => {
  app = spawn(process.execPath, ['dist/main.js'], { stdio: ['ignore', 'pipe', 'pipe'] });
  app.stdout.on('data', (chunk) => (output += chunk));
  app.stderr.on('data', (chunk) => (output += chunk));
  const deadline = Date.now() + 30_000;
  while (!output.includes('ready')) {
    if (app.exitCode !== null || Date.now() > deadline) {
      throw new Error(`the app did not start:\n${output}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
});

after(() => app?.kill());

async function token(authorization, form) {
  const response = await fetch(`${authority}/connect/token`, {
    method: 'POST',
    headers: { authorization, 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(form),
  });
  return { status: response.status, body: await response.json(), headers: response.headers };
}

function claimsOf(jwt) {
  return JSON.parse(Buffer.from(jwt.split('.')[1], 'base64url').toString());
}

test('discovery advertises the extension grant', async () => {
  const metadata = await (await fetch(`${authority}/.well-known/openid-configuration`)).json();
  assert.equal(metadata.issuer, authority);
  assert.ok(metadata.grant_types_supported.includes('urn:example:grant-type:partner-key'));
  const jwks = await (await fetch(metadata.jwks_uri)).json();
  assert.ok(jwks.keys.length > 0);
});

test('the extension grant issues a token with the custom claim', async () => {
  const { status, body, headers } = await token(ordersClient, {
    grant_type: 'urn:example:grant-type:partner-key',
    partner_key: process.env.PARTNER_KEY,
  });
  assert.equal(status, 200, JSON.stringify(body));
  assert.equal(headers.get('cache-control'), 'no-store');
  const claims = claimsOf(body.access_token);
  assert.equal(claims.client_id, 'orders-client');
  assert.equal(claims.aud, 'orders');
  assert.equal(claims.tenant, 'acme');
});

test('the extension grant refuses a wrong partner key with invalid_grant', async () => {
  const { status, body } = await token(ordersClient, {
    grant_type: 'urn:example:grant-type:partner-key',
    partner_key: 'wrong',
  });
  assert.equal(status, 400);
  assert.equal(body.error, 'invalid_grant');
});

test('client credentials: a wrong secret is invalid_client, a repeated parameter invalid_request', async () => {
  const wrong = await token(basic('orders-client', 'wrong'), { grant_type: 'client_credentials' });
  assert.equal(wrong.status, 401);
  assert.equal(wrong.body.error, 'invalid_client');
  assert.match(wrong.headers.get('www-authenticate') ?? '', /^Basic realm=/);
  const repeated = await fetch(`${authority}/connect/token`, {
    method: 'POST',
    headers: { authorization: ordersClient, 'content-type': 'application/x-www-form-urlencoded' },
    body: 'grant_type=client_credentials&scope=orders.read&scope=orders.read',
  });
  assert.equal(repeated.status, 400);
  assert.equal((await repeated.json()).error, 'invalid_request');
});

test('the protected route: 401 without a token, 403 without the scope, 200 with it', async () => {
  const none = await fetch(`${api}/orders`);
  assert.equal(none.status, 401);
  assert.equal(none.headers.get('www-authenticate'), 'Bearer');

  const other = await token(otherClient, { grant_type: 'client_credentials' });
  assert.equal(other.status, 200, JSON.stringify(other.body));
  const forbidden = await fetch(`${api}/orders`, {
    headers: { authorization: `Bearer ${other.body.access_token}` },
  });
  assert.equal(forbidden.status, 403);
  assert.match(forbidden.headers.get('www-authenticate') ?? '', /error="insufficient_scope"/);

  const granted = await token(ordersClient, { grant_type: 'client_credentials' });
  const ok = await fetch(`${api}/orders`, {
    headers: { authorization: `Bearer ${granted.body.access_token}` },
  });
  assert.equal(ok.status, 200);
  assert.deepEqual(await ok.json(), {
    caller: 'orders-client',
    tenant: 'acme',
    orders: [{ id: 1 }],
  });

  const forged = granted.body.access_token.slice(0, -4) + 'AAAA';
  const invalid = await fetch(`${api}/orders`, { headers: { authorization: `Bearer ${forged}` } });
  assert.equal(invalid.status, 401);
  assert.match(invalid.headers.get('www-authenticate') ?? '', /error="invalid_token"/);
});

test('a service calls the protected route through the token client', async () => {
  const response = await fetch(`${api}/relay`);
  assert.equal(response.status, 200);
  assert.deepEqual(await response.json(), {
    status: 200,
    body: { caller: 'orders-client', tenant: 'acme', orders: [{ id: 1 }] },
  });
});
