import { Module } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { AuthorityReadiness } from '@app/jwt-bearer';
import { HealthController } from './health.controller';

/** `/health` and `/health/live` (liveness), `/health/ready` (readiness), in terminus's format. */
@Module({
  imports: [TerminusModule],
  controllers: [HealthController],
  providers: [AuthorityReadiness],
})
export class HealthModule {}
