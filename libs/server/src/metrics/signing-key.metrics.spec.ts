import { Registry } from 'prom-client';
import type { SigningKeyInfo, SigningKeyManager } from '../keys/signing-key-manager';
import { SigningKeyMetrics } from './signing-key.metrics';

const DAY = 86_400_000;
const now = Date.UTC(2026, 5, 1);

function key(kid: string, generation: number, created: number, activates: number, retires: number) {
  return {
    kid,
    alg: 'RS256',
    generation,
    status: 'active',
    createdAt: new Date(created),
    activatesAt: new Date(activates),
    retiresAt: new Date(retires),
    publishedUntil: new Date(retires + 14 * DAY),
  } as SigningKeyInfo;
}

describe('SigningKeyMetrics', () => {
  let registry: Registry;
  let keys: SigningKeyInfo[] | Error;
  let reads: number;
  let metrics: SigningKeyMetrics;

  beforeEach(() => {
    registry = new Registry();
    reads = 0;
    const manager = {
      clock: () => now,
      listKeys: () => {
        reads++;
        return keys instanceof Error ? Promise.reject(keys) : Promise.resolve(keys);
      },
    } as unknown as SigningKeyManager;
    metrics = new SigningKeyMetrics(registry, manager);
  });

  const scrape = () => registry.metrics();

  it('reports the age of the signing key and the keys published, from one read per scrape', async () => {
    keys = [
      key('old', 1, now - 120 * DAY, now - 106 * DAY, now - 10 * DAY), // retired, still published
      key('gone', 0, now - 300 * DAY, now - 300 * DAY, now - 200 * DAY), // past its retention
      key('active', 2, now - 30 * DAY, now - 10 * DAY, now + 80 * DAY),
      key('next', 3, now - DAY, now + 80 * DAY, now + 170 * DAY), // announced
    ];
    const text = await scrape();
    expect(text).toContain(`identity_signing_key_age_seconds ${(30 * DAY) / 1000}\n`);
    expect(text).toContain('identity_signing_keys_published 3\n');
    expect(reads).toBe(1);
  });

  it('follows a rotation at the next scrape', async () => {
    keys = [key('a', 1, now - 50 * DAY, now - 50 * DAY, now + 40 * DAY)];
    await scrape();
    keys = [...keys, key('b', 2, now - 60_000, now - 60_000, now + 90 * DAY)];
    const text = await scrape();
    expect(text).toContain('identity_signing_key_age_seconds 60\n');
    expect(text).toContain('identity_signing_keys_published 2\n');
  });

  it('keeps the last values when the store cannot be read, and the scrape still answers', async () => {
    keys = [key('a', 1, now - DAY, now - DAY, now + 89 * DAY)];
    await scrape();
    keys = new Error('database down');
    const text = await scrape();
    expect(text).toContain(`identity_signing_key_age_seconds ${DAY / 1000}\n`);
    expect(text).toContain('identity_signing_keys_published 1\n');
  });

  it('leaves the registry when the app closes', () => {
    metrics.onModuleDestroy();
    expect(registry.getSingleMetric('identity_signing_key_age_seconds')).toBeUndefined();
    expect(registry.getSingleMetric('identity_signing_keys_published')).toBeUndefined();
  });
});
