import type { Type } from '@nestjs/common';
import type { AuditEvent } from './audit-events';

/**
 * Receives every audit event the authority records, as IdentityServer's IEventSink
 * (docs/extending.md, "An event sink"): supplied as `IdentityServerModule.forRoot({ eventSinks:
 * [MySink] })`. A sink that throws or rejects never fails the request that recorded the event:
 * the failure is logged (the sink's class, the event's name and the error's message).
 */
export abstract class AuditEventSink {
  abstract record(event: AuditEvent): void | Promise<void>;
}

/** The sinks the host app supplied. */
export type AuditEventSinkTypes = readonly Type<AuditEventSink>[];

export const AUDIT_EVENT_SINK_TYPES = Symbol('AUDIT_EVENT_SINK_TYPES');
