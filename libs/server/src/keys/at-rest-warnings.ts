import { Inject, Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { identitySettings, type IdentitySettings } from '../config/identity-settings';
import { SQLITE_FILE } from '../persistence/data-source-options';
import { ENCRYPTION_KEY_VARIABLE } from './private-key-encryption';

/**
 * The start-up warning for private keys stored in clear in production, or undefined. It does not
 * stop the start-up: the demo, docker compose and test rigs run without an encryption key.
 */
export function clearKeysWarning(production: boolean, encrypted: boolean): string | undefined {
  if (!production || encrypted) return undefined;
  return `the signing keys are stored in clear: anyone who reads the database or a backup of it can sign tokens that the APIs and the admin API accept (fix: set ${ENCRYPTION_KEY_VARIABLE} to the output of \`openssl rand -base64 32\`, the same on every replica)`;
}

/**
 * The warning for a path of the embedded store (the data directory, the SQLite file) that its
 * group or other users may read or write (`mode & 0o077`), or undefined.
 */
export function exposedPathWarning(
  path: string,
  mode: number,
  kind: 'directory' | 'file',
): string | undefined {
  if ((mode & 0o077) === 0) return undefined;
  const permissions = (mode & 0o777).toString(8).padStart(3, '0');
  const fix = kind === 'directory' ? `chmod 700 ${path}` : `chmod 600 ${path}`;
  return `${path} holds the signing keys and is open to other users (mode ${permissions}): whoever can read it can sign tokens (fix: ${fix})`;
}

/** The warnings for the data directory and its SQLite file as they are on disk now. */
export async function exposedDataDirWarnings(dataDir: string): Promise<string[]> {
  const paths = [
    { path: dataDir, kind: 'directory' as const },
    { path: join(dataDir, SQLITE_FILE), kind: 'file' as const },
  ];
  const warnings: string[] = [];
  for (const { path, kind } of paths) {
    let mode: number;
    try {
      mode = (await stat(path)).mode;
    } catch {
      continue; // not there (yet): nothing exposed
    }
    const warning = exposedPathWarning(path, mode, kind);
    if (warning) warnings.push(warning);
  }
  return warnings;
}

/**
 * Says at start-up, in the log, what leaves the signing keys open to whoever reads the storage:
 * keys in clear in production, and an embedded store (IDENTITY_DATA_DIR) others may read. The
 * identity creates that directory 0700 and the file 0600; these catch ones made by other means.
 */
@Injectable()
export class AtRestWarnings implements OnApplicationBootstrap {
  private readonly logger = new Logger('SigningKeys');

  constructor(@Inject(identitySettings.KEY) private readonly settings: IdentitySettings) {}

  async onApplicationBootstrap(): Promise<void> {
    const warnings = [
      clearKeysWarning(this.settings.server.production, !!this.settings.keys.encryptionKey),
      // PostgreSQL's own access rules protect its keys; the data directory then holds none.
      ...(this.settings.databaseUrl ? [] : await exposedDataDirWarnings(this.settings.dataDir)),
    ];
    for (const warning of warnings) if (warning) this.logger.warn(warning);
  }
}
