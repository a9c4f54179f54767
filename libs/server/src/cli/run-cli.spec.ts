import Database from 'better-sqlite3';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DataSource } from 'typeorm';
import { hashSecret } from '../clients/secret-hash';
import { identitySettings } from '../config/identity-settings';
import { dataSourceOptions } from '../persistence/data-source-options';
import { ClientSecretEntity } from '../persistence/entities/client.entity';
import { CliOutput } from './cli-output';
import { runCli } from './run-cli';

class CapturedOutput extends CliOutput {
  stdout = '';
  stderr = '';

  write(text: string): void {
    this.stdout += text;
  }

  writeError(text: string): void {
    this.stderr += text;
  }
}

const config = {
  apiScopes: [{ name: 'api1' }],
  apiResources: [{ name: 'api1', scopes: ['api1'] }],
  clients: [
    {
      clientId: 'configured',
      clientSecrets: [{ value: hashSecret('secret') }],
      allowedGrantTypes: ['client_credentials'],
      allowedScopes: ['api1'],
    },
  ],
};

/**
 * A fresh SQLite data dir and the config file above for the CLI, as its environment, for the
 * enclosing describe block.
 */
function useFreshStore(prefix: string): { dataDir: () => string } {
  let dataDir: string;

  beforeAll(() => {
    dataDir = mkdtempSync(join(tmpdir(), prefix));
    const configFile = join(dataDir, 'identity.json');
    writeFileSync(configFile, JSON.stringify(config));
    Object.assign(process.env, { IDENTITY_CONFIG: configFile, IDENTITY_DATA_DIR: dataDir });
    delete process.env.DATABASE_URL;
  });

  afterAll(() => {
    rmSync(dataDir, { recursive: true, force: true });
  });
  return { dataDir: () => dataDir };
}

/**
 * Runs `identity <args>` in-process, capturing what it prints: stderr without its audit lines,
 * and those parsed in `audit`.
 */
async function audited(...args: string[]) {
  const output = new CapturedOutput();
  const code = await runCli(['node', 'identity', ...args], output);
  const lines = output.stderr.split(/(?<=\n)/);
  const isAudit = (line: string) => line.startsWith('{"audit":');
  return {
    code,
    stdout: output.stdout,
    stderr: lines.filter((line) => !isAudit(line)).join(''),
    audit: lines.filter(isAudit).map((line) => (JSON.parse(line) as { audit: unknown }).audit),
  };
}

/** As `audited`, without the audit events. */
async function identity(...args: string[]) {
  const { code, stdout, stderr } = await audited(...args);
  return { code, stdout, stderr };
}

