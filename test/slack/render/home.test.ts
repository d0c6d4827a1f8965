import { describe, expect, it } from 'vitest';
import { renderHome } from '../../../src/slack/render/home.js';
import type { AccountConfig } from '../../../src/config.js';

const account = (i: number): AccountConfig => ({ alias: `acct-${i}`, accountId: String(100000000000 + i), roleArn: `arn:aws:iam::${100000000000 + i}:role/A` });

describe('renderHome', () => {
  it('says when an account was not audited yet, is being audited, or was audited clean with errors', () => {
    const view = renderHome([
      { account: account(1), last: undefined, running: false },
      { account: account(2), last: undefined, running: true },
      { account: account(3), last: { at: new Date('2026-11-23T10:00:00Z'), bySeverity: {}, errors: 2, complete: false, muted: 3 }, running: false },
    ]);
    const text = JSON.stringify(view.blocks);
    expect(text).toContain('acct-1* 100000000001\\nnot audited yet');
    expect(text).toContain('acct-2* 100000000002\\n:hourglass_flowing_sand: audit running');
    expect(text).toContain('(some services only)\\n:white_check_mark: no findings · 3 muted · :warning: 2 could not be checked');
  });

  it("stays within the Home tab's 100 blocks for many accounts and says how many more", () => {
    const view = renderHome(Array.from({ length: 120 }, (_, i) => ({ account: account(i), last: undefined, running: false })));
    expect(view.blocks.length).toBeLessThanOrEqual(100);
    expect(JSON.stringify(view.blocks.at(-1))).toContain('…and 75 more accounts');
  });

  it('tells a user without accounts how to get access', () => {
    expect(JSON.stringify(renderHome([]).blocks)).toContain('access.auditors');
  });
});
