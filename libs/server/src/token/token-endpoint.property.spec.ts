import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import fc from 'fast-check';
import { hashSecret } from '../clients/secret-hash';
import { startInProcessIdentity, type InProcessIdentity } from '../identity-app.fixture';
import {
  presentsCredentials,
  tokenRequestArbitrary,
  type ArbitraryTokenRequest,
} from '../../../../test/support/arbitraries';

/**
 * Property-based: whatever a client sends to POST /connect/token, the endpoint answers promptly,
 * in the OAuth error format, never with a 5xx, and issues a token only to the right credentials.
 */
const ISSUER = 'http://identity.test';
/** Two clients, so that one's id with the other's secret is among the generated requests. */
const clients = [
  { id: 'prop-client', secret: 'the-right-secret-7f3a9c' },
  { id: 'other-client', secret: 'another-secret-21b8e4' },
];

const config = {
  apiScopes: [{ name: 'api1' }],
  apiResources: [{ name: 'api1', scopes: ['api1'] }],
  clients: clients.map((client) => ({
    clientId: client.id,
    clientSecrets: [{ value: hashSecret(client.secret) }],
    allowedGrantTypes: ['client_credentials'],
    allowedScopes: ['api1'],
  })),
};

const ANSWER_WITHIN_MS = 5000;
const OAUTH_ERRORS = [
  'invalid_request',
  'invalid_client',
  'unsupported_grant_type',
  'unauthorized_client',
  'invalid_scope',
  // RFC 8707: a generated `resource` value names no resource the client may ask for.
  'invalid_target',
];

function tokenClaims(token: unknown): Record<string, unknown> {
  const payload = String(token).split('.')[1] ?? '';
  return JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as Record<string, unknown>;
}

describe('POST /connect/token under arbitrary input', () => {
  let app: NestFastifyApplication;
  let identity: InProcessIdentity;

  beforeAll(async () => {
    identity = await startInProcessIdentity(config, ISSUER);
    app = identity.app;
  });

  afterAll(() => identity?.close());

  async function send(request: ArbitraryTokenRequest) {
    const headers: Record<string, string> = {};
    if (request.contentType !== undefined) headers['content-type'] = request.contentType;
    if (request.authorization !== undefined) headers.authorization = request.authorization;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new Error(`no answer within ${ANSWER_WITHIN_MS} ms`)),
        ANSWER_WITHIN_MS,
      );
    });
    try {
      return await Promise.race([
        app.inject({ method: 'POST', url: '/connect/token', headers, payload: request.body }),
        timeout,
      ]);
    } finally {
      clearTimeout(timer);
    }
  }

  it('never answers 5xx, always answers, and issues a token only to the right credentials', async () => {
    const statuses = new Map<number, number>();
    await fc.assert(
      fc.asyncProperty(tokenRequestArbitrary(clients), async (request) => {
        const response = await send(request);
        statuses.set(response.statusCode, (statuses.get(response.statusCode) ?? 0) + 1);
        expect(response.statusCode).toBeLessThan(500);
        expect(response.headers['cache-control']).toBe('no-store');
        for (const { secret } of clients) expect(response.body).not.toContain(secret);
        const body = response.json<Record<string, unknown>>();
        if (response.statusCode === 200) {
          expect(body).toMatchObject({ token_type: 'Bearer', scope: 'api1' });
          const presented = clients.filter((client) => presentsCredentials(request, client));
          expect(presented.map((client) => client.id)).toContain(
            tokenClaims(body.access_token).client_id,
          );
        } else {
          expect([400, 401, 413]).toContain(response.statusCode);
          expect(OAUTH_ERRORS).toContain(body.error);
          expect(Object.keys(body).sort()).toEqual(['error', 'error_description']);
        }
      }),
      { numRuns: 500 },
    );
    // The generator reaches both sides: some requests succeed, many fail.
    expect(statuses.get(200)).toBeGreaterThan(0);
    expect(statuses.get(400)).toBeGreaterThan(0);
    expect(statuses.get(401)).toBeGreaterThan(0);
  }, 120_000);
});
