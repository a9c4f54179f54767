import { randomBytes } from 'node:crypto';
import { DataSource } from 'typeorm';
import { IdentityConfigFile, ReservedClaimTypes, validateWith } from '@nest-identity/shared';
import { ClientEntity, ClientSecretEntity } from '../../persistence/entities/client.entity';
import { StoreChanges } from '../../persistence/store-changes';
import { StoreWriter } from '../../persistence/store-writer';
import { ResourceStore } from '../resource-store';
import { matchesAnySecret, sha256 } from '../secret-hash';
import { ConfigFileClientStore, ConfigFileResourceStore } from '../stores/config-file.stores';
import { DatabaseClientStore } from '../stores/database.client-store';
import {
  ClientExists,
  ClientNotFound,
  ClientReadOnly,
  InvalidClientInput,
  SecretNotFound,
} from './client-management.errors';
import { ClientManagementService } from './client-management.service';
import { KnownGrantTypes } from './grant-type-catalog';
import {
  createTestDatabase,
  testSettings,
  type Dialect,
  type TestDatabase,
} from '../../persistence/test-databases.fixture';

const SECRET_HASH = 'K7gNU3sdo+OL0wNhqoVWhr3g6s1xYv72ol/pe/Unols=';

const config = validateWith(
  IdentityConfigFile,
  {
    apiScopes: [{ name: 'api1' }, { name: 'api2' }],
    apiResources: [{ name: 'api1', scopes: ['api1'] }],
    clients: [
      {
        clientId: 'configured',
        clientName: 'From the file',
        enabled: true,
        clientSecrets: [
          { value: SECRET_HASH, expiration: '2030-01-01T00:00:00Z', description: 'first' },
        ],
        allowedGrantTypes: ['client_credentials'],
        allowedScopes: ['api1'],
        accessTokenLifetime: 3600,
        claims: [],
      },
    ],
  },
  'test',
);

function issuesOf(error: unknown): { path: string; message: string }[] {
  if (error instanceof InvalidClientInput) return [...error.issues];
  throw error;
}

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected a rejection');
}

