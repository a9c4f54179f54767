import { Injectable, Logger } from '@nestjs/common';
import { EventEmitter2, OnEvent } from '@nestjs/event-emitter';
import type { AuditEvent } from './audit-events';

/** Where the identity's code records audit events; listeners decide what becomes of them. */
@Injectable()
export class AuditTrail {
  constructor(private readonly events: EventEmitter2) {}

  record(event: AuditEvent): void {
    this.events.emit(event.name, event);
  }
}

/** The default listener: every audit event as one structured log line (`{"audit": {...}}`). */
@Injectable()
export class AuditLog {
  private readonly logger = new Logger('Audit');

  @OnEvent('audit.**')
  write(event: AuditEvent): void {
    this.logger.log({ audit: event }, event.name);
  }
}
