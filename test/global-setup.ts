import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';

/**
 * Builds dist/ once before the suite, so tests that spawn the CLI run the
 * built process users run (node dist/src/cli.js), not a cold tsx compile,
 * and always the code under test.
 */
export default async function setup(): Promise<void> {
  // The build's metafile too: test/build.test.ts reads what each entry loads.
  await promisify(execFile)(process.execPath, [path.resolve('scripts/build.mjs')], {
    timeout: 120_000,
    env: { ...process.env, BUILD_METAFILE: path.resolve('dist/build-meta.json') },
  });
}
