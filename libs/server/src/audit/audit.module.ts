import { Module, type DynamicModule } from '@nestjs/common';
import { EventEmitterModule } from '@nestjs/event-emitter';
import { AUDIT_EVENT_SINK_TYPES, type AuditEventSinkTypes } from './audit-event-sink';
import { AuditLog, AuditTrail } from './audit-trail';

export interface AuditModuleOptions {
  /**
   * Whether AuditLog, the default listener, writes each event to the log. The CLI, which has no
   * log, turns it off and writes the events itself (CliAuditLog).
   */
  log?: boolean;
  /** The host's AuditEventSink classes, providers of the module that mounts the authority. */
  sinks?: AuditEventSinkTypes;
}

/** The audit trail: AuditTrail for the code that records, AuditLog as the default listener. */
@Module({})
export class AuditModule {
  static forRoot({ log = true, sinks = [] }: AuditModuleOptions = {}): DynamicModule {
    return {
      module: AuditModule,
      global: true,
      imports: [EventEmitterModule.forRoot({ wildcard: true, delimiter: '.' })],
      providers: [
        AuditTrail,
        { provide: AUDIT_EVENT_SINK_TYPES, useValue: sinks },
        ...(log ? [AuditLog] : []),
      ],
      exports: [AuditTrail],
    };
  }
}
