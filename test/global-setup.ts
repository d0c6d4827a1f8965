import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import type { TestProject } from 'vitest/node';

declare module 'vitest' {
  export interface ProvidedContext {
    /** The PostgreSQL server the store tests use (each test file on schemas of its own). */
    databaseUrl: string;
  }
}

const run = promisify(execFile);

/**
 * Builds dist/ once before the suite, so tests that spawn the CLI run the
 * built process users run (node dist/src/cli.js), not a cold tsx compile,
 * and always the code under test. Then the PostgreSQL server of the store
 * tests: TEST_DATABASE_URL when set (`.ci/run` starts one), else a
 * throw-away one started here (scripts/test-postgres.sh, Debian's package)
 * and stopped when the suite ends.
 */
export default async function setup(project: TestProject): Promise<(() => Promise<void>) | undefined> {
  // The build's metafile too: test/build.test.ts reads what each entry loads.
  await run(process.execPath, [path.resolve('scripts/build.mjs')], {
    timeout: 120_000,
    env: { ...process.env, BUILD_METAFILE: path.resolve('dist/build-meta.json') },
  });
  const given = process.env.TEST_DATABASE_URL?.trim();
  if (given) {
    project.provide('databaseUrl', given);
    return undefined;
  }
  let out: string;
  try {
    ({ stdout: out } = await run('bash', [path.resolve('scripts/test-postgres.sh'), 'start'], { timeout: 300_000 }));
  } catch (error) {
    throw new Error(
      `The store tests need PostgreSQL: scripts/test-postgres.sh could not start one (${(error as { stderr?: string }).stderr?.trim() || (error as Error).message}). ` +
        "Install Debian's postgresql package, or set TEST_DATABASE_URL to a server the tests may create schemas in.",
    );
  }
  const [url, dir] = out.trim().split(/\s+/);
  project.provide('databaseUrl', url!);
  return async () => {
    await run('bash', [path.resolve('scripts/test-postgres.sh'), 'stop', dir!], { timeout: 60_000 }).catch(() => undefined);
  };
}
