import type { INestApplication } from '@nestjs/common';
import { flushTracing } from '../tracing/start-tracing';

/**
 * On SIGTERM or SIGINT: stop accepting connections, let in-flight requests finish (requests
 * arriving meanwhile on kept-alive connections get 503), close the app's resources, and exit.
 * Whatever is still running when the grace period ends is cut off: the process exits anyway,
 * before an orchestrator's SIGKILL would.
 */
export function closeGracefullyOnSignals(
  app: INestApplication,
  gracePeriodMs: number,
  report: (message: string) => void,
): void {
  let closing = false;
  const close = (signal: NodeJS.Signals): void => {
    if (closing) return;
    closing = true;
    report(`${signal}: closing, in-flight requests have ${gracePeriodMs} ms`);
    setTimeout(() => {
      report('the grace period is over: exiting with requests still open');
      process.exit(1);
    }, gracePeriodMs).unref();
    app
      .close()
      .then(flushTracing)
      .then(
        () => process.exit(0),
        (error: unknown) => {
          report(`closing failed: ${error instanceof Error ? error.message : String(error)}`);
          process.exit(1);
        },
      );
  };
  process.on('SIGTERM', close);
  process.on('SIGINT', close);
}
