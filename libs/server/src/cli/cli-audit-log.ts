import { Injectable } from '@nestjs/common';
import { OnEvent } from '@nestjs/event-emitter';
import type { AuditEvent } from '../audit/audit-events';
import { CliOutput } from './cli-output';

/**
 * The CLI's audit listener: each event a command causes (a client changed, a key rotated, with
 * actor `cli`) as one JSON line `{"audit": {...}}` on stderr, the shape of the server's audit
 * log lines. stdout keeps only the command's result, so `--json` output stays parseable.
 */
@Injectable()
export class CliAuditLog {
  constructor(private readonly output: CliOutput) {}

  @OnEvent('audit.**')
  write(event: AuditEvent): void {
    this.output.warn(JSON.stringify({ audit: event }));
  }
}