describe('the identity CLI (npm run identity -- clients ...)', () => {
  const store = useFreshStore('identity-cli-');

  /** The stored hashes of a client's secrets, read as the server would. */
  async function storedHashes(clientId: string): Promise<string[]> {
    const dataSource = await new DataSource(dataSourceOptions(identitySettings())).initialize();
    try {
      const rows = await dataSource.getRepository(ClientSecretEntity).findBy({ clientId });
      return rows.map((row) => row.sha256);
    } finally {
      await dataSource.destroy();
    }
  }

  it('creates a client with a generated secret, printed once with a warning', async () => {
    const { code, stdout, stderr } = await identity(
      'clients',
      'create',
      'my-svc',
      '--scope',
      'api1',
      '--grant',
      'client_credentials',
      '--lifetime',
      '600',
      '--claim',
      'tenant=acme',
      '--claim',
      'role=a=b',
      '--name',
      'My service',
    );
    expect({ code, stderr }).toEqual({
      code: 0,
      stderr:
        'Store this secret now: it is shown only this once, and the identity keeps only its hash.\n',
    });
    expect(stdout).toMatch(/^created the client my-svc\nclient id: +my-svc\n/);
    expect(stdout).toContain('\nclaims:         tenant=acme role=a=b\n');
    expect(stdout).toContain('\ntoken lifetime: 600 s\n');
    const secret = /\nsecret: (\S+)\n$/.exec(stdout)?.[1];
    expect(secret).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(await storedHashes('my-svc')).toEqual([hashSecret(secret!)]);
  });

  it('creates a client with a supplied secret, in JSON for scripts', async () => {
    const { code, stdout, stderr } = await identity(
      'clients',
      'create',
      'scripted',
      '--scope',
      'api1',
      '--grant',
      'client_credentials',
      '--secret',
      'a-long-enough-secret',
      '--secret-expires',
      '2099-01-01T00:00:00Z',
      '--disabled',
      '--json',
    );
    expect({ code, stderr }).toEqual({ code: 0, stderr: '' });
    const client = JSON.parse(stdout);
    expect(client).toMatchObject({
      clientId: 'scripted',
      source: 'database',
      enabled: false,
      secrets: [{ expiration: '2099-01-01T00:00:00.000Z' }],
    });
    expect(client.secret).toBeUndefined();
    expect(await storedHashes('scripted')).toEqual([hashSecret('a-long-enough-secret')]);
  });

  it('lists both sources', async () => {
    const { code, stdout } = await identity('clients', 'list');
    expect(code).toBe(0);
    expect(stdout.split('\n')).toEqual([
      'CLIENT ID   SOURCE         ENABLED  GRANT TYPES         SCOPES  SECRETS',
      'configured  configuration  yes      client_credentials  api1    1',
      'my-svc      database       yes      client_credentials  api1    1',
      'scripted    database       no       client_credentials  api1    1',
      '',
    ]);
    const listed = JSON.parse((await identity('clients', 'list', '--json')).stdout) as {
      clientId: string;
    }[];
    expect(listed.map((c) => c.clientId)).toEqual(['configured', 'my-svc', 'scripted']);
  });

  it('shows a client without any secret or hash', async () => {
    const { code, stdout } = await identity('clients', 'show', 'configured');
    expect(code).toBe(0);
    expect(stdout).toContain('source:         configuration file (read-only)\n');
    expect(stdout).toContain('secrets:\n  (configuration)  never expires\n');
    expect(stdout).not.toContain(hashSecret('secret'));
  });

  it('enables and disables', async () => {
    expect(await identity('clients', 'enable', 'scripted')).toEqual({
      code: 0,
      stdout: 'enabled the client scripted\n',
      stderr: '',
    });
    expect((await identity('clients', 'disable', 'scripted')).stdout).toBe(
      'disabled the client scripted\n',
    );
    expect(
      JSON.parse((await identity('clients', 'show', 'scripted', '--json')).stdout).enabled,
    ).toBe(false);
  });

  it('rotates secrets: add-secret, then remove-secret by id', async () => {
    const added = await identity(
      'clients',
      'add-secret',
      'scripted',
      '--secret',
      'the-next-secret-value',
      '--description',
      'next',
      '--json',
    );
    expect(added.code).toBe(0);
    const { id, secret } = JSON.parse(added.stdout);
    expect(secret).toBeUndefined();
    const [first] = JSON.parse(
      (await identity('clients', 'show', 'scripted', '--json')).stdout,
    ).secrets;
    expect(await identity('clients', 'remove-secret', 'scripted', first.id)).toEqual({
      code: 0,
      stdout: `removed the secret ${first.id} from the client scripted\n`,
      stderr: '',
    });
    expect(await storedHashes('scripted')).toEqual([hashSecret('the-next-secret-value')]);
    const shown = JSON.parse((await identity('clients', 'show', 'scripted', '--json')).stdout) as {
      secrets: { id: string }[];
    };
    expect(shown.secrets.map((s) => s.id)).toEqual([id]);

    const generated = await identity('clients', 'add-secret', 'scripted');
    expect(generated.stdout).toMatch(
      /^added a secret to the client scripted\nsecret id: \S+\nsecret: +\S{43}\n$/,
    );
    expect(generated.stderr).toContain('shown only this once');
  });

  it('deletes a client', async () => {
    expect((await identity('clients', 'delete', 'my-svc')).stdout).toBe(
      'deleted the client my-svc\n',
    );
    expect(await storedHashes('my-svc')).toEqual([]);
  });

  it.each([
    'm2m:client%1',
    'urn:acme:billing',
    'spiffe://example.org/ns/prod/sa/billing',
    'my client',
  ])('manages the RFC 6749 VSCHAR client id %j', async (clientId) => {
    const created = await identity(
      'clients',
      'create',
      clientId,
      '--scope',
      'api1',
      '--secret',
      'a s:e/c%r+et value',
      '--json',
    );
    expect({ code: created.code, stderr: created.stderr }).toEqual({ code: 0, stderr: '' });
    expect(JSON.parse(created.stdout)).toMatchObject({ clientId, source: 'database' });
    expect(await storedHashes(clientId)).toEqual([hashSecret('a s:e/c%r+et value')]);
    expect((await identity('clients', 'disable', clientId)).stdout).toBe(
      `disabled the client ${clientId}\n`,
    );
    expect((await identity('clients', 'delete', clientId)).code).toBe(0);
  });

  it('records each change it makes as an audit event with actor cli, on stderr', async () => {
    const changed = (clientId: string, change: string, details: object = {}) => ({
      name: 'audit.client.changed',
      at: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
      clientId,
      change,
      actor: 'cli',
      details,
    });
    const create = await audited('clients', 'create', 'audited', '--scope', 'api1', '--json');
    expect(create.audit).toEqual([changed('audited', 'created')]);
    expect(JSON.parse(create.stdout)).toMatchObject({ clientId: 'audited' });
    expect((await audited('clients', 'disable', 'audited')).audit).toEqual([
      changed('audited', 'disabled'),
    ]);
    expect((await audited('clients', 'enable', 'audited')).audit).toEqual([
      changed('audited', 'enabled'),
    ]);
    const added = await audited('clients', 'add-secret', 'audited', '--json');
    const { id } = JSON.parse(added.stdout) as { id: string };
    expect(added.audit).toEqual([changed('audited', 'secret_added', { secretId: id })]);
    expect((await audited('clients', 'remove-secret', 'audited', id)).audit).toEqual([
      changed('audited', 'secret_removed', { secretId: id }),
    ]);
    expect((await audited('clients', 'delete', 'audited')).audit).toEqual([
      changed('audited', 'deleted'),
    ]);
    // Reading changes nothing, and a refused change is no event.
    for (const args of [
      ['clients', 'list'],
      ['clients', 'show', 'configured'],
      ['clients', 'delete', 'audited'],
      ['clients', 'create', 'bad', '--scope', 'nope'],
    ])
      expect((await audited(...args)).audit).toEqual([]);
  });

  it.each([
    [['clients', 'show', 'nobody'], 'identity: there is no client "nobody"\n'],
    [
      ['clients', 'delete', 'configured'],
      'identity: the client "configured" comes from the configuration file and is read-only: edit the file instead\n',
    ],
    [
      ['clients', 'create', 'configured'],
      'identity: the client "configured" already exists in the configuration file\n',
    ],
    [
      ['clients', 'create', 'new', '--scope', 'api1', '--scope', 'nope', '--secret', 'short'],
      'identity: invalid input: secret.value: must be longer than or equal to 16 characters; allowedScopes[1]: scope "nope" is not defined\n',
    ],
    [
      ['clients', 'create', 'new', '--scope', 'nope'],
      'identity: invalid input: allowedScopes[0]: scope "nope" is not defined\n',
    ],
    [
      ['clients', 'create', 'new', '--lifetime', 'soon'],
      "error: option '--lifetime <seconds>' argument 'soon' is invalid. it must be a whole number of seconds\n",
    ],
    [
      ['clients', 'create', 'new', '--claim', 'tenant'],
      "error: option '--claim <type=value>' argument 'tenant' is invalid. it must be type=value\n",
    ],
    [['clients', 'show'], "error: missing required argument 'clientId'\n"],
    [['clients', 'frobnicate'], "error: unknown command 'frobnicate'\n"],
    [
      ['clients', 'remove-secret', 'scripted', 'no-such-id'],
      'identity: the client "scripted" has no secret "no-such-id"\n',
    ],
  ])('fails with one clear line: %j', async (args, line) => {
    expect(await identity(...args)).toEqual({ code: 1, stdout: '', stderr: line });
  });

  it('prints help and exits 0 when asked', async () => {
    const { code, stdout } = await identity('clients', '--help');
    expect(code).toBe(0);
    expect(stdout).toMatch(/^Usage: identity clients \[options\] \[command\]/);
    expect(stdout).toContain('add-secret [options] <clientId>');
  });

  it('cannot start with an invalid configuration file: one line, exit 1', async () => {
    const broken = join(store.dataDir(), 'broken.json');
    writeFileSync(broken, '{"clients": [{"clientId": "caf\u00e9"}]}');
    const previous = process.env.IDENTITY_CONFIG;
    process.env.IDENTITY_CONFIG = broken;
    try {
      expect(await identity('clients', 'list')).toEqual({
        code: 1,
        stdout: '',
        stderr: `identity: ${broken} is invalid: clients[0].clientId: must be 1 to 200 printable ASCII characters (RFC 6749 VSCHAR: space to "~"), no control or non-ASCII character\n`,
      });
    } finally {
      process.env.IDENTITY_CONFIG = previous;
    }
  });
});

