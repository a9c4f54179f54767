import { Controller } from '@nestjs/common';
import {
  HealthCheckService,
  HealthIndicatorService,
  type HealthIndicatorFunction,
  type HealthIndicatorResult,
} from '@nestjs/terminus';
import { AuthorityReadiness, Public } from '@nest-identity/jwt-bearer';
import { HealthEndpoints } from '@nest-identity/shared/hosting';

/**
 * The weather-api is ready once the authority's metadata and signing keys have been obtained, so
 * tokens can be validated. It stays ready while the authority is down later: the cached keys keep
 * validating.
 */
@Controller()
@Public()
export class HealthController extends HealthEndpoints {
  constructor(
    checks: HealthCheckService,
    private readonly indicators: HealthIndicatorService,
    private readonly authority: AuthorityReadiness,
  ) {
    super(checks);
  }

  protected readinessChecks(): HealthIndicatorFunction[] {
    return [() => this.authorityKeys('authority')];
  }

  private async authorityKeys(key: string): Promise<HealthIndicatorResult> {
    const indicator = this.indicators.check(key);
    try {
      await this.authority.check();
      return indicator.up();
    } catch (error) {
      return indicator.down({ message: error instanceof Error ? error.message : String(error) });
    }
  }
}
