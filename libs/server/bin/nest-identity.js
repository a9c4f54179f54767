#!/usr/bin/env node
'use strict';
// The package's command line (docs/getting-started.md, "Without cloning"):
//   nest-identity serve [--config file] [--port n] [--issuer url] [--data-dir dir]
//   nest-identity clients …, nest-identity keys …   (the CLI of docs/clients.md and docs/keys.md)
// Every other setting comes from the environment, named as docs/reference.md lists them.
const { parseArgs } = require('node:util');

const SERVE_OPTIONS = {
  config: { type: 'string', env: 'IDENTITY_CONFIG' },
  port: { type: 'string', env: 'PORT' },
  issuer: { type: 'string', env: 'ISSUER' },
  'data-dir': { type: 'string', env: 'IDENTITY_DATA_DIR' },
};

const USAGE = `Usage: nest-identity serve [--config <file>] [--port <n>] [--issuer <url>] [--data-dir <dir>]
       nest-identity clients <command> …   (nest-identity clients --help)
       nest-identity keys <command> …      (nest-identity keys --help)
Every setting can also be given by its environment variable (docs/reference.md).`;

function serve(args) {
  let values;
  try {
    ({ values } = parseArgs({ args, options: SERVE_OPTIONS, strict: true }));
  } catch (error) {
    console.error(`nest-identity: ${error.message}\n${USAGE}`);
    process.exit(2);
  }
  // An option given on the command line wins over the environment, as the usage says.
  for (const [name, option] of Object.entries(SERVE_OPTIONS)) {
    if (values[name] !== undefined) process.env[option.env] = values[name];
  }
  require('../dist/standalone.js').serveIdentity();
}

const [command, ...rest] = process.argv.slice(2);
if (command === 'serve') {
  serve(rest);
} else if (command === undefined || command === '--help' || command === '-h') {
  console.log(USAGE);
  process.exitCode = command === undefined ? 2 : 0;
} else {
  void require('../dist/standalone.js')
    .runCli(process.argv)
    .then((code) => {
      process.exitCode = code;
    });
}
