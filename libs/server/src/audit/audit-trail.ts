import { Injectable, Logger } from '@nestjs/common';
import { EventEmitter2, EventEmitterReadinessWatcher, OnEvent } from '@nestjs/event-emitter';
import type { AuditEvent } from './audit-events';

/** Where the identity's code records audit events; listeners decide what becomes of them. */
@Injectable()
export class AuditTrail {
  private listening = false;
  /** Settles once the @OnEvent listeners are attached (never rejects). */
  private readonly ready: Promise<void>;

  constructor(
    private readonly events: EventEmitter2,
    readiness: EventEmitterReadinessWatcher,
  ) {
    this.ready = readiness.waitUntilReady().then(
      () => void (this.listening = true),
      () => undefined,
    );
  }

  record(event: AuditEvent): void {
    if (this.listening) this.events.emit(event.name, event);
    // @OnEvent listeners are attached at application bootstrap: an event recorded while the
    // modules start (the first signing key, created in onModuleInit) waits for them.
    else void this.ready.then(() => this.listening && this.events.emit(event.name, event));
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
