import type { AuditProgress } from '../audit/types.js';

export interface ProgressStream {
  write(text: string): unknown;
  isTTY?: boolean;
  columns?: number;
}

/** A one-line progress bar, redrawn at most every 100 ms; nothing when not a terminal. */
export function createProgressBar(stream: ProgressStream, label: string): { update(p: AuditProgress): void; done(): void } {
  if (!stream.isTTY) return { update: () => undefined, done: () => undefined };
  let last = 0;
  let drawn = false;
  const width = 24;
  return {
    update(p) {
      const now = Date.now();
      if (p.done < p.total && now - last < 100) return;
      last = now;
      const filled = p.total === 0 ? width : Math.round((p.done / p.total) * width);
      const line = `${label} [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${p.done}/${p.total}`;
      stream.write(`\r${line.slice(0, (stream.columns ?? 80) - 1)}\x1b[K`);
      drawn = true;
    },
    done() {
      if (drawn) stream.write('\r\x1b[K');
    },
  };
}
