import { describe, expect, it } from 'vitest';
import type { Reason } from '../../../src/remediation/reasons.js';
import { storedReason } from '../../../src/remediation/reasons.js';
import type { ActionRecord } from '../../../src/store/store.js';
import { markedMessage, outcomeText, previewFailedText, refusalLine, refusalText, refusedAnswer } from '../../../src/slack/render/fix.js';

const record = (over: Partial<ActionRecord>): ActionRecord => ({
  id: 'r1',
  at: '2026-11-23T12:00:00.000Z',
  requestId: 'q1',
  result: 'refused',
  action: 'iam.deactivate-access-key',
  fingerprint: 'f'.repeat(32),
  accountId: '123456789012',
  alias: 'prod',
  checkId: 'iam.access-key-rotation',
  user: 'U0ALICE01',
  ...over,
});

describe('the words of the fix flow', () => {
  it('words every refusal code for the clicker, and the log line where it differs', () => {
    const cases: [Reason, string, string][] = [
      [{ code: 'not-remediator' }, 'Only the people in `access.remediators` may fix findings.', 'Only the people in `access.remediators` may fix findings.'],
      [{ code: 'approver-not-remediator' }, 'Only the people in `access.remediators` may approve fixes.', 'not a remediator'],
      [{ code: 'undo-dry-run' }, 'dry-run mode (`remediation.mode: dry-run`)', 'dry-run mode'],
      [{ code: 'nothing-to-do', detail: 'already Inactive' }, 'Nothing to fix: already Inactive', 'the precheck found nothing to do: already Inactive'],
      [{ code: 'already-decided', by: 'U0BOB0001' }, 'already decided by <@U0BOB0001>', 'already decided by <@U0BOB0001>'],
    ];
    for (const [refusal, tell, line] of cases) {
      expect(refusalText(refusal)).toContain(tell);
      expect(refusalLine(refusal)).toContain(line);
    }
    expect(refusedAnswer({ code: 'own-request' })).toBe(':no_entry: You asked for this fix: another remediator must approve it.');
    expect(previewFailedText({ code: 'nothing-to-do', detail: 'gone' })).toMatch(/^:information_source: /);
    expect(previewFailedText({ code: 'aws-unreadable', error: 'AccessDenied' })).toBe(':x: AWS could not be read with the remediation role: AccessDenied');
  });

  it('escapes the facts a refusal carries (a mute reason is anyone’s text)', () => {
    const text = refusalText({ code: 'muted', until: '2026-12-24', reason: '<!channel> & <https://evil|click>' });
    expect(text).not.toContain('<!channel>');
    expect(text).toContain('&lt;!channel&gt;');
  });

  it('words a refused entry from its code; an entry written before codes, or with a code it does not know, from its reason', () => {
    expect(outcomeText(record({ why: { code: 'request-expired' } }))).toContain('not done, the request expired');
    expect(outcomeText(record({ reason: 'not a remediator' }))).toContain('not done, not a remediator');
    expect(outcomeText(record({ why: { code: 'from-a-newer-bot' }, reason: 'its own words' }))).toContain('not done, its own words');
    expect(storedReason({ code: 'from-a-newer-bot' })).toBeUndefined();
    expect(outcomeText(record({ result: 'failed', reason: 'AccessDenied <b>' }))).toContain('failed at');
    expect(outcomeText(record({ result: 'failed', reason: 'AccessDenied <b>' }))).toContain('AccessDenied &lt;b&gt;');
  });

  it('adds the outcome line to the message a fix was chosen in, replaces it when it changes, and keeps within 50 blocks', () => {
    const original = { text: 'report', blocks: [{ type: 'section' as const, block_id: 'a', text: { type: 'mrkdwn' as const, text: 'x' } }] };
    const once = markedMessage(original, record({ result: 'applied', change: 'Deactivate key', state: {} }))!;
    expect(once.blocks).toHaveLength(2);
    const twice = markedMessage(once, record({ result: 'undone', change: 'Deactivate key' }))!;
    expect(twice.blocks).toHaveLength(2);
    expect(JSON.stringify(twice.blocks[1])).toContain('Undone by');
    const full = { text: 'r', blocks: Array.from({ length: 50 }, (_, i) => ({ type: 'divider' as const, block_id: `d${i}` })) };
    expect(markedMessage(full, record({ result: 'applied' }))).toBeUndefined();
  });
});
