import { Logger } from '@nestjs/common';

// Unit specs assert behaviour, not log lines: keep Nest's logger quiet.
Logger.overrideLogger(false);
// The apps built in-process log requests through pino (nestjs-pino), which Nest's switch misses.
process.env.LOG_LEVEL = 'silent';
