import { Injectable } from '@nestjs/common';
import { HealthIndicatorService, type HealthIndicatorResult } from '@nestjs/terminus';
import { SigningKeyStore } from '../keys/signing-key-store';

/** Up when a key is loaded that can sign a token now (from memory: no database read). */
@Injectable()
export class SigningKeyHealthIndicator {
  constructor(
    private readonly keys: SigningKeyStore,
    private readonly indicators: HealthIndicatorService,
  ) {}

  async isLoaded(key: string): Promise<HealthIndicatorResult> {
    const indicator = this.indicators.check(key);
    try {
      const active = await this.keys.getActiveKey();
      return indicator.up({ kid: active.kid });
    } catch (error) {
      return indicator.down({ message: error instanceof Error ? error.message : String(error) });
    }
  }
}
