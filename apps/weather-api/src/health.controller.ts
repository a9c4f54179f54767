import { Controller, Get } from '@nestjs/common';
import { Public } from '@app/jwt-bearer';
import { OAuthPaths } from '@app/shared';

@Controller()
export class HealthController {
  @Get(OAuthPaths.Health)
  @Public()
  health(): { status: 'ok' } {
    return { status: 'ok' };
  }
}
