import { Controller, Get } from '@nestjs/common';
import {
  HealthCheck,
  HealthCheckService,
  TypeOrmHealthIndicator,
  type HealthCheckResult,
} from '@nestjs/terminus';
import { OAuthPaths } from '@app/shared';
import { SigningKeyHealthIndicator } from './signing-key.health';

/** Past it the store counts as down: a token request would wait as long for an uncached client. */
const STORE_PING_TIMEOUT_MS = 1000;

/**
 * Health for load balancers, orchestrators and docker-compose; no token needed.
 * - `GET /health` and `GET /health/live`: the process is up and serving (liveness: restart it
 *   when this fails). Deliberately independent of the database, so an outage does not make an
 *   orchestrator restart replicas that are still issuing tokens to cached clients.
 * - `GET /health/ready`: the store answers a trivial query within a second and a signing key is
 *   loaded; `503` otherwise (readiness: route new traffic elsewhere meanwhile).
 */
@Controller()
export class HealthController {
  constructor(
    private readonly checks: HealthCheckService,
    private readonly store: TypeOrmHealthIndicator,
    private readonly signingKey: SigningKeyHealthIndicator,
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
    return this.checks.check([
      () => this.store.pingCheck('store', { timeout: STORE_PING_TIMEOUT_MS }),
      () => this.signingKey.isLoaded('signingKey'),
    ]);
  }
}
