import { readFile } from 'node:fs/promises';
import {
  ConfigurationError,
  IdentityConfigFile,
  crossCheckIdentityConfig,
  validateWith,
} from '@app/shared';

/**
 * Reads and validates the configuration file (IDENTITY_CONFIG). Every problem is reported at
 * once, each with its path, so a start-up failure can be fixed in one go.
 */
export async function loadIdentityConfigFile(path: string): Promise<IdentityConfigFile> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new ConfigurationError(path, [`cannot be read (${(error as Error).message})`]);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new ConfigurationError(path, [`is not valid JSON (${(error as Error).message})`]);
  }
  const config = validateWith(IdentityConfigFile, json, path);
  const problems = crossCheckIdentityConfig(config);
  if (problems.length > 0) throw new ConfigurationError(path, problems);
  return config;
}
