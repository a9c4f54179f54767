import { readFile } from 'node:fs/promises';
import {
  ConfigurationError,
  IdentityConfigFile,
  type ClientDefinition,
  crossCheckIdentityConfig,
  validateWith,
} from '@nest-identity/shared';
import { parseConfigFileText } from './config-file-syntax';
import { environmentSecretProblems } from './environment-secrets';
import { tokenLifetimeProblems } from './token-lifetime';

/**
 * Reads and validates the configuration file (IDENTITY_CONFIG), JSON or YAML. Every problem is
 * reported at once, each with its path (or line) and, where it is obvious, its fix, so a start-up
 * failure or a refused reload can be fixed in one go. With `keyRetentionMs`
 * (IDENTITY_KEY_RETENTION_TIME), a client whose tokens would outlive their signing key is one.
 */
export async function loadIdentityConfigFile(
  path: string,
  keyRetentionMs?: number,
): Promise<IdentityConfigFile> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new ConfigurationError(path, [unreadable(error as NodeJS.ErrnoException)]);
  }
  const plain = parseConfigFileText(text, path);
  if (typeof plain !== 'object' || plain === null || Array.isArray(plain)) {
    throw new ConfigurationError(path, [
      'must be an object at the top level (fix: give it apiScopes, apiResources and clients)',
    ]);
  }
  const config = validateWith(IdentityConfigFile, plain, path);
  const problems = [
    ...crossCheckIdentityConfig(config),
    ...environmentSecretProblems(config),
    ...(keyRetentionMs === undefined ? [] : tokenLifetimeProblems(config, keyRetentionMs)),
  ];
  if (problems.length > 0) throw new ConfigurationError(path, problems);
  return config;
}

/**
 * A client id lives in the configuration file (read-only) or in the database (managed), never
 * in both: one problem per file client whose id the database holds too.
 */
export function clientsAlsoInDatabase(
  clients: readonly ClientDefinition[],
  databaseIds: readonly string[],
): string[] {
  const inDatabase = new Set(databaseIds);
  return clients.flatMap(({ clientId }, i) =>
    inDatabase.has(clientId)
      ? [
          `clients[${i}].clientId: "${clientId}" is defined both in the configuration file and in the database (fix: remove it from this file, or delete the database client: npm run identity -- clients delete ${shellWord(clientId)})`,
        ]
      : [],
  );
}

/** A client id as one shell word: any VSCHAR id may hold a space or a quote. */
function shellWord(value: string): string {
  return /^[\w.:/@%+=,-]+$/.test(value) ? value : `'${value.replace(/'/g, `'\\''`)}'`;
}

function unreadable(error: NodeJS.ErrnoException): string {
  switch (error.code) {
    case 'ENOENT':
      return 'cannot be read: there is no such file (fix: set IDENTITY_CONFIG to its path)';
    case 'EACCES':
      return "cannot be read: permission denied (fix: let the identity's user read it)";
    case 'EISDIR':
      return 'cannot be read: it is a directory (fix: set IDENTITY_CONFIG to a file)';
    default:
      return `cannot be read (${error.message})`;
  }
}
