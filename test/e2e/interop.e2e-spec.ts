import {
  clients,
  startIdentity,
  startWeatherApi,
  writeRichConfig,
  type RunningApp,
  type RunningIdentity,
} from '../support';

type OpenIdClient = typeof import('openid-client');
type OAuth4WebApi = typeof import('oauth4webapi');

// Off-the-shelf certified clients talk to the authority and the API without adaptation:
// openid-client v6 (both client authentication methods) and oauth4webapi's RFC 9068 validator.
describe('interoperability', () => {
  let identity: RunningIdentity;
  let api: RunningApp;
  let client: OpenIdClient;
  let oauth: OAuth4WebApi;

  beforeAll(async () => {
    // ESM-only packages: the e2e project runs with --experimental-vm-modules for this.
    [client, oauth] = await Promise.all([import('openid-client'), import('oauth4webapi')]);
    identity = await startIdentity({ configFile: writeRichConfig() });
    api = await startWeatherApi({ env: { AUTHORITY: identity.url } });
  });
  afterAll(() => Promise.all([api?.stop(), identity?.stop()]));

  async function clientCredentials(
    credentials: { id: string; secret: string },
    method: 'basic' | 'post',
  ) {
    const auth = method === 'basic' ? client.ClientSecretBasic() : client.ClientSecretPost();
    const config = await client.discovery(
      new URL(identity.url),
      credentials.id,
      credentials.secret,
      auth,
      { execute: [client.allowInsecureRequests] },
    );
    return { config, tokens: await client.clientCredentialsGrant(config, { scope: 'api1' }) };
  }

  describe('openid-client', () => {
    it.each(['basic', 'post'] as const)(
      'gets a token with client_secret_%s and calls the API with it',
      async (method) => {
        const { config, tokens } = await clientCredentials(clients.standard, method);

        expect(tokens.token_type).toBe('bearer'); // openid-client lower-cases it
        expect(tokens.scope).toBe('api1');
        expect(tokens.expiresIn()).toBeGreaterThan(3500);
        const response = await client.fetchProtectedResource(
          config,
          tokens.access_token,
          new URL(`${api.url}/weatherforecast`),
          'GET',
        );
        expect(response.status).toBe(200);
        expect(await response.json()).toHaveLength(5);
      },
    );

    it('form-urlencodes Basic credentials as the authority expects (special characters)', async () => {
      const { tokens } = await clientCredentials(clients.special, 'basic');

      expect(tokens.access_token).toEqual(expect.any(String));
    });

    it("surfaces the authority's invalid_client error for a wrong secret (post)", async () => {
      await expect(
        clientCredentials({ id: clients.standard.id, secret: 'wrong' }, 'post'),
      ).rejects.toMatchObject({ name: 'ResponseBodyError', error: 'invalid_client', status: 401 });
    });

    it('surfaces the Basic challenge for a wrong secret (basic)', async () => {
      await expect(
        clientCredentials({ id: clients.standard.id, secret: 'wrong' }, 'basic'),
      ).rejects.toMatchObject({
        name: 'WWWAuthenticateChallengeError',
        status: 401,
        cause: [{ scheme: 'basic', parameters: { realm: expect.any(String) } }],
      });
    });
  });

  describe("oauth4webapi's validateJwtAccessToken (RFC 9068)", () => {
    async function authorizationServer() {
      const issuer = new URL(identity.url);
      const response = await oauth.discoveryRequest(issuer, {
        [oauth.allowInsecureRequests]: true,
      });
      return oauth.processDiscoveryResponse(issuer, response);
    }

    async function tokenFor(credentials: { id: string; secret: string }): Promise<string> {
      return (await clientCredentials(credentials, 'basic')).tokens.access_token;
    }

    function bearerRequest(token: string): Request {
      return new Request(`${api.url}/weatherforecast`, {
        headers: { authorization: `Bearer ${token}` },
      });
    }

    it('accepts our access token for its audience', async () => {
      const as = await authorizationServer();
      const token = await tokenFor(clients.withClaims);

      const claims = await oauth.validateJwtAccessToken(as, bearerRequest(token), 'api1', {
        [oauth.allowInsecureRequests]: true,
      });

      expect(claims).toMatchObject({
        iss: identity.url,
        sub: clients.withClaims.id,
        client_id: clients.withClaims.id,
        aud: 'api1',
        scope: 'api1',
        tenant: 'acme',
      });
    });

    it('rejects it for another audience (the validator really validates)', async () => {
      const as = await authorizationServer();
      const token = await tokenFor(clients.standard);

      await expect(
        oauth.validateJwtAccessToken(as, bearerRequest(token), 'api2', {
          [oauth.allowInsecureRequests]: true,
        }),
      ).rejects.toThrow(/aud/);
    });

    it('rejects it once tampered with', async () => {
      const as = await authorizationServer();
      const [header, payload, signature] = (await tokenFor(clients.standard)).split('.');
      const tampered = `${header}.${payload}.${signature.slice(0, -4)}AAAA`;

      await expect(
        oauth.validateJwtAccessToken(as, bearerRequest(tampered), 'api1', {
          [oauth.allowInsecureRequests]: true,
        }),
      ).rejects.toThrow();
    });
  });
});
