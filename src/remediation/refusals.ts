/**
 * Why the bot did not do what a click asked, as a reason code and the facts
 * that go with it. The service decides; the renderers choose the words
 * (src/slack/render/fix.ts), so that the same refusal reads the same in the
 * clicker's answer, the thread's log line and a future front end.
 */
export type Refusal =
  // The finding and the account (the guards that need no AWS call).
  | { code: 'finding-unknown'; detail: string }
  | { code: 'no-fix'; checkId: string }
  | { code: 'not-remediator' }
  | { code: 'account-gone'; accountId: string }
  | { code: 'fixes-off'; alias: string }
  | { code: 'resolved'; on: string }
  | { code: 'muted'; until: string; reason: string }
  // The confirmation a click acts on.
  | { code: 'someone-elses' }
  | { code: 'confirmation-expired' }
  | { code: 'button-mismatch' }
  | { code: 'settings-changed' }
  // Live state, read right before acting.
  | { code: 'nothing-to-do'; detail: string }
  | { code: 'aws-changed'; was: string; now: string }
  | { code: 'aws-unreadable'; error: string }
  // Requests for approval (the two-person rule).
  | { code: 'already-answered' }
  | { code: 'request-gone' }
  | { code: 'already-decided'; by?: string }
  | { code: 'approver-not-remediator' }
  | { code: 'own-request' }
  | { code: 'request-expired' }
  | { code: 'requester-not-remediator' }
  // Undo.
  | { code: 'undo-unknown' }
  | { code: 'undo-superseded' }
  | { code: 'undo-not-remediator' }
  | { code: 'undo-dry-run' }
  | { code: 'undo-window-over' }
  | { code: 'fixes-unconfigured'; accountId: string }
  | { code: 'nothing-to-undo'; detail: string };

export type RefusalCode = Refusal['code'];

const CODES: ReadonlySet<string> = new Set<RefusalCode>([
  'finding-unknown',
  'no-fix',
  'not-remediator',
  'account-gone',
  'fixes-off',
  'resolved',
  'muted',
  'someone-elses',
  'confirmation-expired',
  'button-mismatch',
  'settings-changed',
  'nothing-to-do',
  'aws-changed',
  'aws-unreadable',
  'already-answered',
  'request-gone',
  'already-decided',
  'approver-not-remediator',
  'own-request',
  'request-expired',
  'requester-not-remediator',
  'undo-unknown',
  'undo-superseded',
  'undo-not-remediator',
  'undo-dry-run',
  'undo-window-over',
  'fixes-unconfigured',
  'nothing-to-undo',
]);

/** A refusal read back from the action log (written by this or a later version of the bot): undefined when its code is not one of ours. */
export function storedRefusal(value: { code: string } | undefined): Refusal | undefined {
  return value && CODES.has(value.code) ? (value as Refusal) : undefined;
}
