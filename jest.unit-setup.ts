import { Logger } from '@nestjs/common';

// Unit specs assert behaviour, not log lines: keep Nest's logger quiet.
Logger.overrideLogger(false);
