import { createPrivateKey, type KeyObject } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';

/** Where the previous version kept its one RS256 key (PKCS#8 PEM, mode 0600). */
export const LEGACY_KEY_FILE = 'signing-key.pem';

export interface LegacyKeyFile {
  readonly path: string;
  readonly privateKey: KeyObject;
  /** The file is readable by other users. */
  readonly exposed: boolean;
}

/**
 * The previous version's key file in `dataDir`, if there is one, so an upgrade keeps signing
 * with the key that resource servers already trust. A file that is not an RSA private key stops
 * the start-up, naming the file.
 */
export async function readLegacyKeyFile(dataDir: string): Promise<LegacyKeyFile | undefined> {
  const path = join(dataDir, LEGACY_KEY_FILE);
  let pem: string;
  try {
    pem = await readFile(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return undefined;
    throw new Error(`cannot read the signing key ${path}: ${(error as Error).message}`);
  }
  let privateKey: KeyObject;
  try {
    privateKey = createPrivateKey(pem);
  } catch {
    throw new Error(`the signing key ${path} is not a PEM private key`);
  }
  if (privateKey.asymmetricKeyType !== 'rsa') {
    throw new Error(`the signing key ${path} is not an RSA key (RS256 needs one)`);
  }
  return { path, privateKey, exposed: ((await stat(path)).mode & 0o077) !== 0 };
}
