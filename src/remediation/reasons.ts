/**
 * Why the bot did not do what a click asked (a refusal), or why what it did
 * failed, as a reason code and the facts that go with it. The service
 * decides; the renderers choose the words (src/slack/render/fix.ts), so that
 * the same reason reads the same in the clicker's answer, the thread's log
 * line and any other front end. The action log keeps the code and its facts.
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
  /** A request answered before reason codes: its words, as they were written. */
  | { code: 'earlier-answer'; detail: string }
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

/** Why an attempt failed: AWS's own words are a fact (`error`), never the message. */
export type Failure =
  /** The precheck of a fix could not read AWS (after the confirmation was shown). */
  | { code: 'precheck-failed'; error: string }
  /** AWS refused or failed the change. */
  | { code: 'apply-failed'; error: string }
  /** An `applying` entry whose change never landed: the bot stopped before AWS answered, and AWS still showed the problem later. */
  | { code: 'never-applied' }
  /** An `applying` entry undo found not in place. */
  | { code: 'never-applied-undo'; detail: string }
  /** AWS answered an error, but the change is in place (read back): the entry is applied. */
  | { code: 'applied-despite-error'; error: string }
  /** The undo itself failed. */
  | { code: 'undo-error'; error: string }
  /** A request for approval nobody could be shown (no other remediator, or Slack refused every post). */
  | { code: 'request-not-posted'; error?: string };

export type Reason = Refusal | Failure;
export type ReasonCode = Reason['code'];
export type RefusalCode = Refusal['code'];

/** Every code, once (the type makes the list complete): what a stored entry may carry. */
const CODES: Record<ReasonCode, true> = {
  'precheck-failed': true,
  'apply-failed': true,
  'never-applied': true,
  'never-applied-undo': true,
  'applied-despite-error': true,
  'undo-error': true,
  'request-not-posted': true,
  'finding-unknown': true,
  'no-fix': true,
  'not-remediator': true,
  'account-gone': true,
  'fixes-off': true,
  resolved: true,
  muted: true,
  'someone-elses': true,
  'confirmation-expired': true,
  'button-mismatch': true,
  'settings-changed': true,
  'nothing-to-do': true,
  'aws-changed': true,
  'aws-unreadable': true,
  'already-answered': true,
  'earlier-answer': true,
  'request-gone': true,
  'already-decided': true,
  'approver-not-remediator': true,
  'own-request': true,
  'request-expired': true,
  'requester-not-remediator': true,
  'undo-unknown': true,
  'undo-superseded': true,
  'undo-not-remediator': true,
  'undo-dry-run': true,
  'undo-window-over': true,
  'fixes-unconfigured': true,
  'nothing-to-undo': true,
};

/** A reason read back from the action log (written by this or a later version of the bot): undefined when its code is not one of ours. */
export function storedReason(value: { code: string } | undefined): Reason | undefined {
  return value && Object.hasOwn(CODES, value.code) ? (value as Reason) : undefined;
}
