export type TestFn = (name: string, fn: (() => Promise<void>) | (() => void), timeout?: number) => void;

/**
 * For a check that needs a tool the project's own dependencies do not carry (a browser, a SQL
 * engine): `it` when the tool is there; without it, `it.skip` and one line saying what was not
 * checked and how to install the tool. Under CI=true a missing tool is a failure, not a skip:
 * .ci/run installs it.
 */
export function testNeedingTool(found: boolean, what: string, missing: string): TestFn {
  if (found) return it;
  if (process.env.CI === 'true') {
    return (name) =>
      it(name, () => {
        throw new Error(`CI=true but ${missing}: ${what} cannot be checked. .ci/run installs it.`);
      });
  }
  process.stderr.write(`skipped: ${what} (${missing})\n`);
  return it.skip;
}
