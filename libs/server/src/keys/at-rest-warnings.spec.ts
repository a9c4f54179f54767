import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { clearKeysWarning, exposedDataDirWarnings, exposedPathWarning } from './at-rest-warnings';

describe('clearKeysWarning', () => {
  it('warns in production without an encryption key: the risk and the one-line fix', () => {
    expect(clearKeysWarning(true, false)).toBe(
      'the signing keys are stored in clear: anyone who reads the database or a backup of it can sign tokens that the APIs and the admin API accept (fix: set IDENTITY_KEY_ENCRYPTION_KEY to the output of `openssl rand -base64 32`, the same on every replica)',
    );
  });

  it.each([
    [false, false],
    [true, true],
    [false, true],
  ])('says nothing otherwise (production %s, encrypted %s)', (production, encrypted) => {
    expect(clearKeysWarning(production, encrypted)).toBeUndefined();
  });
});

describe('exposedPathWarning', () => {
  it.each([0o700, 0o600, 0o400, 0o40700])('accepts owner-only mode %s', (mode) => {
    expect(exposedPathWarning('/data', mode, 'directory')).toBeUndefined();
  });

  it.each([
    [
      0o755,
      'directory',
      '/data holds the signing keys and is open to other users (mode 755): whoever can read it can sign tokens (fix: chmod 700 /data)',
    ],
    [
      0o40750,
      'directory',
      '/data holds the signing keys and is open to other users (mode 750): whoever can read it can sign tokens (fix: chmod 700 /data)',
    ],
    [
      0o100644,
      'file',
      '/data holds the signing keys and is open to other users (mode 644): whoever can read it can sign tokens (fix: chmod 600 /data)',
    ],
    [
      0o602,
      'file',
      '/data holds the signing keys and is open to other users (mode 602): whoever can read it can sign tokens (fix: chmod 600 /data)',
    ],
  ] as const)('warns for mode %s (%s), naming the path and the fix', (mode, kind, warning) => {
    expect(exposedPathWarning('/data', mode, kind)).toBe(warning);
  });
});

describe('exposedDataDirWarnings', () => {
  let dataDir: string;
  beforeEach(() => (dataDir = mkdtempSync(join(tmpdir(), 'identity-at-rest-'))));
  afterEach(() => rmSync(dataDir, { recursive: true, force: true }));

  it('says nothing for an owner-only directory and file, or a file not created yet', async () => {
    chmodSync(dataDir, 0o700);
    expect(await exposedDataDirWarnings(dataDir)).toEqual([]);
    writeFileSync(join(dataDir, 'identity.sqlite'), '', { mode: 0o600 });
    expect(await exposedDataDirWarnings(dataDir)).toEqual([]);
    expect(await exposedDataDirWarnings(join(dataDir, 'missing'))).toEqual([]);
  });

  it('names the directory and the SQLite file open to others', async () => {
    chmodSync(dataDir, 0o755);
    const file = join(dataDir, 'identity.sqlite');
    writeFileSync(file, '');
    chmodSync(file, 0o644);
    expect(await exposedDataDirWarnings(dataDir)).toEqual([
      expect.stringMatching(new RegExp(`^${dataDir} .*\\(mode 755\\).*chmod 700 ${dataDir}\\)$`)),
      expect.stringMatching(new RegExp(`^${file} .*\\(mode 644\\).*chmod 600 ${file}\\)$`)),
    ]);
  });
});
