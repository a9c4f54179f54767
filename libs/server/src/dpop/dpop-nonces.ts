import { Inject, Injectable, Optional } from '@nestjs/common';
import { createHmac, hkdfSync, timingSafeEqual, type KeyObject } from 'node:crypto';
import { KEYS_CLOCK, systemClock, type Clock } from '../keys/clock';
import type { SigningKey } from '../keys/signing-key';
import { SigningKeyStore } from '../keys/signing-key-store';

/** A nonce is issued for one window and accepted during it and the next: 5 to 10 minutes. */
export const DPoPNonceWindowMs = 5 * 60_000;

/** base64url of an HMAC-SHA256: 43 characters. */
const NONCE_SHAPE = /^[A-Za-z0-9_-]{43}$/;

/**
 * RFC 9449 §8 server nonces that every replica agrees on without sharing any new state: a nonce is
 * HMAC-SHA256(secret, time window), where the secret is derived (HKDF) from a signing key's
 * private key. The replicas already share the signing keys through the store, and a signing key
 * is as secret as anything the authority holds; HKDF with its own label keeps the two uses
 * apart, so a nonce says nothing about the key. Nonces are issued with the active key and accepted
 * with any published one, so a key rotation (which replicas see within about a second of each
 * other) does not refuse a nonce that another replica just issued.
 */
@Injectable()
export class DPoPNonces {
  private readonly secrets = new WeakMap<KeyObject, Buffer>();

  constructor(
    private readonly keys: SigningKeyStore,
    @Optional() @Inject(KEYS_CLOCK) private readonly clock: Clock = systemClock,
  ) {}

  /** The nonce to hand out now. */
  async current(): Promise<string> {
    return this.nonce(await this.keys.getActiveKey(), this.window());
  }

  /** Whether `nonce` is one this authority issued in this window or the previous one. */
  async accepts(nonce: string): Promise<boolean> {
    if (!NONCE_SHAPE.test(nonce)) return false;
    const presented = Buffer.from(nonce);
    const keys = [await this.keys.getActiveKey(), ...(await this.keys.getPublishedKeys())];
    const window = this.window();
    return keys.some((key) =>
      [window, window - 1].some((w) => timingSafeEqual(presented, Buffer.from(this.nonce(key, w)))),
    );
  }

  private window(): number {
    return Math.floor(this.clock() / DPoPNonceWindowMs);
  }

  private nonce(key: SigningKey, window: number): string {
    return createHmac('sha256', this.secret(key)).update(`${window}`).digest('base64url');
  }

  private secret(key: SigningKey): Buffer {
    let secret = this.secrets.get(key.privateKey);
    if (secret === undefined) {
      const material = key.privateKey.export({ format: 'der', type: 'pkcs8' });
      secret = Buffer.from(hkdfSync('sha256', material, key.kid, 'dpop-nonce', 32));
      this.secrets.set(key.privateKey, secret);
    }
    return secret;
  }
}
