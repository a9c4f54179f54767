// Event-loop delay over an interval, for `npm run soak`: measured in the soak itself, and in each
// server by the preload bench/event-loop-lag.mjs, which prints one line per interval.
import { monitorEventLoopDelay } from 'node:perf_hooks';

/** The start of the line the preload prints, followed by the lag as JSON. */
export const LAG_LINE = 'soak:event-loop-lag ';

const RESOLUTION_MS = 10;

/**
 * Watches this process's event loop; `lag()` gives p50, p99 and max in ms since the previous call
 * (or the start) and starts a new interval.
 */
export function watchEventLoop() {
  const histogram = monitorEventLoopDelay({ resolution: RESOLUTION_MS });
  histogram.enable();
  // The histogram records the whole timer period: the lag is what exceeds the resolution.
  const ms = (nanoseconds) =>
    Math.max(0, Math.round((nanoseconds / 1e6 - RESOLUTION_MS) * 100) / 100);
  return {
    lag() {
      const lag = {
        p50: ms(histogram.percentile(50)),
        p99: ms(histogram.percentile(99)),
        max: ms(histogram.max),
      };
      histogram.reset();
      return lag;
    },
  };
}

/** The lag a server printed last (see LAG_LINE), or undefined. */
export function lastPrintedLag(outputLines) {
  for (let i = outputLines.length - 1; i >= 0; i--) {
    const at = outputLines[i].indexOf(LAG_LINE);
    if (at === -1) continue;
    try {
      return JSON.parse(outputLines[i].slice(at + LAG_LINE.length));
    } catch {
      return undefined;
    }
  }
  return undefined;
}