describe('the identity CLI (npm run identity -- keys ...)', () => {
  const store = useFreshStore('identity-cli-keys-');

  /** The private_key column of every signing key, as stored. */
  function storedPrivateKeys(): string[] {
    const db = new Database(join(store.dataDir(), 'identity.sqlite'), { readonly: true });
    try {
      return db
        .prepare<[], { private_key: string }>(
          'SELECT private_key FROM identity_signing_keys ORDER BY generation',
        )
        .all()
        .map((row) => row.private_key);
    } finally {
      db.close();
    }
  }

  it('lists no key before the identity first starts, and creates none', async () => {
    expect(await identity('keys', 'list')).toEqual({
      code: 0,
      stdout: 'no signing key yet: the identity creates one at start\n',
      stderr: '',
    });
    expect(JSON.parse((await identity('keys', 'list', '--json')).stdout)).toEqual([]);
  });

  it('forces a rotation: the new key signs now, the old one stays published', async () => {
    const first = JSON.parse((await identity('keys', 'rotate', '--json')).stdout) as {
      kid: string;
    };
    const second = await identity('keys', 'rotate');
    expect(second.code).toBe(0);
    expect(second.stdout).toMatch(/^rotated: new tokens are signed with [\w-]{43}\n$/);
    const keys = JSON.parse((await identity('keys', 'list', '--json')).stdout) as {
      kid: string;
      status: string;
      generation: number;
    }[];
    expect(keys.map(({ generation, status }) => ({ generation, status }))).toEqual([
      { generation: 1, status: 'retired' },
      { generation: 2, status: 'active' },
    ]);
    expect(keys[0].kid).toBe(first.kid);
    expect(second.stdout).toContain(keys[1].kid);
  });

  it('records a forced rotation as an audit event with actor cli', async () => {
    const rotated = await audited('keys', 'rotate', '--json');
    const { kid } = JSON.parse(rotated.stdout) as { kid: string };
    expect(rotated.audit).toEqual([
      expect.objectContaining({
        name: 'audit.signing_key.rotated',
        action: 'forced_rotation',
        kid,
        details: expect.objectContaining({ actor: 'cli', retired: [expect.any(String)] }),
      }),
    ]);
    expect((await audited('keys', 'list')).audit).toEqual([]);
  });

  it('keys revoke: deletes the active key, a new key signs at once, and the event names the cli', async () => {
    type Listed = { kid: string; status: string; generation: number };
    const before = JSON.parse((await identity('keys', 'list', '--json')).stdout) as Listed[];
    const active = before.find((key) => key.status === 'active')!;

    const { code, stdout, stderr, audit } = await audited('keys', 'revoke', active.kid);
    // Together, so a failure shows what the CLI said (it failed once, unexplained, under load).
    expect({ code, stderr }).toEqual({ code: 0, stderr: '' });
    const after = JSON.parse((await identity('keys', 'list', '--json')).stdout) as Listed[];
    const replacement = after.find((key) => key.status === 'active')!;
    expect(after.map((key) => key.kid)).not.toContain(active.kid);
    expect(replacement.generation).toBe(active.generation + 1);
    expect(stdout).toBe(
      `revoked ${active.kid}: it left the JWKS; new tokens are signed with ${replacement.kid} (a new key)\n`,
    );
    expect(stderr).toBe('');
    expect(audit).toEqual([
      expect.objectContaining({
        name: 'audit.signing_key.rotated',
        action: 'revoked',
        kid: active.kid,
        details: expect.objectContaining({ successor: replacement.kid, actor: 'cli' }),
      }),
      expect.objectContaining({
        action: 'forced_rotation',
        kid: replacement.kid,
        details: expect.objectContaining({ actor: 'cli' }),
      }),
    ]);
  });

  it('keys revoke: refuses a kid it does not hold (or one revoked already), with one line', async () => {
    expect(await identity('keys', 'revoke', 'no-such-kid')).toEqual({
      code: 1,
      stdout: '',
      stderr:
        'identity: there is no signing key "no-such-kid" (see: npm run identity -- keys list)\n',
    });
    expect((await identity('keys', 'revoke')).stderr).toBe(
      "error: missing required argument 'kid'\n",
    );
  });

  it('keys encrypt: refuses without IDENTITY_KEY_ENCRYPTION_KEY, with one line naming the fix', async () => {
    expect(await identity('keys', 'encrypt')).toEqual({
      code: 1,
      stdout: '',
      stderr:
        'identity: IDENTITY_KEY_ENCRYPTION_KEY is not set (fix: generate one with `openssl rand -base64 32` and set it here and for the identity)\n',
    });
  });

  it('keys encrypt: encrypts the keys stored in clear in place, reporting how many; again, none', async () => {
    process.env.IDENTITY_KEY_ENCRYPTION_KEY = randomBytes(32).toString('base64');
    try {
      const stored = storedPrivateKeys().length;
      const first = await identity('keys', 'encrypt');
      expect(first).toEqual({
        code: 0,
        stdout: `encrypted ${stored} signing key(s) with IDENTITY_KEY_ENCRYPTION_KEY; 0 already were\n`,
        stderr:
          'The identity needs the same IDENTITY_KEY_ENCRYPTION_KEY to read them: set it on every replica, then restart them.\n',
      });
      expect(stored).toBeGreaterThan(1);
      expect(storedPrivateKeys()).toEqual(
        Array.from({ length: stored }, (): unknown => expect.stringMatching(/^enc:v1:/)),
      );
      expect(await identity('keys', 'encrypt', '--json')).toEqual({
        code: 0,
        stdout: `${JSON.stringify({ encrypted: 0, alreadyEncrypted: stored }, null, 2)}\n`,
        stderr: '',
      });
      expect((await identity('keys', 'list')).code).toBe(0);
    } finally {
      delete process.env.IDENTITY_KEY_ENCRYPTION_KEY;
    }
  });

  it('refuses an unknown keys subcommand with one line and a non-zero exit', async () => {
    const { code, stderr } = await identity('keys', 'bogus');
    expect(code).not.toBe(0);
    expect(stderr).toBe("error: unknown command 'bogus'\n");
  });
});
