import { Inject, Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import { createPrivateKey, generateKeyPair, randomBytes, type KeyObject } from 'node:crypto';
import { link, mkdir, readFile, stat, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { identitySettings, type IdentitySettings } from '../../config/identity-settings';
import { toSigningKey, type SigningKey } from '../signing-key';
import { SigningKeyStore } from '../signing-key-store';

export const SIGNING_KEY_FILE = 'signing-key.pem';

/**
 * One RS256 key in IDENTITY_DATA_DIR: generated on first start, then loaded on every later one,
 * so tokens issued before a restart stay valid. The file is PKCS#8 PEM with mode 0600.
 */
@Injectable()
export class FileSigningKeyStore extends SigningKeyStore implements OnModuleInit {
  private readonly logger = new Logger(FileSigningKeyStore.name);
  private key?: SigningKey;

  constructor(@Inject(identitySettings.KEY) private readonly settings: IdentitySettings) {
    super();
  }

  async onModuleInit(): Promise<void> {
    this.key = toSigningKey(await this.loadOrCreate(), 'RS256');
    this.logger.log(`signing key ${this.key.kid} (RS256)`);
  }

  getActiveKey(): Promise<SigningKey> {
    return Promise.resolve(this.loaded());
  }

  getPublishedKeys(): Promise<readonly SigningKey[]> {
    return Promise.resolve([this.loaded()]);
  }

  private loaded(): SigningKey {
    if (!this.key) throw new Error('the signing key is not loaded yet');
    return this.key;
  }

  private async loadOrCreate(): Promise<KeyObject> {
    const path = join(this.settings.dataDir, SIGNING_KEY_FILE);
    const existing = await this.read(path);
    if (existing) return existing;
    await mkdir(this.settings.dataDir, { recursive: true, mode: 0o700 });
    const { privateKey } = await promisify(generateKeyPair)('rsa', { modulusLength: 2048 });
    const pem = privateKey.export({ format: 'pem', type: 'pkcs8' });
    // Written whole to a temporary file, then linked into place: a crash never leaves half a
    // key, and when two processes start on one data dir the first link wins and both use it.
    const temporary = `${path}.${randomBytes(6).toString('hex')}.tmp`;
    await writeFile(temporary, pem, { mode: 0o600, flag: 'wx' });
    try {
      await link(temporary, path);
      this.logger.log(`generated a new signing key in ${path}`);
      return privateKey;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      return (await this.read(path))!;
    } finally {
      await unlink(temporary);
    }
  }

  private async read(path: string): Promise<KeyObject | undefined> {
    let pem: string;
    try {
      pem = await readFile(path, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw new Error(`cannot read the signing key ${path}: ${(error as Error).message}`);
    }
    let key: KeyObject;
    try {
      key = createPrivateKey(pem);
    } catch {
      throw new Error(`the signing key ${path} is not a PEM private key`);
    }
    if (key.asymmetricKeyType !== 'rsa') {
      throw new Error(`the signing key ${path} is not an RSA key (RS256 needs one)`);
    }
    if (((await stat(path)).mode & 0o077) !== 0) {
      this.logger.warn(`${path} is readable by other users; it should have mode 0600`);
    }
    return key;
  }
}
