import { generateKeyPairSync, randomBytes } from 'node:crypto';
import {
  decryptPrivateKey,
  encryptPrivateKey,
  isEncryptedPrivateKey,
} from './private-key-encryption';

const pem = generateKeyPairSync('ec', { namedCurve: 'P-256' })
  .privateKey.export({ format: 'pem', type: 'pkcs8' })
  .toString();
const encryptionKey = randomBytes(32);

describe('private key encryption at rest', () => {
  it('round-trips as an enc:v1 envelope that holds nothing in clear', () => {
    const sealed = encryptPrivateKey(pem, 'kid-1', encryptionKey);
    expect(sealed).toMatch(/^enc:v1:[\w-]{16}:[\w-]{22}:[\w-]+$/);
    expect(sealed).not.toContain('PRIVATE KEY');
    expect(isEncryptedPrivateKey(sealed)).toBe(true);
    expect(decryptPrivateKey(sealed, 'kid-1', encryptionKey)).toBe(pem);
  });

  it('uses a fresh IV each time', () => {
    expect(encryptPrivateKey(pem, 'k', encryptionKey)).not.toBe(
      encryptPrivateKey(pem, 'k', encryptionKey),
    );
  });

  it('passes a key stored in clear through', () => {
    expect(isEncryptedPrivateKey(pem)).toBe(false);
    expect(decryptPrivateKey(pem, 'kid-1', encryptionKey)).toBe(pem);
    expect(decryptPrivateKey(pem, 'kid-1', undefined)).toBe(pem);
  });

  it('refuses without the encryption key, naming the kid and the variable', () => {
    const sealed = encryptPrivateKey(pem, 'kid-1', encryptionKey);
    expect(() => decryptPrivateKey(sealed, 'kid-1', undefined)).toThrow(
      'the signing key kid-1 is encrypted, but IDENTITY_KEY_ENCRYPTION_KEY is not set',
    );
  });

  it('refuses a wrong encryption key', () => {
    const sealed = encryptPrivateKey(pem, 'kid-1', encryptionKey);
    expect(() => decryptPrivateKey(sealed, 'kid-1', randomBytes(32))).toThrow(
      /^the signing key kid-1 cannot be decrypted with IDENTITY_KEY_ENCRYPTION_KEY/,
    );
  });

  it('refuses a tampered ciphertext or tag', () => {
    const sealed = encryptPrivateKey(pem, 'kid-1', encryptionKey);
    const [iv, tag, ciphertext] = sealed.slice('enc:v1:'.length).split(':') as [
      string,
      string,
      string,
    ];
    const flipped = Buffer.from(ciphertext, 'base64url');
    flipped[10] ^= 1;
    const badTag = Buffer.from(tag, 'base64url');
    badTag[0] ^= 1;
    for (const forged of [
      `enc:v1:${iv}:${tag}:${flipped.toString('base64url')}`,
      `enc:v1:${iv}:${badTag.toString('base64url')}:${ciphertext}`,
    ]) {
      expect(() => decryptPrivateKey(forged, 'kid-1', encryptionKey)).toThrow(
        /cannot be decrypted/,
      );
    }
  });

  it('refuses a truncated tag or a malformed envelope', () => {
    const sealed = encryptPrivateKey(pem, 'kid-1', encryptionKey);
    const [iv, tag, ciphertext] = sealed.slice('enc:v1:'.length).split(':') as [
      string,
      string,
      string,
    ];
    const short = Buffer.from(tag, 'base64url').subarray(0, 4).toString('base64url');
    for (const forged of [`enc:v1:${iv}:${short}:${ciphertext}`, 'enc:v1:garbage']) {
      expect(() => decryptPrivateKey(forged, 'kid-1', encryptionKey)).toThrow(
        'the signing key kid-1 has a malformed encrypted private key',
      );
    }
  });

  it('binds the ciphertext to its kid: moved to another row, it does not decrypt', () => {
    const sealed = encryptPrivateKey(pem, 'kid-1', encryptionKey);
    expect(() => decryptPrivateKey(sealed, 'kid-2', encryptionKey)).toThrow(
      /^the signing key kid-2 cannot be decrypted/,
    );
  });

  it('refuses an encryption key that is not 32 bytes', () => {
    expect(() => encryptPrivateKey(pem, 'k', randomBytes(16))).toThrow(TypeError);
  });
});
