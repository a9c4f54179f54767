import {
  adminRequest,
  adminToken,
  createClientRequest,
  decodeJwt,
  eventually,
  hashSecret,
  identityCli,
  managementConfig,
  postToken,
  startIdentity,
  tokenWorks,
  writeConfig,
  type Credentials,
  type RunningIdentity,
  type TokenResponseBody,
} from '../support';

/**
 * RFC 6749 Appendix A.1: a client id is any VSCHAR (%x20-7E) string, and §2.3.1 form-encodes id
 * and secret before Basic. Each id below is used by a client of the configuration file, of the
 * admin API and of the CLI, and gets tokens with client_secret_basic and client_secret_post.
 */
const ids = [
  'm2m:client%1',
  'urn:acme:billing',
  'spiffe://example.org/ns/prod/sa/billing',
  'my client',
  'a:b/c%d+e f',
];
/** A secret with every character form encoding changes: ':', '/', '%', '+' and a space. */
const secretFor = (id: string, source: string) => `s:e/c%r+e t ${source} ${id}`;

describe('client ids: any RFC 6749 VSCHAR string', () => {
  let identity: RunningIdentity;

  beforeAll(async () => {
    const configFile = writeConfig({
      ...managementConfig,
      clients: [
        ...managementConfig.clients,
        ...ids.map((id) => ({
          clientId: `file ${id}`,
          clientSecrets: [{ value: hashSecret(secretFor(id, 'file')) }],
          allowedGrantTypes: ['client_credentials'],
          allowedScopes: ['api1'],
        })),
      ],
    });
    identity = await startIdentity({ configFile });
  });
  afterAll(() => identity?.stop());

  async function expectTokens(client: Credentials): Promise<void> {
    for (const method of ['basic', 'post'] as const) {
      const response = await postToken(identity.url, {
        form: { grant_type: 'client_credentials' },
        [method]: client,
      });
      expect({ method, status: response.status, body: response.json }).toMatchObject({
        status: 200,
        body: { token_type: 'Bearer', scope: 'api1' },
      });
      const { payload } = decodeJwt((response.json as TokenResponseBody).access_token);
      expect(payload).toMatchObject({ sub: client.id, client_id: client.id });
    }
  }

  it.each(ids)('a configuration-file client %j gets tokens with Basic and post', async (id) => {
    await expectTokens({ id: `file ${id}`, secret: secretFor(id, 'file') });
  });

  it.each(ids)(
    'a client %j created through the admin API gets tokens and is addressed by its encoded id',
    async (id) => {
      const token = await adminToken(identity.url);
      const client = { id: `admin ${id}`, secret: secretFor(id, 'admin') };
      const created = await adminRequest(
        identity.url,
        token,
        'POST',
        '/admin/clients',
        createClientRequest(client.id, client.secret),
      );
      expect(created.status).toBe(201);
      const path = `/admin/clients/${encodeURIComponent(client.id)}`;
      expect(created.headers.get('location')).toBe(path);
      await expectTokens(client);
      expect((await adminRequest(identity.url, token, 'GET', path)).json).toMatchObject({
        clientId: client.id,
      });
      expect((await adminRequest(identity.url, token, 'DELETE', path)).status).toBe(204);
    },
  );

  it.each(ids)('a client %j created with the CLI gets tokens', async (id) => {
    const client = { id: `cli ${id}`, secret: secretFor(id, 'cli') };
    const env = { IDENTITY_CONFIG: identity.configFile, IDENTITY_DATA_DIR: identity.dataDir };
    const stdout = await identityCli(
      [
        'clients',
        'create',
        client.id,
        '--grant',
        'client_credentials',
        '--scope',
        'api1',
        '--secret',
        client.secret,
        '--json',
      ],
      env,
    );
    expect(JSON.parse(stdout)).toMatchObject({ clientId: client.id, source: 'database' });
    // The running identity sees the CLI's write at its next poll of the database.
    expect(await eventually(() => tokenWorks(identity.url, client), 5000)).toBe(true);
    await expectTokens(client);
  });
});
