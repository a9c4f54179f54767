// Jest's own order, except that the log-secrecy spec runs last: it scans what the others logged.
const Sequencer = require('@jest/test-sequencer').default;

const LAST = /log-secrecy\.e2e-spec\.ts$/;

class LogSecrecyLast extends Sequencer {
  sort(tests) {
    const ordered = super.sort(tests);
    return [
      ...ordered.filter((t) => !LAST.test(t.path)),
      ...ordered.filter((t) => LAST.test(t.path)),
    ];
  }
}

module.exports = LogSecrecyLast;
