import { IdentityConfigFile, validateWith } from '@nest-identity/shared';
import { KnownGrantTypes } from '../clients/management/grant-type-catalog';
import { ClientManagementService } from '../clients/management/client-management.service';
import {
  ConfigFileClientStore,
  ConfigFileResourceStore,
} from '../clients/stores/config-file.stores';
import type { SigningKeyManager } from '../keys/signing-key-manager';
import { signingKeyServices } from '../keys/signing-keys.fixture';
import type { DatabaseSigningKeyStore } from '../keys/stores/database.signing-key-store';
import { StoreChanges } from '../persistence/store-changes';
import { StoreWriter } from '../persistence/store-writer';
import { createTestDatabase, type TestDatabase } from '../persistence/test-databases.fixture';
import { CLI_ACTOR, ClientChanged, SigningKeyRotated, type AuditEvent } from './audit-events';
import type { AuditTrail } from './audit-trail';

const DAY = 86_400_000;
const SECRET = 'a-secret-of-at-least-16-chars';

const config = validateWith(
  IdentityConfigFile,
  {
    apiScopes: [{ name: 'api1' }],
    apiResources: [{ name: 'api1', scopes: ['api1'] }],
    clients: [],
  },
  'test',
);

/** An audit trail that keeps what it is told. */
function recordingTrail(): { trail: AuditTrail; events: AuditEvent[] } {
  const events: AuditEvent[] = [];
  const trail = { record: (event: AuditEvent) => events.push(event) } as unknown as AuditTrail;
  return { trail, events };
}