describe.each<Dialect>(['sqlite', 'postgres'])('ClientManagementService on %s', (dialect) => {
  let database: TestDatabase;
  let changes: StoreChanges;
  let resources: ResourceStore;
  let service: ClientManagementService;

  beforeAll(async () => {
    database = await createTestDatabase(dialect);
    changes = new StoreChanges(database.dataSource);
    await changes.poll();
    resources = new ConfigFileResourceStore(config);
    service = new ClientManagementService(
      database.dataSource,
      changes,
      new StoreWriter(database.dataSource, changes),
      new ConfigFileClientStore(config),
      resources,
      new KnownGrantTypes(),
    );
  });

  afterAll(async () => {
    await database?.drop();
  });

  describe('create', () => {
    it('stores a client with a generated 256-bit secret, returned once and kept only as a hash', async () => {
      const { client, secret } = await service.create({
        clientId: 'generated',
        allowedGrantTypes: ['client_credentials'],
        allowedScopes: ['api1', 'identity.admin'],
      });
      expect(secret).toMatch(/^[A-Za-z0-9_-]{43}$/);
      expect(Buffer.from(secret!, 'base64url')).toHaveLength(32);
      expect(client).toEqual({
        clientId: 'generated',
        source: 'database',
        enabled: true,
        clientName: null,
        description: null,
        allowedGrantTypes: ['client_credentials'],
        allowedScopes: ['api1', 'identity.admin'],
        accessTokenLifetime: 3600,
        claims: [],
        accessTokenType: 'jwt',
        requireDPoP: false,
        allowedResources: [],
        jwks: null,
        jwksUri: null,
        secrets: [
          {
            id: expect.any(String),
            description: null,
            expiration: null,
            createdAt: expect.any(String),
          },
        ],
        createdAt: expect.any(String),
        updatedAt: expect.any(String),
      });
      const rows = await database.dataSource
        .getRepository(ClientSecretEntity)
        .findBy({ clientId: 'generated' });
      expect(rows).toHaveLength(1);
      expect(rows[0].sha256).toBe(sha256(secret!).toString('base64'));
      expect(JSON.stringify(rows)).not.toContain(secret);
      expect(JSON.stringify(client)).not.toContain(rows[0].sha256);
    });

    it('stores a supplied secret, its expiration and description, and every setting', async () => {
      const created = await service.create({
        clientId: 'supplied',
        clientName: 'Supplied',
        description: 'a service',
        enabled: false,
        allowedGrantTypes: ['client_credentials'],
        allowedScopes: ['api2'],
        accessTokenLifetime: 60,
        claims: [
          { type: 'tenant', value: 'acme' },
          { type: 'role', value: 'a' },
        ],
        secret: {
          value: 'a-supplied-secret-1',
          description: 'ci',
          expiration: '2099-01-01T00:00:00Z',
        },
      });
      expect(created.secret).toBeUndefined();
      expect(created.client).toMatchObject({
        clientName: 'Supplied',
        description: 'a service',
        enabled: false,
        accessTokenLifetime: 60,
        claims: [
          { type: 'tenant', value: 'acme' },
          { type: 'role', value: 'a' },
        ],
        secrets: [{ description: 'ci', expiration: '2099-01-01T00:00:00.000Z' }],
      });
      expect(await service.show('supplied')).toEqual(created.client);
    });

    it('refuses an id taken by the configuration file or the database', async () => {
      await expect(service.create({ clientId: 'configured' })).rejects.toThrow(
        new ClientExists('configured', 'configuration'),
      );
      await expect(service.create({ clientId: 'generated' })).rejects.toThrow(
        new ClientExists('generated', 'database'),
      );
    });

    it('lets exactly one of two concurrent creations of one id succeed', async () => {
      const results = await Promise.allSettled([
        service.create({ clientId: 'raced' }),
        service.create({ clientId: 'raced' }),
      ]);
      expect(results.map((r) => r.status).sort()).toEqual(['fulfilled', 'rejected']);
      const failure = results.find((r) => r.status === 'rejected');
      expect(failure?.reason).toBeInstanceOf(ClientExists);
    });

    it('reports every invalid field with its path', async () => {
      const issues = issuesOf(
        await rejection(
          service.create({
            clientId: 'has\u0000nul',
            enabled: 'yes',
            accessTokenLifetime: 0,
            claims: [
              { type: 'tenant', value: 'acme' },
              { type: 'sub', value: 'admin' },
            ],
            secret: { value: 'short', expiration: '2001-01-01T00:00:00Z' },
            allowedScope: ['api1'],
          }),
        ),
      );
      expect(issues).toEqual([
        { path: 'allowedScope', message: 'property allowedScope should not exist' },
        {
          path: 'clientId',
          message:
            'must be 1 to 200 printable ASCII characters (RFC 6749 VSCHAR: space to "~"), no control or non-ASCII character',
        },
        { path: 'enabled', message: 'must be a boolean value' },
        { path: 'accessTokenLifetime', message: 'must not be less than 1' },
        {
          path: 'claims[1].type',
          message:
            '"sub" is a protocol claim and cannot be configured (fix: choose another claim type)',
        },
        { path: 'secret.value', message: 'must be longer than or equal to 16 characters' },
        { path: 'secret.expiration', message: 'must be in the future' },
      ]);
    });

    it('refuses a scope that is not defined and a grant type that is not supported', async () => {
      const issues = issuesOf(
        await rejection(
          service.create({
            clientId: 'refs',
            allowedScopes: ['api1', 'nope'],
            allowedGrantTypes: ['password'],
          }),
        ),
      );
      expect(issues).toEqual([
        { path: 'allowedScopes[1]', message: 'scope "nope" is not defined' },
        {
          path: 'allowedGrantTypes[0]',
          message: 'grant type "password" is not supported (supported: client_credentials)',
        },
      ]);
    });

    it('stores the token options (type, DPoP, resources, keys) and changes them', async () => {
      const jwks = { keys: [{ kty: 'OKP', crv: 'Ed25519', x: 'x'.repeat(43) }] };
      const { client } = await service.create({
        clientId: 'options',
        accessTokenType: 'reference',
        requireDPoP: true,
        allowedResources: ['api1'],
        jwks,
      });
      expect(client).toMatchObject({
        accessTokenType: 'reference',
        requireDPoP: true,
        allowedResources: ['api1'],
        jwks,
        jwksUri: null,
      });
      const changed = await service.update('options', {
        accessTokenType: 'jwt',
        jwks: null,
        jwksUri: 'https://client.example/jwks',
      });
      expect(changed).toMatchObject({
        accessTokenType: 'jwt',
        requireDPoP: true,
        jwks: null,
        jwksUri: 'https://client.example/jwks',
      });
    });

    it('refuses an unknown token type and a resource that is not defined', async () => {
      const issues = issuesOf(
        await rejection(service.create({ clientId: 'bad-options', accessTokenType: 'opaque' })),
      );
      expect(issues.map((issue) => issue.path)).toEqual(['accessTokenType']);
      expect(
        issuesOf(
          await rejection(service.create({ clientId: 'bad', allowedResources: ['api1', 'nope'] })),
        ),
      ).toEqual([{ path: 'allowedResources[1]', message: 'API resource "nope" is not defined' }]);
    });

    it('refuses a body that is not an object', async () => {
      expect(issuesOf(await rejection(service.create([])))).toEqual([
        { path: '', message: 'must be a JSON object' },
      ]);
    });

    it('uses the same reserved-claim list as the configuration file', () => {
      expect(ReservedClaimTypes.has('client_id')).toBe(true);
    });
  });

  describe('list and show', () => {
    it('lists the configuration clients first, then the database ones by id, each with its source', async () => {
      const clients = await service.list();
      expect(clients.map(({ clientId, source }) => `${source}:${clientId}`)).toEqual([
        'configuration:configured',
        'database:generated',
        'database:options',
        'database:raced',
        'database:supplied',
      ]);
    });

    it('shows a configuration client without its secret hash', async () => {
      const client = await service.show('configured');
      expect(client).toMatchObject({
        source: 'configuration',
        clientName: 'From the file',
        secrets: [
          {
            id: null,
            description: 'first',
            expiration: '2030-01-01T00:00:00.000Z',
            createdAt: null,
          },
        ],
      });
      expect(JSON.stringify(client)).not.toContain(SECRET_HASH);
    });

    it('says when a client does not exist', async () => {
      await expect(service.show('nobody')).rejects.toThrow(new ClientNotFound('nobody'));
    });
  });

  describe('changes', () => {
    it('updates the properties given and leaves the others', async () => {
      const before = await service.show('supplied');
      const after = await service.update('supplied', {
        allowedScopes: ['api1'],
        clientName: null,
        accessTokenLifetime: 120,
      });
      expect(after).toEqual({
        ...before,
        allowedScopes: ['api1'],
        clientName: null,
        accessTokenLifetime: 120,
        updatedAt: expect.any(String),
      });
    });

    it('refuses null where a property cannot be cleared, and a change of id', async () => {
      expect(
        issuesOf(await rejection(service.update('supplied', { enabled: null, clientId: 'x' }))),
      ).toEqual([
        { path: 'clientId', message: 'property clientId should not exist' },
        { path: 'enabled', message: 'must be a boolean value' },
      ]);
    });

    it('enables and disables', async () => {
      expect((await service.enable('supplied')).enabled).toBe(true);
      expect((await service.disable('supplied')).enabled).toBe(false);
    });

    it('keeps configuration clients read-only', async () => {
      const readOnly = new ClientReadOnly('configured');
      await expect(service.disable('configured')).rejects.toThrow(readOnly);
      await expect(service.delete('configured')).rejects.toThrow(readOnly);
      await expect(service.addSecret('configured')).rejects.toThrow(readOnly);
      await expect(service.removeSecret('configured', 'x')).rejects.toThrow(readOnly);
    });

    it('says when the client to change does not exist', async () => {
      await expect(service.disable('nobody')).rejects.toThrow(new ClientNotFound('nobody'));
      await expect(service.delete('nobody')).rejects.toThrow(new ClientNotFound('nobody'));
    });

    it('rotates secrets: adds a generated and a supplied one, removes one by id', async () => {
      const generated = await service.addSecret('generated', { description: 'next' });
      expect(generated).toEqual({
        id: expect.any(String),
        description: 'next',
        expiration: null,
        createdAt: expect.any(String),
        secret: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/),
      });
      const supplied = await service.addSecret('generated', {
        value: 'another-secret-value',
        expiration: '2099-06-01T00:00:00Z',
      });
      expect(supplied.secret).toBeUndefined();
      const [first] = (await service.show('generated')).secrets;
      await service.removeSecret('generated', first.id!);
      expect((await service.show('generated')).secrets.map((s) => s.id)).toEqual([
        generated.id,
        supplied.id,
      ]);
      await expect(service.removeSecret('generated', first.id!)).rejects.toThrow(
        new SecretNotFound('generated', first.id!),
      );
    });

    it('deletes a client and its secrets', async () => {
      await service.delete('raced');
      await expect(service.show('raced')).rejects.toThrow(ClientNotFound);
      expect(
        await database.dataSource.getRepository(ClientSecretEntity).countBy({ clientId: 'raced' }),
      ).toBe(0);
      expect(
        await database.dataSource.getRepository(ClientEntity).countBy({ clientId: 'raced' }),
      ).toBe(0);
    });
  });

  describe('secrets kept for client_secret_jwt', () => {
    const encryptionKey = randomBytes(32);

    it('are refused without IDENTITY_KEY_ENCRYPTION_KEY, naming the field', async () => {
      const error = await rejection(
        service.create({ clientId: 'hmac-nokey', secret: { clientSecretJwt: true } }),
      );
      expect(issuesOf(error)).toEqual([
        {
          path: 'secret.clientSecretJwt',
          message:
            'needs IDENTITY_KEY_ENCRYPTION_KEY, to keep the secret encrypted (fix: set it, or leave clientSecretJwt out)',
        },
      ]);
    });

    it('are kept encrypted, and only they give the token endpoint an HMAC key', async () => {
      const settings = testSettings({
        keys: { ...testSettings().keys, encryptionKey },
      });
      const keeping = new ClientManagementService(
        database.dataSource,
        changes,
        new StoreWriter(database.dataSource, changes),
        new ConfigFileClientStore(config),
        resources,
        new KnownGrantTypes(),
        undefined,
        settings,
      );
      const { secret } = await keeping.create({
        clientId: 'hmac',
        secret: { clientSecretJwt: true },
      });
      const added = await keeping.addSecret('hmac', { value: 'a-plain-hashed-only-secret' });
      const stored = await database.dataSource
        .getRepository(ClientSecretEntity)
        .findBy({ clientId: 'hmac' });
      const sealed = stored.find(({ id }) => id !== added.id)!.jwtSecret;
      expect(sealed).toMatch(/^enc:v1:/);
      expect(sealed).not.toContain(secret);
      expect(stored.find(({ id }) => id === added.id)!.jwtSecret).toBeNull();

      const client = await new DatabaseClientStore(
        database.dataSource,
        changes,
        settings,
      ).findClientById('hmac');
      const keys = client!.secrets.map((s) => s.hmacKey?.toString('utf8'));
      expect(keys.sort()).toEqual([secret, undefined]);
      // Without the key (or with another), the secret still authenticates by hash, not by HMAC.
      const other = testSettings({
        keys: { ...testSettings().keys, encryptionKey: randomBytes(32) },
      });
      const unreadable = await new DatabaseClientStore(
        database.dataSource,
        changes,
        other,
      ).findClientById('hmac');
      expect(unreadable!.secrets.every((s) => s.hmacKey === undefined)).toBe(true);
      expect(matchesAnySecret(secret!, unreadable!.secrets, new Date())).toBe(true);
    });
  });

  describe('what the token endpoint sees', () => {
    it('sees a write at once in this process, even an id it had looked up before', async () => {
      const store = new DatabaseClientStore(database.dataSource, changes);
      store.onModuleInit();
      expect(await store.findClientById('fresh')).toBeUndefined();
      const { secret } = await service.create({ clientId: 'fresh' });
      const client = await store.findClientById('fresh');
      expect(client?.enabled).toBe(true);
      expect(matchesAnySecret(secret!, client!.secrets, new Date())).toBe(true);
      await service.disable('fresh');
      expect((await store.findClientById('fresh'))?.enabled).toBe(false);
    });

    it('answers unknown ids without a query per id, so they take as long as known ones', async () => {
      const store = new DatabaseClientStore(database.dataSource, changes);
      store.onModuleInit();
      await service.create({ clientId: 'queried' });
      const findOne = jest.spyOn(database.dataSource.getRepository(ClientEntity), 'findOne');
      try {
        for (let i = 0; i < 20; i++)
          expect(await store.findClientById(`made-up-${i}`)).toBeUndefined();
        expect(findOne).not.toHaveBeenCalled();
        expect((await store.findClientById('queried'))?.clientId).toBe('queried');
        expect(findOne).toHaveBeenCalledTimes(1);
      } finally {
        findOne.mockRestore();
      }
    });

    it('sees a write of another process within a second', async () => {
      const replica = await createReplica(database);
      try {
        expect(await replica.store.findClientById('elsewhere')).toBeUndefined();
        await service.create({ clientId: 'elsewhere' });
        const seenAfter = await waitFor(
          async () => (await replica.store.findClientById('elsewhere')) !== undefined,
        );
        expect(seenAfter).toBeLessThan(1000);
      } finally {
        await replica.close();
      }
    });
  });
});

/** Another replica on the same database: its own connection, change poller and client cache. */
async function createReplica(database: TestDatabase) {
  const dataSource = await new DataSource(database.dataSource.options).initialize();
  const changes = new StoreChanges(dataSource);
  const store = new DatabaseClientStore(dataSource, changes);
  store.onModuleInit();
  await changes.onApplicationBootstrap();
  return {
    store,
    close: async () => {
      changes.onModuleDestroy();
      await dataSource.destroy();
    },
  };
}

/** Milliseconds until `condition` holds (checked every 20 ms), failing after 2 s. */
async function waitFor(condition: () => Promise<boolean>): Promise<number> {
  const start = Date.now();
  while (!(await condition())) {
    if (Date.now() - start > 2000) throw new Error('the condition never held');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return Date.now() - start;
}
