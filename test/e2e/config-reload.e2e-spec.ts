import { writeFileSync } from 'node:fs';
import {
  DISCOVERY_PATH,
  eventually,
  getJson,
  getToken,
  hashSecret,
  postToken,
  rememberSecrets,
  startIdentity,
  startWeatherApi,
  writeConfig,
  type Credentials,
  type RunningApp,
  type RunningIdentity,
} from '../support';

// IDENTITY_CONFIG is re-read on SIGHUP: a valid file applies at once, without a restart and
// without failing a request; an invalid one is refused, logged, and changes nothing.

const steady: Credentials = { id: 'steady', secret: 'steady secret' };
const leaving: Credentials = { id: 'leaving', secret: 'leaving secret' };
const newcomer: Credentials = { id: 'newcomer', secret: 'newcomer secret' };
/** Put in the file by mistake: the refusal must not echo it (log-secrecy checks every log). */
const secretInClear = 'plain-text-secret-4711';
rememberSecrets(secretInClear);

const clientEntry = ({ id, secret }: Credentials, allowedScopes: string[]) => ({
  clientId: id,
  clientSecrets: [{ value: hashSecret(secret) }],
  allowedGrantTypes: ['client_credentials'],
  allowedScopes,
});

/** Before: `steady` may have api1 only, `leaving` exists. */
const before = {
  apiScopes: [{ name: 'api1' }, { name: 'api2' }],
  apiResources: [{ name: 'api1', scopes: ['api1', 'api2'] }],
  clients: [clientEntry(steady, ['api1']), clientEntry(leaving, ['api1'])],
};
/** After: `steady` may have api2 too, `leaving` is gone, `newcomer` and scope api3 are new. */
const after = {
  apiScopes: [{ name: 'api1' }, { name: 'api2' }, { name: 'api3' }],
  apiResources: [{ name: 'api1', scopes: ['api1', 'api2', 'api3'] }],
  clients: [clientEntry(steady, ['api1', 'api2']), clientEntry(newcomer, ['api3'])],
};

function tokenStatus(url: string, client: Credentials, scope?: string): Promise<number> {
  const form: Record<string, string> = { grant_type: 'client_credentials' };
  if (scope) form.scope = scope;
  return postToken(url, { form, basic: client }).then((response) => response.status);
}

/** The `msg` of every JSON log line the app printed. */
function logMessages(app: RunningApp): string[] {
  return app
    .output()
    .split('\n')
    .flatMap((line) => {
      try {
        const entry = JSON.parse(line) as { msg?: unknown };
        return typeof entry.msg === 'string' ? [entry.msg] : [];
      } catch {
        return [];
      }
    });
}

const reloadedLines = (app: RunningApp) =>
  logMessages(app).filter((msg) => msg.startsWith('reloaded '));
const refusedLines = (app: RunningApp) =>
  logMessages(app).filter((msg) => msg.startsWith('reload refused'));

/** Writes `config` over the identity's file and signals it; resolves once it logged the reload. */
async function reloadWith(identity: RunningIdentity, config: unknown): Promise<void> {
  const seen = reloadedLines(identity).length + refusedLines(identity).length;
  writeFileSync(identity.configFile, typeof config === 'string' ? config : JSON.stringify(config));
  identity.process.kill('SIGHUP');
  const logged = () =>
    Promise.resolve(reloadedLines(identity).length + refusedLines(identity).length > seen);
  expect(await eventually(logged, 10_000, 50)).toBe(true);
}

/**
 * Token requests for `client` back to back on `connections` loops until stopped: every status,
 * and every error (a refused or reset connection) by message.
 */
function continuousLoad(url: string, client: Credentials, connections = 4) {
  const statuses: number[] = [];
  const errors: string[] = [];
  let running = true;
  const loops = Array.from({ length: connections }, async () => {
    while (running) {
      try {
        statuses.push(await tokenStatus(url, client, 'api1'));
      } catch (error) {
        errors.push((error as Error).message);
      }
    }
  });
  return {
    async stop() {
      running = false;
      await Promise.all(loops);
      return { statuses, errors };
    },
  };
}

