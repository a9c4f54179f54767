import {
  JWKS_PATH,
  DISCOVERY_PATH,
  TOKEN_PATH,
  freePort,
  getJson,
  postToken,
  seedClient,
  startIdentity,
  startWeatherApi,
  type RunningApp,
  type RunningIdentity,
} from '../support';

// Issue 6 §1: both apps serve their OpenAPI document at /docs-json and Swagger UI at /docs,
// without a token; the identity answers CORS for the origins of CORS_ORIGINS only, on the token
// endpoint, discovery and JWKS.

type Json = Record<string, unknown>;
const STRICT_CSP = "default-src 'none';frame-ancestors 'none'";

/** An OpenAPI 3 document: version, info, operations with responses, and no dangling $ref. */
function expectOpenApi3(document: Json): void {
  expect(document.openapi).toMatch(/^3\.\d+\.\d+$/);
  expect(document.info).toMatchObject({ title: expect.any(String), version: expect.any(String) });
  const paths = document.paths as Record<string, Record<string, Json>>;
  for (const [path, item] of Object.entries(paths)) {
    for (const [method, operation] of Object.entries(item)) {
      expect([path, method, Object.keys(operation.responses as Json).length > 0]).toEqual([
        path,
        method,
        true,
      ]);
    }
  }
  const refs = JSON.stringify(document).match(/"\$ref":"[^"]*"/g) ?? [];
  for (const ref of refs) {
    const target = ref.slice('"$ref":"#/'.length, -1).split('/');
    const resolved = target.reduce<unknown>(
      (node, key) => (node as Json | undefined)?.[key],
      document,
    );
    expect([ref, resolved]).toEqual([ref, expect.anything()]);
  }
}

function clientCredentialsFlow(document: Json, scheme: string): Json {
  const schemes = (document.components as { securitySchemes: Record<string, Json> })
    .securitySchemes;
  expect(schemes[scheme]).toMatchObject({ type: 'oauth2' });
  return (schemes[scheme].flows as Json).clientCredentials as Json;
}

