// Before an e2e run: a fresh test-output folder, so the log scans (test/support/secrecy.ts) see this run only.
const { rmSync } = require('node:fs');
const { join } = require('node:path');

module.exports = async function emptyTestOutput() {
  rmSync(join(__dirname, '..', '..', 'test-output'), { recursive: true, force: true });
};
