import { Controller } from '@nestjs/common';
import { HealthCheckService, type HealthIndicatorFunction } from '@nestjs/terminus';
import { HealthEndpoints } from '@nest-identity/shared/hosting';

/** `/health`, `/health/live`, `/health/ready`: nothing to check beyond the process itself. */
@Controller()
export class HealthController extends HealthEndpoints {
  constructor(checks: HealthCheckService) {
    super(checks);
  }

  protected readinessChecks(): HealthIndicatorFunction[] {
    return [];
  }
}
