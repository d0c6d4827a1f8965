import { execFile, type ChildProcess } from 'node:child_process';
import path from 'node:path';

/** The built CLI (test/global-setup.ts builds it before the suite). */
export const CLI_ENTRY = path.resolve('dist/src/cli.js');

/**
 * A spawned process on a busy 2-core machine: Node's start-up plus the SDK's
 * imports can take seconds there, so process tests get this much, not
 * vitest's 5 s default.
 */
export const PROCESS_TEST_TIMEOUT_MS = 60_000;

export interface CliRun {
  code: number;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  /** Wall time of the process, in ms. */
  wallMs: number;
}

/** Runs the built CLI as a process; resolves with its exit code and output (never rejects on a non-zero exit). */
export function runCliProcess(
  args: string[],
  options: { env?: NodeJS.ProcessEnv; timeoutMs?: number; cwd?: string; onChild?: (child: ChildProcess) => void; prefix?: string[] } = {},
): Promise<CliRun> {
  const started = performance.now();
  return new Promise((resolve) => {
    // `prefix` runs the CLI under another command (`unshare --pid --fork`).
    const [file, ...rest] = [...(options.prefix ?? []), process.execPath, CLI_ENTRY, ...args];
    const child = execFile(
      file!,
      rest,
      {
        env: options.env ?? process.env,
        timeout: options.timeoutMs ?? PROCESS_TEST_TIMEOUT_MS - 5_000,
        maxBuffer: 64 * 1024 * 1024,
        ...(options.cwd ? { cwd: options.cwd } : {}),
      },
      (error, stdout, stderr) => {
        const e = error as (Error & { code?: number | string; signal?: NodeJS.Signals | null }) | null;
        resolve({
          code: e ? (typeof e.code === 'number' ? e.code : -1) : 0,
          signal: e?.signal ?? null,
          stdout,
          stderr,
          wallMs: Math.round(performance.now() - started),
        });
      },
    );
    options.onChild?.(child);
  });
}
