// Bench only: preloaded into a built app by `npm run soak` (`node --import
// ./bench/event-loop-lag.mjs dist/apps/…/main.js`). Every SOAK_LAG_INTERVAL_MS (10 s by default)
// it prints the event-loop delay of that interval to stderr, one line the soak reads back. An
// unref'd timer, so it never keeps the app alive nor changes how it shuts down.
import { setInterval } from 'node:timers';
import { LAG_LINE, watchEventLoop } from './lib/event-loop-lag.mjs';

const loop = watchEventLoop();
setInterval(
  () => process.stderr.write(`${LAG_LINE}${JSON.stringify(loop.lag())}\n`),
  Number(process.env.SOAK_LAG_INTERVAL_MS) || 10_000,
).unref();
