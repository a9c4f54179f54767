import { Injectable } from '@nestjs/common';
import { OnEvent } from '@nestjs/event-emitter';
import type { AuditEvent } from '../audit/audit-events';
import { CliOutput } from './cli-output';

/**
 * The CLI's audit listener: each audit event of a command (actor `cli`) as one JSON line
 * `{"audit": {...}}` on stderr, as the server logs its own; stdout keeps only the result, so
 * `--json` output stays parseable.
 */
@Injectable()
export class CliAuditLog {
  constructor(private readonly output: CliOutput) {}

  @OnEvent('audit.**')
  write(event: AuditEvent): void {
    this.output.warn(JSON.stringify({ audit: event }));
  }
}
