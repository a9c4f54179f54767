import { Global, Module } from '@nestjs/common';
import { ThrottlerModule, type ThrottlerModuleOptions } from '@nestjs/throttler';
import { identitySettings, type IdentitySettings } from '../config/identity-settings';
import { ClientLockout } from '../client-authentication/client-lockout';
import { CountingClientLockout } from './client-lockout';
import { CounterStore } from './counter';
import { counterKeys } from './counter-keys';
import { CounterStoreModule } from './counter-store.module';
import { CounterThrottlerStorage } from './counter.throttler-storage';
import type { OAuthHttpRequest } from '../http/oauth-form';
import { presentedClientId } from './presented-client-id';

/**
 * Brute force and abuse on the token endpoint: the throttles that TokenThrottlerGuard applies
 * (per source address, per presented client id) and the client lock-out that
 * ClientAuthenticator consults, all counted in one CounterStore. RATE_LIMIT=off turns all off.
 */
@Global()
@Module({
  imports: [
    CounterStoreModule,
    ThrottlerModule.forRootAsync({
      imports: [CounterStoreModule],
      inject: [identitySettings.KEY, CounterStore],
      useFactory: throttlerOptions,
    }),
  ],
  providers: [
    {
      provide: ClientLockout,
      inject: [identitySettings.KEY, CounterStore],
      useFactory: ({ rateLimits }: IdentitySettings, store: CounterStore): ClientLockout =>
        rateLimits.enabled
          ? new CountingClientLockout(store, rateLimits.lockout)
          : ClientLockout.none,
    },
  ],
  exports: [ClientLockout],
})
export class RateLimitModule {}

function throttlerOptions(
  { rateLimits }: IdentitySettings,
  store: CounterStore,
): ThrottlerModuleOptions {
  return {
    storage: new CounterThrottlerStorage(store),
    // Retry-After comes with the 429 itself; no X-RateLimit-* headers on every answer.
    setHeaders: false,
    generateKey: (_context, tracker, throttler) => counterKeys.throttle(throttler, tracker),
    throttlers: [
      // The default tracker: request.ip (X-Forwarded-For only as IDENTITY_TRUST_PROXY allows),
      // IPv6 addresses folded to their /64.
      { name: 'address', limit: rateLimits.perAddress.limit, ttl: rateLimits.perAddress.windowMs },
      {
        name: 'client',
        limit: rateLimits.perClient.limit,
        ttl: rateLimits.perClient.windowMs,
        // A request without a readable client id is limited by its address only.
        skipIf: (context) =>
          presentedClientId(context.switchToHttp().getRequest<OAuthHttpRequest>()) === undefined,
        getTracker: (request) => presentedClientId(request as OAuthHttpRequest) ?? '',
      },
    ],
  };
}
