import { Module } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { HealthController } from './health.controller';
import { SqliteFileHealthIndicator } from './sqlite-file.health';
import { SigningKeyHealthIndicator } from './signing-key.health';

/** `/health` and `/health/live` (liveness), `/health/ready` (readiness), in terminus's format. */
@Module({
  imports: [TerminusModule],
  controllers: [HealthController],
  providers: [SigningKeyHealthIndicator, SqliteFileHealthIndicator],
})
export class HealthModule {}