describe('audit events', () => {
  let database: TestDatabase;
  let changes: StoreChanges;
  let writer: StoreWriter;

  beforeAll(async () => {
    database = await createTestDatabase('sqlite');
    changes = new StoreChanges(database.dataSource);
    await changes.poll();
    writer = new StoreWriter(database.dataSource, changes);
  });
  afterAll(() => database?.drop());

  describe('ClientChanged, for every change the admin API and the CLI make', () => {
    let service: ClientManagementService;
    let events: AuditEvent[];

    beforeEach(() => {
      const recording = recordingTrail();
      events = recording.events;
      service = new ClientManagementService(
        database.dataSource,
        changes,
        writer,
        new ConfigFileClientStore(config),
        new ConfigFileResourceStore(config),
        new KnownGrantTypes(),
        recording.trail,
      );
    });

    const changesOf = (clientId: string) =>
      events.filter(
        (event): event is ClientChanged =>
          event instanceof ClientChanged && event.clientId === clientId,
      );

    it('records each change with its actor, in order, and never a secret or its hash', async () => {
      const { secret: generated } = await service.create(
        { clientId: 'svc', allowedGrantTypes: ['client_credentials'], allowedScopes: ['api1'] },
        'admin-client',
      );
      await service.update('svc', { clientName: 'Service', allowedScopes: [] }, 'admin-client');
      await service.disable('svc', CLI_ACTOR);
      await service.enable('svc', CLI_ACTOR);
      await service.update('svc', { enabled: false }, 'admin-client');
      const added = await service.addSecret('svc', { value: SECRET }, CLI_ACTOR);
      await service.removeSecret('svc', added.id, 'admin-client');
      await service.delete('svc', CLI_ACTOR);

      expect(
        changesOf('svc').map(({ name, change, actor, details }) => ({
          name,
          change,
          actor,
          details,
        })),
      ).toEqual([
        { name: 'audit.client.changed', change: 'created', actor: 'admin-client', details: {} },
        {
          name: 'audit.client.changed',
          change: 'updated',
          actor: 'admin-client',
          details: { fields: ['clientName', 'allowedScopes'] },
        },
        { name: 'audit.client.changed', change: 'disabled', actor: 'cli', details: {} },
        { name: 'audit.client.changed', change: 'enabled', actor: 'cli', details: {} },
        { name: 'audit.client.changed', change: 'disabled', actor: 'admin-client', details: {} },
        {
          name: 'audit.client.changed',
          change: 'secret_added',
          actor: 'cli',
          details: { secretId: added.id },
        },
        {
          name: 'audit.client.changed',
          change: 'secret_removed',
          actor: 'admin-client',
          details: { secretId: added.id },
        },
        { name: 'audit.client.changed', change: 'deleted', actor: 'cli', details: {} },
      ]);
      const serialised = JSON.stringify(events);
      expect(serialised).not.toContain(generated);
      expect(serialised).not.toContain(SECRET);
    });

    it('records nothing for a change that was refused', async () => {
      await expect(service.delete('missing', CLI_ACTOR)).rejects.toThrow();
      await expect(service.update('missing', { enabled: true }, CLI_ACTOR)).rejects.toThrow();
      await expect(service.create({ clientId: 'bad', allowedScopes: ['nope'] })).rejects.toThrow();
      expect(events).toEqual([]);
    });

    it('leaves the actor unknown when the caller does not name one', async () => {
      await service.create({ clientId: 'anonymous' });
      expect(changesOf('anonymous')).toEqual([
        expect.objectContaining({ change: 'created', actor: undefined }),
      ]);
    });

    it('works without an audit trail', async () => {
      const withoutTrail = new ClientManagementService(
        database.dataSource,
        changes,
        writer,
        new ConfigFileClientStore(config),
        new ConfigFileResourceStore(config),
        new KnownGrantTypes(),
      );
      await expect(withoutTrail.create({ clientId: 'quiet' }, CLI_ACTOR)).resolves.toBeDefined();
      await expect(withoutTrail.delete('quiet', CLI_ACTOR)).resolves.toBeUndefined();
    });
  });

  describe('SigningKeyRotated, for what happens to the signing keys', () => {
    let now: number;
    let events: AuditEvent[];
    let manager: SigningKeyManager;
    let store: DatabaseSigningKeyStore;
    const policy = { rotation: 90 * DAY, propagation: 14 * DAY, retention: 14 * DAY };

    const keyEvents = () =>
      events
        .filter((event): event is SigningKeyRotated => event instanceof SigningKeyRotated)
        .map(({ action, kid, details }) => ({ action, kid, ...details }));

    beforeAll(async () => {
      now = Date.UTC(2026, 0, 1);
      const recording = recordingTrail();
      events = recording.events;
      ({ manager, store } = signingKeyServices(
        database.dataSource,
        changes,
        database.settings,
        () => now,
        recording.trail,
        writer,
      ));
      await store.onModuleInit();
    });

    it('records the first key as created, with its schedule and no key material', async () => {
      const first = (await store.getActiveKey()).kid;
      expect(keyEvents()).toEqual([
        {
          action: 'created',
          kid: first,
          reason: 'first',
          alg: 'RS256',
          generation: 1,
          activatesAt: new Date(now).toISOString(),
          retiresAt: new Date(now + policy.rotation).toISOString(),
        },
      ]);
      expect(JSON.stringify(events)).not.toMatch(/PRIVATE KEY|"d":/);
    });

    it('records the scheduled successor when created, and again when it starts signing', async () => {
      const first = (await store.getActiveKey()).kid;
      events.length = 0;
      now += policy.rotation - policy.propagation;
      await store.maintainNow();
      const [created] = keyEvents();
      expect(created).toEqual(
        expect.objectContaining({ action: 'created', reason: 'successor', generation: 2 }),
      );
      expect(await store.getActiveKey()).toEqual(expect.objectContaining({ kid: first }));
      expect(keyEvents()).toHaveLength(1);

      now += policy.propagation;
      expect((await store.getActiveKey()).kid).toBe(created.kid);
      await store.getActiveKey();
      expect(keyEvents()).toEqual([
        created,
        expect.objectContaining({ action: 'activated', kid: created.kid, previousKid: first }),
      ]);
    });

    it('records a forced rotation with who forced it and what it retired', async () => {
      const signing = (await store.getActiveKey()).kid;
      events.length = 0;
      const kid = await manager.forceRotation(CLI_ACTOR);
      expect(keyEvents()).toEqual([
        expect.objectContaining({
          action: 'forced_rotation',
          kid,
          retired: [signing],
          actor: 'cli',
        }),
      ]);
    });

    it('records each key deleted past its retention', async () => {
      const before = (await manager.listKeys()).map((key) => key.kid);
      events.length = 0;
      now += policy.rotation + policy.retention;
      await store.maintainNow();
      const after = (await manager.listKeys()).map((key) => key.kid);
      const deleted = before.filter((kid) => !after.includes(kid));
      expect(deleted.length).toBeGreaterThan(0);
      expect(keyEvents().filter((event) => event.action === 'deleted')).toEqual(
        deleted.map((kid) => ({ action: 'deleted', kid })),
      );
    });
  });
});
