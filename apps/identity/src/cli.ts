import { runCli } from '@nest-identity/server/standalone';

// `npm run identity -- clients list`: the identity's command line (see cli/).
void runCli(process.argv).then((code) => {
  process.exitCode = code;
});
