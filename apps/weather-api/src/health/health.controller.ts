import { Controller, Get } from '@nestjs/common';
import {
  HealthCheck,
  HealthCheckService,
  HealthIndicatorService,
  type HealthCheckResult,
  type HealthIndicatorResult,
} from '@nestjs/terminus';
import { AuthorityReadiness, Public } from '@app/jwt-bearer';
import { OAuthPaths } from '@app/shared';

/**
 * Health for load balancers, orchestrators and docker-compose; no token needed.
 * - `GET /health` and `GET /health/live`: the process is up and serving (liveness).
 * - `GET /health/ready`: the authority's metadata and signing keys have been obtained at least
 *   once, so tokens can be validated; `503` before that. It stays ready while the authority is
 *   down later: the cached keys keep validating.
 */
@Controller()
@Public()
export class HealthController {
  constructor(
    private readonly checks: HealthCheckService,
    private readonly indicators: HealthIndicatorService,
    private readonly authority: AuthorityReadiness,
  ) {}

  @Get(OAuthPaths.Health)
  health(): { status: 'ok' } {
    return { status: 'ok' };
  }

  @Get(`${OAuthPaths.Health}/live`)
  @HealthCheck()
  live(): Promise<HealthCheckResult> {
    return this.checks.check([]);
  }

  @Get(`${OAuthPaths.Health}/ready`)
  @HealthCheck()
  ready(): Promise<HealthCheckResult> {
    return this.checks.check([() => this.authorityKeys('authority')]);
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
