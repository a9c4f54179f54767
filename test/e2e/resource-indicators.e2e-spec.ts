import {
  decodeJwt,
  hashSecret,
  postToken,
  startIdentity,
  writeConfig,
  type RunningIdentity,
  type TokenResponseBody,
} from '../support';

type OpenIdClient = typeof import('openid-client');

/**
 * RFC 8707 resource indicators at the token endpoint: `resource` (absolute URI, may repeat)
 * chooses the token's audience among the API resources the client is allowed; anything else is
 * `invalid_target`. Without `resource`, nothing changes (docs/protocols/resource-indicators.md).
 */
const ORDERS_URI = 'https://orders.example.com/';
const BILLING = 'urn:example:billing';
const API1_URI = 'https://api1.example.com';

const indicating = { id: 'indicating', secret: 'indicating-secret-4e1f' };
const notAllowed = { id: 'not-allowed', secret: 'not-allowed-secret-9c2d' };

const config = {
  apiScopes: [
    { name: 'api1' },
    { name: 'orders.read' },
    { name: 'orders.write' },
    { name: 'billing.read' },
  ],
  apiResources: [
    { name: 'api1', scopes: ['api1'], uri: API1_URI },
    { name: 'orders', scopes: ['orders.read', 'orders.write'], uri: ORDERS_URI },
    // A name that is itself an absolute URI identifies the resource as it is.
    { name: BILLING, scopes: ['billing.read'] },
  ],
  clients: [
    {
      clientId: indicating.id,
      clientSecrets: [{ value: hashSecret(indicating.secret) }],
      allowedGrantTypes: ['client_credentials'],
      allowedScopes: ['api1', 'orders.read', 'billing.read'],
      allowedResources: ['orders', BILLING],
    },
    {
      clientId: notAllowed.id,
      clientSecrets: [{ value: hashSecret(notAllowed.secret) }],
      allowedGrantTypes: ['client_credentials'],
      allowedScopes: ['api1', 'orders.read'],
    },
  ],
};

