import type { Logger } from '@nestjs/common';

/**
 * Logs a failing dependency once per distinct failure and once when it recovers, so an
 * unreachable authority does not write a line for every request it makes fail.
 */
export class FailureLog {
  private lastFailure?: string;

  constructor(
    private readonly logger: Pick<Logger, 'warn' | 'log'>,
    private readonly what: string,
  ) {}

  failed(reason: string): void {
    if (reason === this.lastFailure) return;
    this.lastFailure = reason;
    this.logger.warn(`${this.what} unavailable: ${reason}`);
  }

  succeeded(): void {
    if (this.lastFailure === undefined) return;
    this.lastFailure = undefined;
    this.logger.log(`${this.what} available again`);
  }
}

/** A short reason for a network failure: fetch's TypeError hides the useful part in `cause`. */
export function describeFailure(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const cause = error.cause instanceof Error ? `: ${error.cause.message}` : '';
  return `${error.message}${cause}`;
}
