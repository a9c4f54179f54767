import { Get } from '@nestjs/common';
import {
  HealthCheck,
  type HealthCheckResult,
  type HealthCheckService,
  type HealthIndicatorFunction,
} from '@nestjs/terminus';
import { OAuthPaths } from '../oauth/oauth.constants';

/**
 * The health routes every app of this project serves, no token needed (terminus's format):
 * - `GET /health` and `GET /health/live`: the process is up and serving (liveness: restart it
 *   when this fails). Never tied to a dependency, so an outage elsewhere does not make an
 *   orchestrator restart replicas that still serve.
 * - `GET /health/ready`: the app's own `readinessChecks()`; `503` when one fails (readiness:
 *   route new traffic elsewhere meanwhile).
 * An app's health controller extends this with `@Controller()` and its checks.
 */
export abstract class HealthEndpoints {
  constructor(protected readonly checks: HealthCheckService) {}

  protected abstract readinessChecks(): HealthIndicatorFunction[];

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
    return this.checks.check(this.readinessChecks());
  }
}
