import { describe, expect, it } from 'vitest';
import { createProgressBar } from '../../src/terminal/progress.js';

function stream(isTTY: boolean) {
  const writes: string[] = [];
  return { writes, write: (t: string) => writes.push(t), isTTY, columns: 60 };
}

describe('createProgressBar', () => {
  it('draws on a terminal and clears the line when done', () => {
    const s = stream(true);
    const bar = createProgressBar(s, 'Auditing sandbox');
    bar.update({ done: 0, total: 4 });
    bar.update({ done: 4, total: 4 });
    bar.done();
    expect(s.writes[0]).toContain('Auditing sandbox [........................] 0/4');
    expect(s.writes[1]).toContain('[########################] 4/4');
    expect(s.writes.at(-1)).toBe('\r\x1b[K');
  });

  it('redraws at most every 100 ms, but always draws the end', () => {
    const s = stream(true);
    const bar = createProgressBar(s, 'x');
    for (let i = 0; i < 50; i++) bar.update({ done: i, total: 50 });
    bar.update({ done: 50, total: 50 });
    expect(s.writes.length).toBeLessThanOrEqual(3);
    expect(s.writes.at(-1)).toContain('50/50');
  });

  it('writes nothing when stderr is not a terminal', () => {
    const s = stream(false);
    const bar = createProgressBar(s, 'x');
    bar.update({ done: 1, total: 2 });
    bar.done();
    expect(s.writes).toEqual([]);
  });
});
