import { Global, Module } from '@nestjs/common';
import { EventEmitterModule } from '@nestjs/event-emitter';
import { AuditLog, AuditTrail } from './audit-trail';

/** The audit trail: AuditTrail for the code that records, AuditLog as the default listener. */
@Global()
@Module({
  imports: [EventEmitterModule.forRoot({ wildcard: true, delimiter: '.' })],
  providers: [AuditTrail, AuditLog],
  exports: [AuditTrail],
})
export class AuditModule {}
