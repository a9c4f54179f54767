import { Injectable } from '@nestjs/common';
import { HealthIndicatorService, type HealthIndicatorResult } from '@nestjs/terminus';
import { SigningKeyManager } from '../keys/signing-key-manager';
import { SigningKeyStore } from '../keys/signing-key-store';

/**
 * Up when a key is loaded that can sign a token now (from memory: no database read). Its details
 * say how the private keys are kept (`privateKeysAtRest`: `clear` or `encrypted`), so a probe or a
 * dashboard shows keys in clear; they do not make the identity unready.
 */
@Injectable()
export class SigningKeyHealthIndicator {
  constructor(
    private readonly keys: SigningKeyStore,
    private readonly manager: SigningKeyManager,
    private readonly indicators: HealthIndicatorService,
  ) {}

  async isLoaded(key: string): Promise<HealthIndicatorResult> {
    const indicator = this.indicators.check(key);
    try {
      const active = await this.keys.getActiveKey();
      return indicator.up({ kid: active.kid, privateKeysAtRest: this.manager.privateKeysAtRest() });
    } catch (error) {
      return indicator.down({ message: error instanceof Error ? error.message : String(error) });
    }
  }
}
