// Preloaded into the process under measurement (node --import): on exit, writes the whole process's
// CPU time and peak RSS, from start-up on, to $BENCH_PROBE_OUT. Nothing else changes in that process.
//
// Peak RSS is VmHWM of /proc/self/status: the high-water mark of this program's own address space.
// getrusage's maxRSS is not: Linux keeps it across execve, so a child spawned by a large parent starts
// with the parent's RSS as its "peak". Where /proc is missing, maxRSS is the fallback (and flagged).
import { readFileSync, writeFileSync } from 'node:fs';

const out = process.env.BENCH_PROBE_OUT;
if (out) {
  delete process.env.BENCH_PROBE_OUT;
  process.on('exit', () => {
    const usage = process.resourceUsage();
    let peakKb;
    try {
      peakKb = Number(/VmHWM:\s+(\d+) kB/.exec(readFileSync('/proc/self/status', 'utf8'))?.[1]);
    } catch {
      peakKb = undefined;
    }
    const rss = peakKb ? { maxRssKb: peakKb, rssSource: 'VmHWM' } : { maxRssKb: usage.maxRSS, rssSource: 'getrusage' };
    writeFileSync(out, JSON.stringify({ userUs: usage.userCPUTime, systemUs: usage.systemCPUTime, ...rss }));
  });
}
