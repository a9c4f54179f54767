import { Inject, Injectable, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import {
  InjectThrottlerOptions,
  InjectThrottlerStorage,
  ThrottlerGuard,
  type ThrottlerLimitDetail,
  type ThrottlerModuleOptions,
  type ThrottlerStorage,
} from '@nestjs/throttler';
import { TemporarilyUnavailable } from '@nest-identity/shared';
import { identitySettings, type IdentitySettings } from '../config/identity-settings';
import { TokenEndpointMetrics } from '../metrics/token-endpoint.metrics';

/**
 * The token endpoint's throttles (named `address` and `client`, see RateLimitModule). Over the
 * limit: 429 `temporarily_unavailable` with Retry-After, rendered by OAuthErrorFilter. Refused
 * requests are not logged: under a flood, the log would be the next thing to fall over.
 */
@Injectable()
export class TokenThrottlerGuard extends ThrottlerGuard {
  constructor(
    @InjectThrottlerOptions() options: ThrottlerModuleOptions,
    @InjectThrottlerStorage() storage: ThrottlerStorage,
    reflector: Reflector,
    @Inject(identitySettings.KEY) private readonly settings: IdentitySettings,
    private readonly metrics: TokenEndpointMetrics,
  ) {
    super(options, storage, reflector);
  }

  protected override shouldSkip(): Promise<boolean> {
    return Promise.resolve(!this.settings.rateLimits.enabled);
  }

  protected override throwThrottlingException(
    _context: ExecutionContext,
    detail: ThrottlerLimitDetail,
  ): Promise<void> {
    this.metrics.throttled(throttleName(detail.key));
    throw new TemporarilyUnavailable(
      'too many token requests; try again later',
      429,
      detail.timeToBlockExpire,
    );
  }
}

/** `throttle:<name>:<tracker>` (counterKeys.throttle) → `<name>`: `address` or `client`. */
function throttleName(key: string): string {
  return key.split(':', 2)[1] ?? 'unknown';
}
