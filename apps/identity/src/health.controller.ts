import { Controller, Get } from '@nestjs/common';
import { OAuthPaths } from '@app/shared';

/** Liveness for load balancers and docker-compose; needs no token. */
@Controller()
export class HealthController {
  @Get(OAuthPaths.Health)
  health(): { status: 'ok' } {
    return { status: 'ok' };
  }
}
