import { TypeOrmModule, getDataSourceToken } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { hashSecret } from './clients/secret-hash';
import { basic } from './http/oauth-form.fixture';
import { mountIdentity, type MountedIdentity } from './mounted-identity.fixture';
import { IdentityDataSourceToken } from './persistence/identity-data-source';

// A host app with a TypeORM database of its own (TypeORM's default data source) mounts the
// authority: each keeps its own (docs/extending.md, "Mount the authority in your app").
const ISSUER = 'https://id.example.test';
const SECRET = 'a-secret-of-the-host-data-source-spec';
const config = {
  apiScopes: [{ name: 'api1' }],
  apiResources: [{ name: 'api1', scopes: ['api1'] }],
  clients: [
    {
      clientId: 'svc',
      clientSecrets: [{ value: hashSecret(SECRET) }],
      allowedGrantTypes: ['client_credentials'],
      allowedScopes: ['api1'],
    },
  ],
};

describe('the authority mounted beside the host app’s own TypeORM database', () => {
  let identity: MountedIdentity;

  beforeAll(async () => {
    identity = await mountIdentity('express', config, ISSUER, [
      TypeOrmModule.forRoot({ type: 'better-sqlite3', database: ':memory:' }),
    ]);
  });

  afterAll(() => identity?.close());

  it('leaves the default data source to the host, and keeps its own apart', () => {
    const hosts = identity.app.get<DataSource>(getDataSourceToken());
    const identitys = identity.app.get<DataSource>(IdentityDataSourceToken);
    expect(hosts).not.toBe(identitys);
    expect(hosts.options.database).toBe(':memory:');
    expect(identitys.options.database).toMatch(/identity\.sqlite$/);
    expect(hosts.entityMetadatas.map((entity) => entity.tableName)).toEqual([]);
  });

  it('issues tokens from its own store', async () => {
    const response = await fetch(`${identity.url}/connect/token`, {
      method: 'POST',
      headers: {
        authorization: basic('svc', SECRET),
        'content-type': 'application/x-www-form-urlencoded',
      },
      body: 'grant_type=client_credentials',
    });
    expect(response.status).toBe(200);
    expect(((await response.json()) as { scope: string }).scope).toBe('api1');
  });
});