describe('resource indicators (RFC 8707)', () => {
  let identity: RunningIdentity;
  let oidc: OpenIdClient;

  beforeAll(async () => {
    oidc = await import('openid-client');
    identity = await startIdentity({ configFile: writeConfig(config) });
  });
  afterAll(() => identity?.stop());

  function request(form: [string, string][], client = indicating) {
    return postToken(identity.url, {
      form: [['grant_type', 'client_credentials'], ...form],
      basic: client,
    });
  }

  function claims(response: { json: unknown }): Record<string, unknown> {
    return decodeJwt((response.json as TokenResponseBody).access_token).payload;
  }

  async function openIdConfiguration() {
    return oidc.discovery(
      new URL(identity.url),
      indicating.id,
      indicating.secret,
      oidc.ClientSecretBasic(),
      { execute: [oidc.allowInsecureRequests] },
    );
  }

  describe('with openid-client', () => {
    it('gets a token whose aud is the one resource named by its uri, with its scopes', async () => {
      const tokens = await oidc.clientCredentialsGrant(await openIdConfiguration(), {
        resource: ORDERS_URI,
      });

      expect(tokens.scope).toBe('orders.read');
      const payload = decodeJwt(tokens.access_token).payload;
      expect(payload).toMatchObject({ aud: 'orders', scope: 'orders.read' });
    });

    it('names several resources with a repeated resource parameter', async () => {
      const tokens = await oidc.clientCredentialsGrant(
        await openIdConfiguration(),
        new URLSearchParams([
          ['resource', ORDERS_URI],
          ['resource', BILLING],
          ['scope', 'orders.read billing.read'],
        ]),
      );

      expect(tokens.scope).toBe('orders.read billing.read');
      expect(decodeJwt(tokens.access_token).payload.aud).toEqual(['orders', BILLING]);
    });

    it('surfaces invalid_target for a resource the client may not ask for', async () => {
      await expect(
        oidc.clientCredentialsGrant(await openIdConfiguration(), { resource: API1_URI }),
      ).rejects.toMatchObject({ name: 'ResponseBodyError', error: 'invalid_target', status: 400 });
    });
  });

  it('names a resource whose name is an absolute URI by that name', async () => {
    const response = await request([['resource', BILLING]]);

    expect(response.status).toBe(200);
    expect(response.json).toMatchObject({ token_type: 'Bearer', scope: 'billing.read' });
    expect(claims(response)).toMatchObject({ aud: BILLING, scope: 'billing.read' });
  });

  it('without resource, keeps the audience rule of the contract (every resource of the scopes)', async () => {
    const response = await request([]);

    expect(response.status).toBe(200);
    expect(claims(response)).toMatchObject({
      aud: ['api1', 'orders', BILLING],
      scope: 'api1 orders.read billing.read',
    });
  });

  it('still refuses any other repeated parameter', async () => {
    const response = await request([
      ['scope', 'api1'],
      ['scope', 'orders.read'],
    ]);

    expect(response.status).toBe(400);
    expect(response.json).toEqual({
      error: 'invalid_request',
      error_description: 'the parameter scope is repeated',
    });
  });

  describe('errors', () => {
    it.each([
      ['a relative URI', '/orders', 'a resource must be an absolute URI without a fragment'],
      ['a bare name', 'orders', 'a resource must be an absolute URI without a fragment'],
      [
        'a URI with a fragment',
        `${ORDERS_URI}#part`,
        'a resource must be an absolute URI without a fragment',
      ],
      ['an unknown URI', 'https://unknown.example.com/', 'a requested resource is unknown'],
      ['a known URI with another path', `${ORDERS_URI}x`, 'a requested resource is unknown'],
      [
        'a resource not in allowedResources',
        API1_URI,
        'the client may not request the resource api1',
      ],
    ])('refuses %s with 400 invalid_target', async (_case, value, description) => {
      const response = await request([['resource', value]]);

      expect(response.status).toBe(400);
      expect(response.headers.get('cache-control')).toBe('no-store');
      expect(response.json).toEqual({ error: 'invalid_target', error_description: description });
    });

    it('refuses one bad value among good ones', async () => {
      const response = await request([
        ['resource', ORDERS_URI],
        ['resource', 'https://unknown.example.com/'],
      ]);

      expect(response.status).toBe(400);
      expect((response.json as { error: string }).error).toBe('invalid_target');
    });

    it('refuses any resource from a client with no allowedResources', async () => {
      const response = await request([['resource', ORDERS_URI]], notAllowed);

      expect(response.status).toBe(400);
      expect(response.json).toEqual({
        error: 'invalid_target',
        error_description: 'the client may not request the resource orders',
      });
    });

    it('refuses a requested scope that no named resource holds with invalid_scope', async () => {
      const response = await request([
        ['resource', ORDERS_URI],
        ['scope', 'orders.read api1'],
      ]);

      expect(response.status).toBe(400);
      expect(response.json).toEqual({
        error: 'invalid_scope',
        error_description: 'no requested resource holds the scope api1',
      });
    });

    it('refuses a scope of the resource that the client is not allowed with invalid_scope', async () => {
      const response = await request([
        ['resource', ORDERS_URI],
        ['scope', 'orders.write'],
      ]);

      expect(response.status).toBe(400);
      expect(response.json).toEqual({
        error: 'invalid_scope',
        error_description: 'the client may not request the scope orders.write',
      });
    });

    it('refuses more than ten resource values with invalid_request', async () => {
      const response = await request(Array.from({ length: 11 }, () => ['resource', BILLING]));

      expect(response.status).toBe(400);
      expect(response.json).toEqual({
        error: 'invalid_request',
        error_description: 'the parameter resource is repeated more than 10 times',
      });
    });
  });
});