describe('OpenAPI', () => {
  let identity: RunningIdentity;
  let api: RunningApp;
  let apiWithOverride: RunningApp;

  beforeAll(async () => {
    identity = await startIdentity();
    [api, apiWithOverride] = await Promise.all([
      startWeatherApi({ env: { AUTHORITY: identity.url } }),
      startWeatherApi({
        env: { AUTHORITY: identity.url, OPENAPI_TOKEN_URL: 'http://localhost:5001/connect/token' },
      }),
    ]);
  }, 30_000);
  afterAll(() => Promise.all([api?.stop(), apiWithOverride?.stop(), identity?.stop()]));

  describe('weather-api', () => {
    it('documents GET /weatherforecast: WeatherForecast[], 401, 403, the OAuth2 scope api1', async () => {
      const { status, json } = await getJson(`${api.url}/docs-json`);
      expect(status).toBe(200);
      const document = json as Json;
      expectOpenApi3(document);
      const operation = (document.paths as Record<string, Record<string, Json>>)['/weatherforecast']
        .get;
      expect(operation.security).toEqual([{ oauth2: ['api1'] }]);
      expect(Object.keys(operation.responses as Json).sort()).toEqual(['200', '401', '403']);
      expect(operation.responses).toMatchObject({
        200: {
          content: {
            'application/json': {
              schema: { type: 'array', items: { $ref: '#/components/schemas/WeatherForecast' } },
            },
          },
        },
      });
      const forecast = (document.components as { schemas: Record<string, Json> }).schemas
        .WeatherForecast;
      expect(forecast.required).toEqual(['date', 'temperatureC', 'temperatureF', 'summary']);
      expect(forecast.properties).toMatchObject({
        date: { type: 'string', format: 'date' },
        temperatureC: { type: 'integer' },
        temperatureF: { type: 'integer' },
        summary: { type: 'string', enum: expect.arrayContaining(['Freezing', 'Scorching']) },
      });
    });

    it("points the client-credentials flow at the authority's discovered token endpoint", async () => {
      const { json } = await getJson(`${api.url}/docs-json`);
      expect(clientCredentialsFlow(json as Json, 'oauth2')).toEqual({
        tokenUrl: `${identity.url}${TOKEN_PATH}`,
        scopes: { api1: expect.any(String) },
      });
    });

    it('OPENAPI_TOKEN_URL overrides the token endpoint, in the document and the UI page CSP', async () => {
      const { json } = await getJson(`${apiWithOverride.url}/docs-json`);
      expect(clientCredentialsFlow(json as Json, 'oauth2').tokenUrl).toBe(
        'http://localhost:5001/connect/token',
      );
      const page = await fetch(`${apiWithOverride.url}/docs`);
      await page.arrayBuffer();
      expect(page.headers.get('content-security-policy')).toContain(
        "connect-src 'self' http://localhost:5001;",
      );
    });

    it('starts and serves its document while the authority is down, with its usual token path', async () => {
      const authority = `http://localhost:${await freePort()}`;
      const orphan = await startWeatherApi({ env: { AUTHORITY: authority } });
      try {
        const { status, json } = await getJson(`${orphan.url}/docs-json`);
        expect(status).toBe(200);
        expect(clientCredentialsFlow(json as Json, 'oauth2').tokenUrl).toBe(
          `${authority}${TOKEN_PATH}`,
        );
      } finally {
        await orphan.stop();
      }
    });

    it('serves Swagger UI without a token, with a CSP that lets it run; the API stays strict', async () => {
      const page = await fetch(`${api.url}/docs`);
      expect(page.status).toBe(200);
      expect(page.headers.get('content-type')).toMatch(/^text\/html/);
      expect(await page.text()).toContain('swagger-ui-bundle.js');
      const csp = page.headers.get('content-security-policy') ?? '';
      expect(csp).toContain("script-src 'self';");
      expect(csp).toContain(`connect-src 'self' ${identity.url};`);
      expect(csp).not.toContain("'unsafe-eval'");
      expect(csp).not.toMatch(/script-src[^;]*'unsafe-inline'/);

      const init = await fetch(`${api.url}/docs/swagger-ui-init.js`);
      expect(init.status).toBe(200);
      expect(await init.text()).toContain(`${identity.url}${TOKEN_PATH}`);

      const forecast = await fetch(`${api.url}/weatherforecast`);
      expect(forecast.status).toBe(401);
      expect(forecast.headers.get('www-authenticate')).toBe('Bearer');
      expect(forecast.headers.get('content-security-policy')).toBe(STRICT_CSP);
      const documentResponse = await fetch(`${api.url}/docs-json`);
      await documentResponse.arrayBuffer();
      expect(documentResponse.headers.get('content-security-policy')).toBe(STRICT_CSP);
    });
  });

  describe('identity', () => {
    let document: Json;
    let paths: Record<string, Record<string, Json>>;

    beforeAll(async () => {
      const { status, json } = await getJson(`${identity.url}/docs-json`);
      expect(status).toBe(200);
      document = json as Json;
      paths = document.paths as typeof paths;
    });

    it('is an OpenAPI 3 document of the token endpoint, discovery, JWKS, health and the admin API', () => {
      expectOpenApi3(document);
      expect(Object.keys(paths)).toEqual(
        expect.arrayContaining([
          TOKEN_PATH,
          DISCOVERY_PATH,
          '/.well-known/oauth-authorization-server',
          JWKS_PATH,
          '/health',
          '/health/live',
          '/health/ready',
          '/admin/clients',
          '/admin/clients/{clientId}',
          '/admin/clients/{clientId}/secrets',
          '/admin/clients/{clientId}/secrets/{secretId}',
        ]),
      );
    });

    it('documents the token request form, Basic authentication and each status of the error table', () => {
      const token = paths[TOKEN_PATH].post;
      expect(token.requestBody).toMatchObject({
        content: {
          'application/x-www-form-urlencoded': {
            schema: { $ref: '#/components/schemas/TokenRequestForm' },
          },
        },
      });
      const schemas = (document.components as { schemas: Record<string, Json> }).schemas;
      expect(Object.keys(schemas.TokenRequestForm.properties as Json)).toEqual([
        'grant_type',
        'scope',
        'resource',
        'client_id',
        'client_secret',
      ]);
      expect(schemas.TokenRequestForm.required).toEqual(['grant_type']);
      expect(token.security).toEqual([{ client_secret_basic: [] }, {}]);
      expect((document.components as { securitySchemes: Json }).securitySchemes).toMatchObject({
        client_secret_basic: { type: 'http', scheme: 'basic' },
      });

      const responses = token.responses as Record<string, Json>;
      expect(Object.keys(responses).sort()).toEqual(['200', '400', '401', '413', '429', '503']);
      const exampleErrors = (status: string): string[] => {
        const examples = (responses[status].content as Json)['application/json'] as {
          examples: Record<string, { value: { error: string } }>;
        };
        return [...new Set(Object.values(examples.examples).map((example) => example.value.error))];
      };
      expect(exampleErrors('400').sort()).toEqual([
        'invalid_dpop_proof',
        'invalid_request',
        'invalid_scope',
        'invalid_target',
        'unauthorized_client',
        'unsupported_grant_type',
        'use_dpop_nonce',
      ]);
      expect(exampleErrors('401')).toEqual(['invalid_client']);
      expect(exampleErrors('413')).toEqual(['invalid_request']);
      expect(exampleErrors('429')).toEqual(['temporarily_unavailable']);
      expect(exampleErrors('503')).toEqual(['temporarily_unavailable']);
      expect(schemas.TokenResponseSchema.required).toEqual([
        'access_token',
        'token_type',
        'expires_in',
        'scope',
      ]);
    });

    it('protects the admin API with an identity.admin token from its own token endpoint', () => {
      for (const [path, item] of Object.entries(paths).filter(([path]) =>
        path.startsWith('/admin/'),
      )) {
        for (const operation of Object.values(item)) {
          expect([path, operation.security]).toEqual([
            path,
            [{ admin_oauth2: ['identity.admin'] }, { admin_bearer: [] }],
          ]);
        }
      }
      expect(clientCredentialsFlow(document, 'admin_oauth2')).toEqual({
        tokenUrl: `${identity.url}${TOKEN_PATH}`,
        scopes: { 'identity.admin': expect.any(String) },
      });
      expect(paths['/admin/clients'].post.requestBody).toMatchObject({
        content: {
          'application/json': { schema: { $ref: '#/components/schemas/CreateClientInput' } },
        },
      });
      const schemas = (document.components as { schemas: Record<string, Json> }).schemas;
      expect(schemas.CreateClientInput.required).toEqual(['clientId']);
      expect(paths['/admin/clients/{clientId}'].get.responses).toMatchObject({
        404: { content: { 'application/problem+json': expect.anything() } },
      });
    });

    it('serves Swagger UI without a token', async () => {
      const page = await fetch(`${identity.url}/docs`);
      expect(page.status).toBe(200);
      expect(await page.text()).toContain('swagger-ui-bundle.js');
      expect(page.headers.get('content-security-policy')).toContain(
        `connect-src 'self' ${identity.url};`,
      );
    });
  });
});