describe('IDENTITY_CONFIG reloaded on SIGHUP', () => {
  describe('a valid change', () => {
    let identity: RunningIdentity;
    beforeAll(async () => {
      identity = await startIdentity({ configFile: writeConfig(before) });
    });
    afterAll(() => identity?.stop());

    it('adds, changes and removes clients and scopes, with every request under load answered', async () => {
      expect(await tokenStatus(identity.url, steady, 'api2')).toBe(400);
      expect(await tokenStatus(identity.url, leaving)).toBe(200);
      expect(await tokenStatus(identity.url, newcomer)).toBe(401);
      const load = continuousLoad(identity.url, steady);

      await reloadWith(identity, after);

      const applied = async () =>
        (await tokenStatus(identity.url, newcomer)) === 200 &&
        (await tokenStatus(identity.url, steady, 'api2')) === 200 &&
        (await tokenStatus(identity.url, leaving)) === 401;
      expect(await eventually(applied, 5_000, 50)).toBe(true);
      // Back and forth twice more under the same load.
      await reloadWith(identity, before);
      expect(
        await eventually(async () => (await tokenStatus(identity.url, leaving)) === 200, 5_000, 50),
      ).toBe(true);
      await reloadWith(identity, after);
      expect(await eventually(applied, 5_000, 50)).toBe(true);
      const { statuses, errors } = await load.stop();

      expect(errors).toEqual([]);
      expect(statuses.length).toBeGreaterThan(0);
      expect(statuses.filter((status) => status !== 200)).toEqual([]);
      expect(identity.process.exitCode).toBeNull();
      expect(reloadedLines(identity)).toEqual([
        `reloaded ${identity.configFile}: clients 1 added, 1 removed, 1 changed; apiScopes 1 added, 0 removed, 0 changed; apiResources 0 added, 0 removed, 1 changed`,
        `reloaded ${identity.configFile}: clients 1 added, 1 removed, 1 changed; apiScopes 0 added, 1 removed, 0 changed; apiResources 0 added, 0 removed, 1 changed`,
        `reloaded ${identity.configFile}: clients 1 added, 1 removed, 1 changed; apiScopes 1 added, 0 removed, 0 changed; apiResources 0 added, 0 removed, 1 changed`,
      ]);
    });

    it('derives discovery from the new file', async () => {
      const { json } = await getJson(`${identity.url}${DISCOVERY_PATH}`);
      expect((json as { scopes_supported: string[] }).scopes_supported).toEqual([
        'api1',
        'api2',
        'api3',
        'identity.admin',
      ]);
    });

    it('records an audit event', () => {
      const audits = identity
        .output()
        .split('\n')
        .filter((line) => line.includes('"audit.configuration.reloaded"'));
      expect(audits).toHaveLength(3);
      expect(JSON.parse(audits[0])).toMatchObject({
        audit: {
          name: 'audit.configuration.reloaded',
          file: identity.configFile,
          changes: { clients: { added: ['newcomer'], removed: ['leaving'], changed: ['steady'] } },
        },
      });
    });
  });

  describe('an invalid change', () => {
    let identity: RunningIdentity;
    beforeAll(async () => {
      identity = await startIdentity({ configFile: writeConfig(before) });
    });
    afterAll(() => identity?.stop());

    it.each([
      [
        'a client allowed an undefined scope',
        { ...after, clients: [...after.clients, clientEntry(leaving, ['api9'])] },
        'clients[2].allowedScopes[0]: scope "api9" is not defined in apiScopes (fix: define it in apiScopes or remove it)',
      ],
      [
        'a secret in clear',
        { ...after, clients: [{ ...after.clients[0], clientSecrets: [{ value: secretInClear }] }] },
        "clients[0].clientSecrets[0].value: must be base64(SHA-256(secret)), never the secret itself (fix: hash it with `npm run hash-secret -- '<secret>'`",
      ],
      ['broken JSON', '{"clients": [\n  {"clientId": "x",,', 'line 2, column 20: not valid JSON'],
    ])(
      '%s: keeps the configuration in use and the process running, and logs why',
      async (_, config, problem) => {
        const refusals = refusedLines(identity).length;

        await reloadWith(identity, config);

        const refused = refusedLines(identity);
        expect(refused).toHaveLength(refusals + 1);
        expect(refused[refusals]).toContain(
          `reload refused, the configuration in use stays: ${identity.configFile} is invalid: `,
        );
        expect(refused[refusals]).toContain(problem);
        expect(refused[refusals]).not.toContain(secretInClear);
        expect(identity.process.exitCode).toBeNull();
        expect(await tokenStatus(identity.url, leaving)).toBe(200);
        expect(await tokenStatus(identity.url, newcomer)).toBe(401);
        expect(reloadedLines(identity)).toEqual([]);
      },
    );

    it('applies the file once it is fixed', async () => {
      await reloadWith(identity, after);
      expect(await tokenStatus(identity.url, newcomer, 'api3')).toBe(200);
    });
  });

  describe('a YAML configuration', () => {
    let identity: RunningIdentity;
    let api: RunningApp;
    const yaml = (clients: Credentials[]) =>
      [
        'apiScopes:',
        '  - name: api1',
        'apiResources:',
        '  - name: api1',
        '    scopes: [api1]',
        'clients:',
        ...clients.flatMap(({ id, secret }) => [
          `  - clientId: ${id}`,
          '    clientSecrets:',
          `      - value: ${hashSecret(secret)}`,
          '    allowedGrantTypes: [client_credentials]',
          '    allowedScopes: [api1]',
        ]),
        '',
      ].join('\n');

    beforeAll(async () => {
      identity = await startIdentity({
        configFile: writeConfig(yaml([steady]), 'identity.yaml'),
      });
      api = await startWeatherApi({ env: { AUTHORITY: identity.url } });
    });
    afterAll(async () => {
      await api?.stop();
      await identity?.stop();
    });

    it('issues tokens that the weather-api accepts, and reloads on SIGHUP', async () => {
      const forecast = async (client: Credentials) =>
        (
          await fetch(`${api.url}/weatherforecast`, {
            headers: { authorization: `Bearer ${await getToken(identity.url, client)}` },
          })
        ).status;
      expect(await forecast(steady)).toBe(200);
      expect(await tokenStatus(identity.url, newcomer)).toBe(401);

      await reloadWith(identity, yaml([steady, newcomer]));

      expect(await forecast(newcomer)).toBe(200);
      await reloadWith(identity, `${yaml([steady])}clients: []\n`);
      expect(refusedLines(identity)).toEqual([
        expect.stringContaining(
          `${identity.configFile} is invalid: line 12, column 1: not valid YAML: a key appears twice in one mapping (fix: keep only one)`,
        ),
      ]);
      expect(await tokenStatus(identity.url, newcomer)).toBe(200);
    });
  });

  describe('with IDENTITY_WORKERS=2', () => {
    let identity: RunningIdentity;
    beforeAll(async () => {
      identity = await startIdentity({
        configFile: writeConfig(before),
        env: { IDENTITY_WORKERS: '2' },
      });
      const listening = () =>
        Promise.resolve((identity.output().match(/identity listening on/g) ?? []).length === 2);
      expect(await eventually(listening, 20_000)).toBe(true);
    });
    afterAll(() => identity?.stop());

    it('the primary passes SIGHUP to every worker', async () => {
      writeFileSync(identity.configFile, JSON.stringify(after));
      identity.process.kill('SIGHUP');

      const bothReloaded = () => Promise.resolve(reloadedLines(identity).length === 2);
      expect(await eventually(bothReloaded, 10_000, 50)).toBe(true);
      // Parallel requests open several connections, which the primary spreads over the workers.
      const statuses = await Promise.all(
        Array.from({ length: 40 }, () => tokenStatus(identity.url, newcomer)),
      );
      expect(statuses.filter((status) => status !== 200)).toEqual([]);
      expect(identity.process.exitCode).toBeNull();
    });
  });
});
