import Sequencer from '@jest/test-sequencer';

/**
 * The suites that take longest (measured), which start first so that none is left running alone
 * at the end while the other workers idle. The bastion suite goes first because it starts the
 * run's three packagings (child processes that the other template suites then wait for): while
 * they run, the other worker runs suites that need no packaging, so that no worker sits waiting.
 * After these, jest's own order (by the durations it recorded, else by file size).
 */
const SLOWEST_FIRST = [
  'template/bastion.test.ts',
  'integration/history-import.test.ts',
  'integration/local-store.test.ts',
  'integration/athena-queries.test.ts',
  'integration/report.test.ts',
  'template/invoke-stepf.test.ts',
  'template/lint.test.ts',
  'integration/sources.test.ts',
  'integration/cli.test.ts',
  'template/template.test.ts',
];

const rank = (test) => {
  const index = SLOWEST_FIRST.findIndex((suffix) => test.path.endsWith(suffix));
  return index === -1 ? SLOWEST_FIRST.length : index;
};

export default class SlowestFirst extends Sequencer {
  async sort(tests) {
    const ordered = await super.sort(tests);
    // Array.prototype.sort is stable: within a rank, jest's order stays.
    return [...ordered].sort((a, b) => rank(a) - rank(b));
  }
}
