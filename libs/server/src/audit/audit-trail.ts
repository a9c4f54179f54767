import { Inject, Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import { EventEmitter2, EventEmitterReadinessWatcher, OnEvent } from '@nestjs/event-emitter';
import {
  AUDIT_EVENT_SINK_TYPES,
  type AuditEventSink,
  type AuditEventSinkTypes,
} from './audit-event-sink';
import type { AuditEvent } from './audit-events';

/**
 * Where the identity's code records audit events: each goes to every AuditEventSink the host
 * supplied, then to the `@OnEvent('audit.…')` listeners as a Nest event (docs/extending.md).
 */
@Injectable()
export class AuditTrail implements OnModuleInit {
  private readonly logger = new Logger('AuditTrail');
  private listening = false;
  /** The host's sinks, providers of the module that mounts the authority, looked up once. */
  private sinks: readonly AuditEventSink[] | undefined;
  /** Settles once the @OnEvent listeners are attached (never rejects). */
  private readonly ready: Promise<void>;

  constructor(
    private readonly events: EventEmitter2,
    readiness: EventEmitterReadinessWatcher,
    private readonly moduleRef: ModuleRef,
    @Inject(AUDIT_EVENT_SINK_TYPES) private readonly sinkTypes: AuditEventSinkTypes,
  ) {
    this.ready = readiness.waitUntilReady().then(
      () => void (this.listening = true),
      () => undefined,
    );
  }

  record(event: AuditEvent): void {
    if (this.listening) this.deliver(event);
    // @OnEvent listeners are attached at application bootstrap: an event recorded while the
    // modules start (the first signing key, created in onModuleInit) waits for them, and so do
    // the sinks, which may need their own onModuleInit first.
    else void this.ready.then(() => this.listening && this.deliver(event));
  }

  private deliver(event: AuditEvent): void {
    for (const sink of this.resolveSinks()) this.deliverTo(sink, event);
    this.events.emit(event.name, event);
  }

  /** A sink's failure is its own: logged, never thrown at the code that recorded the event. */
  private deliverTo(sink: AuditEventSink, event: AuditEvent): void {
    const failed = (error: unknown) =>
      // The message only: an error object may carry what the sink was sending (headers...).
      this.logger.error(
        `the event sink ${sink.constructor.name} failed on ${event.name}: ${error instanceof Error ? error.message : 'not an Error'}`,
      );
    try {
      const delivered: unknown = sink.record(event);
      if (isThenable(delivered)) delivered.then(undefined, failed);
    } catch (error) {
      failed(error);
    }
  }

  /** A sink that is no sink stops the start-up. */
  onModuleInit(): void {
    this.resolveSinks();
  }

  private resolveSinks(): readonly AuditEventSink[] {
    this.sinks ??= this.sinkTypes.map((type) => {
      const sink = this.moduleRef.get(type, { strict: false });
      if (typeof sink?.record !== 'function') {
        throw new Error(`${type.name} has no method record() (docs/extending.md)`);
      }
      return sink;
    });
    return this.sinks;
  }
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return typeof (value as PromiseLike<unknown> | undefined)?.then === 'function';
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
