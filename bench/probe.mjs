// Preloaded into the process under measurement (node --import): on exit, writes the whole process's
// CPU time and peak RSS, from start-up on, to $BENCH_PROBE_OUT. Nothing else changes in that process.
import { writeFileSync } from 'node:fs';

const out = process.env.BENCH_PROBE_OUT;
if (out) {
  delete process.env.BENCH_PROBE_OUT;
  process.on('exit', () => {
    const usage = process.resourceUsage();
    writeFileSync(out, JSON.stringify({ userUs: usage.userCPUTime, systemUs: usage.systemCPUTime, maxRssKb: usage.maxRSS }));
  });
}
