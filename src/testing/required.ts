/**
 * Suites that check this tool against the real thing (Python's versioneer, tomllib and
 * configparser, a real sshd) skip on a machine that lacks it, saying what is missing. Under CI
 * (CI=true) such a skip would let the run go green without the check, so there it fails.
 */
import { test, type TestContext } from 'node:test';

export function underCi(env: NodeJS.ProcessEnv = process.env): boolean {
  return /^(true|1)$/i.test(env['CI'] ?? '');
}

/**
 * For a suite's `skip` option: `reason` (false when nothing is missing). Under CI a missing
 * requirement also adds a failing test saying what is missing.
 */
export function requiredSuite(name: string, reason: string | false): string | false {
  if (reason && underCi()) {
    test(`${name} (required under CI)`, () => {
      throw new Error(`${name} cannot run: ${reason}`);
    });
  }
  return reason;
}

/** Inside a required test: skip for `reason`, or under CI fail with it. */
export function skipRequired(t: TestContext, reason: string): void {
  if (underCi()) throw new Error(`${t.name} cannot run (required under CI): ${reason}`);
  t.skip(reason);
}
