import { generateKeyPairSync } from 'node:crypto';
import { toSigningKey, type SigningKey } from '../keys/signing-key';
import type { SigningKeyStore } from '../keys/signing-key-store';
import { DPoPNonceWindowMs, DPoPNonces } from './dpop-nonces';

const aKey = () =>
  toSigningKey(generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey, 'ES256');

function store(active: SigningKey, published: SigningKey[] = [active]): SigningKeyStore {
  return {
    getActiveKey: () => Promise.resolve(active),
    getPublishedKeys: () => Promise.resolve(published),
  };
}

describe('DPoPNonces (RFC 9449 §8)', () => {
  const key = aKey();
  let time = 10 * DPoPNonceWindowMs;
  const clock = () => time;
  beforeEach(() => (time = 10 * DPoPNonceWindowMs));

  it('hands out an opaque nonce that it then accepts', async () => {
    const nonces = new DPoPNonces(store(key), clock);
    const nonce = await nonces.current();
    expect(nonce).toMatch(/^[A-Za-z0-9_-]{43}$/);
    await expect(nonces.accepts(nonce)).resolves.toBe(true);
  });

  it('agrees across replicas without shared state: same keys, same nonces', async () => {
    const nonce = await new DPoPNonces(store(key), clock).current();
    await expect(new DPoPNonces(store(key), clock).accepts(nonce)).resolves.toBe(true);
  });

  it('accepts a nonce in its window and the next, not after', async () => {
    const nonces = new DPoPNonces(store(key), clock);
    const nonce = await nonces.current();
    time += DPoPNonceWindowMs;
    await expect(nonces.accepts(nonce)).resolves.toBe(true);
    expect(await nonces.current()).not.toBe(nonce);
    time += DPoPNonceWindowMs;
    await expect(nonces.accepts(nonce)).resolves.toBe(false);
  });

  it('refuses what another authority (other keys) issued, and anything malformed', async () => {
    const other = await new DPoPNonces(store(aKey()), clock).current();
    const nonces = new DPoPNonces(store(key), clock);
    await expect(nonces.accepts(other)).resolves.toBe(false);
    await expect(nonces.accepts('')).resolves.toBe(false);
    await expect(nonces.accepts('x'.repeat(43))).resolves.toBe(false);
    await expect(nonces.accepts('é'.repeat(43))).resolves.toBe(false);
  });

  it('keeps accepting nonces of a key that is still published after a rotation', async () => {
    const successor = aKey();
    const before = await new DPoPNonces(store(key), clock).current();
    const after = new DPoPNonces(store(successor, [successor, key]), clock);
    await expect(after.accepts(before)).resolves.toBe(true);
    expect(await after.current()).not.toBe(before);
  });
});
