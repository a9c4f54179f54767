import {
  clients,
  decodeJwt,
  fetchJwks,
  getToken,
  keyForToken,
  nowSeconds,
  postToken,
  startIdentity,
  verifiesWith,
  writeRichConfig,
  type RunningIdentity,
  type TokenResponseBody,
} from '../support';

// RFC 6749 §4.4 client credentials, RFC 9068 JWT access tokens: the success paths.
describe('POST /connect/token: client_credentials', () => {
  let identity: RunningIdentity;

  beforeAll(async () => {
    identity = await startIdentity({ configFile: writeRichConfig() });
  });
  afterAll(() => identity?.stop());

  const grant = { grant_type: 'client_credentials' };

  async function issue(
    client: { id: string; secret: string },
    form: Record<string, string> = {},
  ): Promise<TokenResponseBody> {
    const response = await postToken(identity.url, { form: { ...grant, ...form }, basic: client });
    expect(response.status).toBe(200);
    return response.json as TokenResponseBody;
  }

  describe('the response', () => {
    it.each([
      ['client_secret_basic', { basic: clients.standard }],
      ['client_secret_post', { post: clients.standard }],
    ])('with %s is exactly {access_token, token_type, expires_in, scope}', async (_, auth) => {
      const response = await postToken(identity.url, { form: grant, ...auth });

      expect(response.status).toBe(200);
      expect(response.headers.get('cache-control')).toBe('no-store');
      expect(response.headers.get('pragma')).toBe('no-cache');
      expect(response.headers.get('content-type')).toMatch(/^application\/json/);
      expect(response.json).toEqual({
        access_token: expect.stringMatching(/^[\w-]+\.[\w-]+\.[\w-]+$/),
        token_type: 'Bearer',
        expires_in: 3600,
        scope: 'api1',
      });
    });
  });

  describe('the access token (RFC 9068)', () => {
    it('has the header typ at+jwt, alg RS256 and the kid of a JWKS key', async () => {
      const { access_token } = await issue(clients.standard);
      const { header } = decodeJwt(access_token);
      const jwks = await fetchJwks(identity.url);

      expect(header).toEqual({ typ: 'at+jwt', alg: 'RS256', kid: expect.any(String) });
      expect(jwks.keys.map((key) => key.kid)).toContain(header.kid);
    });

    it('carries exactly the RFC 9068 claims, iss defaulting to http://localhost:<port>', async () => {
      const before = nowSeconds();
      const { access_token } = await issue(clients.standard);
      const after = nowSeconds();
      const { payload } = decodeJwt(access_token);

      expect(payload).toEqual({
        iss: `http://localhost:${identity.port}`,
        sub: 'client',
        client_id: 'client',
        aud: 'api1',
        scope: 'api1',
        iat: expect.any(Number),
        nbf: expect.any(Number),
        exp: expect.any(Number),
        jti: expect.any(String),
      });
      const iat = payload.iat as number;
      expect(iat).toBeGreaterThanOrEqual(before);
      expect(iat).toBeLessThanOrEqual(after);
      expect(payload.nbf).toBe(iat);
      expect(payload.exp).toBe(iat + 3600);
    });

    it('is signed by the JWKS key it names', async () => {
      const { access_token } = await issue(clients.standard);
      const jwk = await keyForToken(identity.url, access_token);

      expect(verifiesWith(access_token, jwk)).toBe(true);
      // The check itself can fail: one altered claim breaks the signature.
      const [header, , signature] = access_token.split('.');
      const altered = Buffer.from(
        JSON.stringify({ ...decodeJwt(access_token).payload, scope: 'api1 api2' }),
      ).toString('base64url');
      expect(verifiesWith(`${header}.${altered}.${signature}`, jwk)).toBe(false);
    });

    it('has a jti unique to each token', async () => {
      const first = decodeJwt((await issue(clients.standard)).access_token).payload.jti;
      const second = decodeJwt((await issue(clients.standard)).access_token).payload.jti;

      expect(first).toEqual(expect.any(String));
      expect(second).not.toBe(first);
    });

    it("ends after the client's accessTokenLifetime: exp = iat + 60, expires_in 60", async () => {
      const body = await issue(clients.shortLived);
      const { payload } = decodeJwt(body.access_token);

      expect(body.expires_in).toBe(60);
      expect(payload.exp).toBe((payload.iat as number) + 60);
    });

    it("carries the client's configured claims; a type configured twice is an array", async () => {
      const { payload } = decodeJwt((await issue(clients.withClaims)).access_token);

      expect(payload).toMatchObject({
        sub: 'with-claims',
        client_id: 'with-claims',
        tenant: 'acme',
        role: ['reader', 'auditor'],
      });
    });
  });

  describe('scope and audience', () => {
    it('grants every allowed scope when scope is omitted; aud is an array for two resources', async () => {
      const body = await issue(clients.twoResources);
      const { payload } = decodeJwt(body.access_token);

      expect(body.scope).toBe('api1 api2');
      expect(payload.scope).toBe('api1 api2');
      expect(payload.aud).toEqual(['api1', 'api2']);
    });

    it('grants a requested subset; aud is then the one resource, as a string', async () => {
      const body = await issue(clients.twoResources, { scope: 'api2' });
      const { payload } = decodeJwt(body.access_token);

      expect(body.scope).toBe('api2');
      expect(payload).toMatchObject({ scope: 'api2', aud: 'api2' });
    });

    it('folds repeated scope names and ignores extra spaces', async () => {
      const body = await issue(clients.twoResources, { scope: ' api2  api1 api2 api1 ' });

      expect(body.scope).toBe('api2 api1');
      expect(decodeJwt(body.access_token).payload.scope).toBe('api2 api1');
    });

    it('names the resource holding a scope, not the scope: weather.read gives aud api1', async () => {
      const { payload } = decodeJwt((await issue(clients.readOnly)).access_token);

      expect(payload).toMatchObject({ scope: 'weather.read', aud: 'api1' });
    });
  });

  describe('client authentication', () => {
    it('form-urlencodes the Basic credentials before base64 (RFC 6749 §2.3.1)', async () => {
      const { payload } = decodeJwt((await issue(clients.special)).access_token);

      expect(payload.sub).toBe(clients.special.id);
      expect(payload.client_id).toBe(clients.special.id);
    });

    it('refuses the same Basic credentials when not form-urlencoded', async () => {
      const raw = Buffer.from(`${clients.special.id}:${clients.special.secret}`).toString('base64');
      const response = await postToken(identity.url, {
        form: grant,
        headers: { authorization: `Basic ${raw}` },
      });

      expect(response.status).toBe(401);
      expect(response.json).toMatchObject({ error: 'invalid_client' });
    });

    it('accepts the special-character client with client_secret_post too', async () => {
      const response = await postToken(identity.url, { form: grant, post: clients.special });

      expect(response.status).toBe(200);
    });

    it('rotation: the expired secret is refused, the current one accepted', async () => {
      const { id, expired, current } = clients.rotating;
      const old = await postToken(identity.url, { form: grant, basic: { id, secret: expired } });
      const renewed = await postToken(identity.url, {
        form: grant,
        basic: { id, secret: current },
      });

      expect(old.status).toBe(401);
      expect(old.json).toMatchObject({ error: 'invalid_client' });
      expect(renewed.status).toBe(200);
      expect(decodeJwt((renewed.json as TokenResponseBody).access_token).payload.sub).toBe(id);
    });
  });
});

describe('POST /connect/token with ISSUER set', () => {
  let identity: RunningIdentity;
  const issuer = 'https://id.example.test/tenant-a';

  beforeAll(async () => {
    identity = await startIdentity({ env: { ISSUER: `${issuer}/` } });
  });
  afterAll(() => identity?.stop());

  it('signs tokens with iss = ISSUER (without its trailing slash)', async () => {
    const token = await getToken(identity.url, clients.standard);

    expect(decodeJwt(token).payload.iss).toBe(issuer);
  });
});
