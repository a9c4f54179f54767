import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { SigningKeyEntity } from '../persistence/entities/signing-key.entity';
import { parseStoredKey, scheduleOf, toStoredKey } from './stored-signing-key';

const T0 = Date.UTC(2026, 0, 1);
const times = { generation: 3, createdAt: T0, activatesAt: T0 + 1000, retiresAt: T0 + 2000 };

describe('toStoredKey and parseStoredKey', () => {
  const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });

  it('store a key with its schedule and public JWK, and read back the same key', () => {
    const row = toStoredKey(privateKey, 'ES256', times, undefined);
    expect(row).toBeInstanceOf(SigningKeyEntity);
    expect(row).toMatchObject({
      generation: 3,
      alg: 'ES256',
      createdAt: new Date(T0),
      activatesAt: new Date(T0 + 1000),
      retiresAt: new Date(T0 + 2000),
    });
    expect(row.privateKey).toMatch(/^-----BEGIN PRIVATE KEY-----/);
    expect(row.publicJwk).toMatchObject({ kty: 'EC', kid: row.kid, alg: 'ES256', use: 'sig' });
    expect(row.publicJwk).not.toHaveProperty('d');

    const key = parseStoredKey(row, undefined);
    expect(key.kid).toBe(row.kid);
    expect(key.publicJwk).toEqual(row.publicJwk);
  });

  it('encrypt the private key when an encryption key is given, and need it to read it back', () => {
    const encryptionKey = randomBytes(32);
    const row = toStoredKey(privateKey, 'ES256', times, encryptionKey);
    expect(row.privateKey).toMatch(/^enc:v1:/);
    expect(parseStoredKey(row, encryptionKey).kid).toBe(row.kid);
    expect(() => parseStoredKey(row, undefined)).toThrow(
      `the signing key ${row.kid} is encrypted, but IDENTITY_KEY_ENCRYPTION_KEY is not set`,
    );
  });

  describe('parseStoredKey refuses a row it cannot use, naming the kid', () => {
    const good = () => toStoredKey(privateKey, 'ES256', times, undefined);

    it('an unsupported alg', () => {
      const row = Object.assign(good(), { alg: 'HS256' });
      expect(() => parseStoredKey(row, undefined)).toThrow(
        `the signing key ${row.kid} has an unsupported alg HS256`,
      );
    });

    it('text that is not a PEM private key', () => {
      const row = Object.assign(good(), { privateKey: 'not a key' });
      expect(() => parseStoredKey(row, undefined)).toThrow(
        `the signing key ${row.kid} is not a PEM private key`,
      );
    });

    it('a key that does not fit its alg', () => {
      const row = Object.assign(good(), { alg: 'RS256' });
      expect(() => parseStoredKey(row, undefined)).toThrow(
        `the signing key ${row.kid} cannot be used:`,
      );
    });

    it('a key other than the one its kid names', () => {
      const other = toStoredKey(
        generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey,
        'ES256',
        times,
        undefined,
      );
      const row = Object.assign(good(), { privateKey: other.privateKey });
      expect(() => parseStoredKey(row, undefined)).toThrow(
        `the signing key ${row.kid} holds another key (thumbprint ${other.kid})`,
      );
    });
  });
});

describe('scheduleOf', () => {
  it("is a key's schedule for an audit event, never its material", () => {
    const row = toStoredKey(generateKeyPairSync('ed25519').privateKey, 'EdDSA', times, undefined);
    expect(scheduleOf(row)).toEqual({
      alg: 'EdDSA',
      generation: 3,
      activatesAt: new Date(T0 + 1000).toISOString(),
      retiresAt: new Date(T0 + 2000).toISOString(),
    });
  });
});
