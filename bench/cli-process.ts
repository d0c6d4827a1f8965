/**
 * The built CLI as a child process under bench/probe.mjs, which reports the
 * whole process's CPU time and peak RSS from its exit: what both process
 * benchmarks (process.bench.ts, scale.bench.ts) measure.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';

const root = path.resolve(import.meta.dirname, '..');
const manifest = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as { bin: Record<string, string> };
export const CLI = path.join(root, manifest.bin['aws-audit-bot']!);
const PROBE = path.join(import.meta.dirname, 'probe.mjs');
const MiB = 1024 * 1024;

export interface ProcessRun {
  code: number | null;
  wallMs: number;
  cpuMs: number;
  rssMiB: number;
  stdout: string;
  stderr: string;
}

/** The process's own figures, from its exit (bench/probe.mjs); NaN when it left none (killed). */
function readProbe(file: string): { cpuMs: number; rssMiB: number } {
  try {
    const p = JSON.parse(readFileSync(file, 'utf8')) as { userUs: number; systemUs: number; maxRssKb: number };
    return { cpuMs: (p.userUs + p.systemUs) / 1000, rssMiB: (p.maxRssKb * 1024) / MiB };
  } catch {
    return { cpuMs: Number.NaN, rssMiB: Number.NaN };
  }
}

let probes = 0;

/** Starts `node dist/src/cli.js <args>`; `output()` is what it printed so far (both streams), `done` its figures at exit. */
export function startCli(args: string[], env: NodeJS.ProcessEnv, probeDir: string): { child: ChildProcess; output: () => string; done: Promise<ProcessRun> } {
  const probeFile = path.join(probeDir, `probe-${process.pid}-${++probes}.json`);
  const started = performance.now();
  const child = spawn(process.execPath, ['--import', PROBE, CLI, ...args], {
    env: { ...env, BENCH_PROBE_OUT: probeFile },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  child.stdout.on('data', (c: Buffer) => out.push(c));
  child.stderr.on('data', (c: Buffer) => err.push(c));
  const done = new Promise<ProcessRun>((resolve) => {
    child.on('close', (code) => {
      const wallMs = performance.now() - started;
      resolve({ code, wallMs, ...readProbe(probeFile), stdout: Buffer.concat(out).toString(), stderr: Buffer.concat(err).toString() });
    });
  });
  return { child, output: () => Buffer.concat([...out, ...err]).toString(), done };
}
