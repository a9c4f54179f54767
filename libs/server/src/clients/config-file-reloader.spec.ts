import { Logger } from '@nestjs/common';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { IdentityConfigFile, validateWith } from '@nest-identity/shared';
import type { AuditEvent } from '../audit/audit-events';
import type { AuditTrail } from '../audit/audit-trail';
import type { IdentitySettings } from '../config/identity-settings';
import { ConfigFileReloader } from './config-file-reloader';
import { ConfigFileClientStore, ConfigFileResourceStore } from './stores/config-file.stores';
import type { DatabaseClientStore } from './stores/database.client-store';

const HASH = 'K7gNU3sdo+OL0wNhqoVWhr3g6s1xYv72ol/pe/Unols=';
const client = (clientId: string, allowedScopes: string[]) => ({
  clientId,
  clientSecrets: [{ value: HASH }],
  allowedGrantTypes: ['client_credentials'],
  allowedScopes,
});
const before = {
  apiScopes: [{ name: 'api1' }],
  apiResources: [{ name: 'api1', scopes: ['api1'] }],
  clients: [client('kept', ['api1']), client('changed', ['api1']), client('removed', ['api1'])],
};
const after = {
  apiScopes: [{ name: 'api1' }, { name: 'api2' }],
  apiResources: [{ name: 'api1', scopes: ['api1'] }],
  // `kept` with its properties in another order: not a change.
  clients: [
    Object.fromEntries(Object.entries(client('kept', ['api1'])).reverse()),
    client('changed', ['api1', 'api2']),
    client('added', ['api2']),
  ],
};

describe('ConfigFileReloader', () => {
  let dir: string;
  let path: string;
  let clients: ConfigFileClientStore;
  let resources: ConfigFileResourceStore;
  let databaseIds: string[] | Error;
  let events: AuditEvent[];
  let reloader: ConfigFileReloader;
  let errors: string[];

  beforeAll(() => (dir = mkdtempSync(join(tmpdir(), 'reloader-'))));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  beforeEach(() => {
    path = join(dir, 'identity.json');
    writeFileSync(path, JSON.stringify(before));
    const loaded = validateWith(IdentityConfigFile, before, path);
    clients = new ConfigFileClientStore(loaded);
    resources = new ConfigFileResourceStore(loaded);
    databaseIds = ['db-client'];
    const database = {
      clientIds: () =>
        databaseIds instanceof Error ? Promise.reject(databaseIds) : Promise.resolve(databaseIds),
    } as unknown as DatabaseClientStore;
    events = [];
    const audit = { record: (event: AuditEvent) => events.push(event) } as unknown as AuditTrail;
    errors = [];
    jest.spyOn(Logger.prototype, 'error').mockImplementation((message: unknown) => {
      errors.push(String(message));
    });
    jest.spyOn(Logger.prototype, 'log').mockImplementation(() => undefined);
    reloader = new ConfigFileReloader(
      { configFile: path, keys: { retentionTimeMs: 14 * 86_400_000 } } as IdentitySettings,
      loaded,
      clients,
      resources,
      database,
      audit,
    );
  });
  afterEach(() => jest.restoreAllMocks());

  const scopeNames = async () => (await resources.getAllApiScopes()).map((scope) => scope.name);

  it('swaps clients, scopes and resources for the new file and tells what changed', async () => {
    writeFileSync(path, JSON.stringify(after));

    const outcome = await reloader.reload();

    const changes = {
      clients: { added: ['added'], removed: ['removed'], changed: ['changed'] },
      apiScopes: { added: ['api2'], removed: [], changed: [] },
      apiResources: { added: [], removed: [], changed: [] },
    };
    expect(outcome).toEqual({ reloaded: true, changes });
    expect(clients.clientIds()).toEqual(['kept', 'changed', 'added']);
    expect((await clients.findClientById('changed'))?.allowedScopes).toEqual(['api1', 'api2']);
    expect(await clients.findClientById('removed')).toBeUndefined();
    expect(clients.findDefinition('added')?.allowedScopes).toEqual(['api2']);
    expect(await scopeNames()).toEqual(['api1', 'api2', 'identity.admin']);
    expect(events).toEqual([
      expect.objectContaining({ name: 'audit.configuration.reloaded', file: path, changes }),
    ]);
  });

  it('answers from the old configuration, whole, until the new one is validated', async () => {
    writeFileSync(path, JSON.stringify(after));
    const reloading = reloader.reload();

    // The file is being read: nothing has moved yet.
    expect(clients.clientIds()).toEqual(['kept', 'changed', 'removed']);
    expect(await scopeNames()).toEqual(['api1', 'identity.admin']);
    await reloading;
    expect(clients.clientIds()).toEqual(['kept', 'changed', 'added']);
    expect(await scopeNames()).toEqual(['api1', 'api2', 'identity.admin']);
  });

  it.each([
    [
      'an invalid file',
      () => writeFileSync(path, JSON.stringify({ ...after, clients: [client('c', ['api9'])] })),
      'clients[0].allowedScopes[0]: scope "api9" is not defined in apiScopes (fix: define it in apiScopes or remove it)',
    ],
    ['a file that is not JSON', () => writeFileSync(path, '{"clients": ['), 'line 1, column 14'],
    ['a file that is gone', () => rmSync(path), 'there is no such file'],
    [
      'a client id the database holds too',
      () => {
        writeFileSync(path, JSON.stringify(after));
        databaseIds = ['added'];
      },
      'clients[2].clientId: "added" is defined both in the configuration file and in the database (fix: remove it from this file, or delete the database client: npm run identity -- clients delete added)',
    ],
    [
      'a database that cannot be asked',
      () => {
        writeFileSync(path, JSON.stringify(after));
        databaseIds = new Error('connect ECONNREFUSED');
      },
      'cannot be checked against the database',
    ],
  ])(
    'keeps the configuration in use on %s, and logs one line naming the file',
    async (_, breakIt, problem) => {
      breakIt();

      const outcome = await reloader.reload();

      expect(outcome).toEqual({ reloaded: false, reason: expect.stringContaining(problem) });
      expect(clients.clientIds()).toEqual(['kept', 'changed', 'removed']);
      expect(await scopeNames()).toEqual(['api1', 'identity.admin']);
      expect(errors).toHaveLength(1);
      expect(errors[0]).toMatch(
        `reload refused, the configuration in use stays: ${path} is invalid: `,
      );
      expect(errors[0]).toContain(problem);
      expect(errors[0]).not.toContain('\n');
      expect(events).toEqual([
        expect.objectContaining({ name: 'audit.configuration.reload_refused', file: path }),
      ]);
    },
  );
});