describe('CORS on the identity', () => {
  const allowed = 'http://localhost:5003';
  let identity: RunningIdentity;
  let identityWithoutCors: RunningIdentity;

  beforeAll(async () => {
    [identity, identityWithoutCors] = await Promise.all([
      // Throttled hard, to show that preflights are not counted.
      startIdentity({
        env: {
          CORS_ORIGINS: `${allowed}, http://127.0.0.1:8080`,
          RATE_LIMIT: 'on',
          IDENTITY_RATE_LIMIT_ADDRESS: '3/1m',
        },
      }),
      startIdentity(),
    ]);
  }, 30_000);
  afterAll(() => Promise.all([identity?.stop(), identityWithoutCors?.stop()]));

  function preflight(url: string, origin: string, method = 'POST'): Promise<Response> {
    return fetch(url, {
      method: 'OPTIONS',
      headers: {
        origin,
        'access-control-request-method': method,
        'access-control-request-headers': 'authorization, content-type, x-requested-with',
      },
    });
  }

  it('answers a preflight from an allowed origin with 204, without throttling or authentication', async () => {
    for (let attempt = 0; attempt < 6; attempt++) {
      const response = await preflight(`${identity.url}${TOKEN_PATH}`, allowed);
      expect(response.status).toBe(204);
      expect(response.headers.get('access-control-allow-origin')).toBe(allowed);
      expect(response.headers.get('access-control-allow-methods')).toBe('POST');
      expect(response.headers.get('access-control-allow-headers')).toBe(
        'Authorization, Content-Type, X-Requested-With, DPoP',
      );
      expect(response.headers.get('vary')).toContain('Origin');
      expect(response.headers.get('access-control-allow-credentials')).toBeNull();
    }
  });

  it('lets an allowed origin read the token response, and its errors', async () => {
    const issued = await postToken(identity.url, {
      basic: seedClient,
      form: { grant_type: 'client_credentials' },
      headers: { origin: allowed },
    });
    expect(issued.status).toBe(200);
    expect(issued.headers.get('access-control-allow-origin')).toBe(allowed);

    const refused = await postToken(identity.url, {
      basic: { id: seedClient.id, secret: 'wrong-secret' },
      form: { grant_type: 'client_credentials' },
      headers: { origin: 'http://127.0.0.1:8080' },
    });
    expect(refused.status).toBe(401);
    expect(refused.headers.get('access-control-allow-origin')).toBe('http://127.0.0.1:8080');
  });

  it('allows discovery and JWKS to be read, with GET', async () => {
    for (const path of [DISCOVERY_PATH, JWKS_PATH]) {
      const response = await fetch(`${identity.url}${path}`, { headers: { origin: allowed } });
      await response.arrayBuffer();
      expect([path, response.headers.get('access-control-allow-origin')]).toEqual([path, allowed]);
      const pre = await preflight(`${identity.url}${path}`, allowed, 'GET');
      expect([path, pre.status, pre.headers.get('access-control-allow-methods')]).toEqual([
        path,
        204,
        'GET',
      ]);
    }
  });

  it('gives an origin not listed no CORS header at all', async () => {
    for (const origin of ['http://evil.example.com', 'http://localhost:50030', 'null']) {
      const pre = await preflight(`${identity.url}${TOKEN_PATH}`, origin);
      expect(pre.headers.get('access-control-allow-origin')).toBeNull();
      expect(pre.headers.get('access-control-allow-methods')).toBeNull();
      const response = await fetch(`${identity.url}${DISCOVERY_PATH}`, { headers: { origin } });
      await response.arrayBuffer();
      expect(response.headers.get('access-control-allow-origin')).toBeNull();
    }
  });

  it('never opens the admin API or Swagger UI cross-origin', async () => {
    for (const path of ['/admin/clients', '/docs', '/docs-json']) {
      const response = await fetch(`${identity.url}${path}`, { headers: { origin: allowed } });
      await response.arrayBuffer();
      expect([path, response.headers.get('access-control-allow-origin')]).toEqual([path, null]);
    }
    const pre = await preflight(`${identity.url}/admin/clients`, allowed);
    expect(pre.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('sends no CORS header at all without CORS_ORIGINS', async () => {
    const pre = await preflight(`${identityWithoutCors.url}${TOKEN_PATH}`, allowed);
    expect(pre.headers.get('access-control-allow-origin')).toBeNull();
    const issued = await postToken(identityWithoutCors.url, {
      basic: seedClient,
      form: { grant_type: 'client_credentials' },
      headers: { origin: allowed },
    });
    expect(issued.status).toBe(200);
    expect(issued.headers.get('access-control-allow-origin')).toBeNull();
  });
});
