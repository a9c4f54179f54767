import { Injectable, type OnModuleDestroy } from '@nestjs/common';
import { Registry, type Gauge } from 'prom-client';
import { removeMetric, scrapedGaugeIn } from '@nest-identity/shared/hosting';
import { activeKey, keyTimesOf, lastActiveKey } from '../keys/key-schedule';
import { SigningKeyManager, type SigningKeyInfo } from '../keys/signing-key-manager';

const KEY_AGE = 'identity_signing_key_age_seconds';
const KEYS_PUBLISHED = 'identity_signing_keys_published';

/**
 * The signing keys as the store holds them, read when Prometheus scrapes (one query, no key
 * material), so every replica reports the schedule it shares, whoever rotated the keys. When the
 * store cannot be read, the gauges keep their last values.
 */
@Injectable()
export class SigningKeyMetrics implements OnModuleDestroy {
  private readonly keyAge: Gauge;
  private readonly keysPublished: Gauge;
  private reading?: Promise<void>;

  constructor(
    private readonly registry: Registry,
    private readonly manager: SigningKeyManager,
  ) {
    this.keyAge = scrapedGaugeIn(registry, {
      name: KEY_AGE,
      help: 'Seconds since the signing key in use was created (alert well past the rotation period plus the propagation time)',
      collect: () => this.read(),
    });
    this.keysPublished = scrapedGaugeIn(registry, {
      name: KEYS_PUBLISHED,
      help: 'Signing keys in the JWKS: the active one, an announced successor, retired ones still in their retention',
      collect: () => this.read(),
    });
  }

  onModuleDestroy(): void {
    removeMetric(this.registry, KEY_AGE, this.keyAge);
    removeMetric(this.registry, KEYS_PUBLISHED, this.keysPublished);
  }

  /** Both gauges from one read: prom-client collects them concurrently, and they share it. */
  read(): Promise<void> {
    this.reading ??= this.update(this.manager.clock()).finally(() => (this.reading = undefined));
    return this.reading;
  }

  private async update(now: number): Promise<void> {
    let keys: SigningKeyInfo[];
    try {
      keys = await this.manager.listKeys();
    } catch {
      return;
    }
    const times = keys.map(keyTimesOf);
    // As DatabaseSigningKeyStore: the active key, else the last one that signed.
    const signing = activeKey(times, now) ?? lastActiveKey(times, now);
    if (signing) this.keyAge.set((now - signing.createdAt) / 1000);
    this.keysPublished.set(keys.filter((key) => now < key.publishedUntil.getTime()).length);
  }
}
