import { HealthIndicatorService } from '@nestjs/terminus';
import type { SigningKeyManager } from '../keys/signing-key-manager';
import type { SigningKeyStore } from '../keys/signing-key-store';
import { SigningKeyHealthIndicator } from './signing-key.health';

describe('SigningKeyHealthIndicator (/health/ready)', () => {
  function indicator(atRest: 'clear' | 'encrypted', active = Promise.resolve({ kid: 'k1' })) {
    const store = { getActiveKey: () => active } as unknown as SigningKeyStore;
    const manager = { privateKeysAtRest: () => atRest } as unknown as SigningKeyManager;
    return new SigningKeyHealthIndicator(store, manager, new HealthIndicatorService());
  }

  it.each(['clear', 'encrypted'] as const)(
    'is up, saying how the private keys are kept: %s',
    async (atRest) => {
      expect(await indicator(atRest).isLoaded('signingKey')).toEqual({
        signingKey: { status: 'up', kid: 'k1', privateKeysAtRest: atRest },
      });
    },
  );

  it('is down, with the reason, when no key can sign', async () => {
    const failing = Promise.reject(new Error('no signing key is loaded'));
    expect(await indicator('clear', failing).isLoaded('signingKey')).toEqual({
      signingKey: { status: 'down', message: 'no signing key is loaded' },
    });
  });
});
