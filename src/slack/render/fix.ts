import type { KnownBlock } from '@slack/types';
import { ALL_ACTIONS } from '../../remediation/actions/index.js';
import { undoable } from '../../remediation/action-log.js';
import { storedReason, type Reason } from '../../remediation/reasons.js';
import type { ActionRecord } from '../../store/store.js';
import { SLACK_LIMITS } from './blocks.js';
import { escapeMrkdwn, inlineMrkdwn, mention, slackDate } from './mrkdwn.js';

/** Buttons of the fix flow. Values: `<finding ref> <request id>` (apply, request), or an action-log id (undo, approve, reject). */
export const FIX_ACTIONS = {
  apply: 'remediate_apply',
  cancel: 'remediate_cancel',
  request: 'remediate_request',
  approve: 'remediate_approve',
  reject: 'remediate_reject',
  undo: 'remediate_undo',
} as const;

/** The words of each reason code: `tell` to the clicker, `line` in the action's log line (when it differs). */
const REASONS: { [C in Reason['code']]: { tell: (r: Extract<Reason, { code: C }>) => string; line?: (r: Extract<Reason, { code: C }>) => string } } = {
  'finding-unknown': { tell: (r) => escapeMrkdwn(r.detail) },
  'no-fix': { tell: (r) => `There is no one-click fix for this \`${inlineMrkdwn(r.checkId, 100)}\` finding.` },
  'not-remediator': { tell: () => 'Only the people in `access.remediators` may fix findings.' },
  'account-gone': { tell: (r) => `Account ${escapeMrkdwn(r.accountId)} is no longer configured.` },
  'fixes-off': { tell: (r) => `Fixes are off in ${escapeMrkdwn(r.alias)}: it has no \`remediationRoleArn\` (the audit role stays read-only).` },
  resolved: { tell: (r) => `That finding was resolved on ${escapeMrkdwn(r.on)}: there is nothing to fix.` },
  muted: { tell: (r) => `That finding is muted until ${escapeMrkdwn(r.until)} (${inlineMrkdwn(r.reason, SLACK_LIMITS.titleText)}); unmute it first.` },
  'someone-elses': { tell: () => 'That confirmation was shown to someone else: choose Fix yourself.' },
  'confirmation-expired': { tell: () => 'That confirmation has expired (they last 15 minutes, and a restart of the bot ends them): choose Fix again.' },
  'button-mismatch': { tell: () => 'That button does not match the confirmation it is on.' },
  'settings-changed': {
    tell: () => "The bot's fix settings (`remediation.mode`, `access.requireApproval`) changed since this confirmation: choose Fix again.",
  },
  'nothing-to-do': { tell: (r) => `Nothing to fix: ${escapeMrkdwn(r.detail)}`, line: (r) => `the precheck found nothing to do: ${escapeMrkdwn(r.detail)}` },
  'aws-changed': {
    tell: (r) => `AWS changed since the confirmation (it said: ${escapeMrkdwn(r.was)}; now: ${escapeMrkdwn(r.now)}); choose Fix again`,
  },
  'aws-unreadable': { tell: (r) => `AWS could not be read with the remediation role: ${escapeMrkdwn(r.error)}` },
  'already-answered': { tell: () => 'That request was already answered.' },
  'earlier-answer': { tell: (r) => escapeMrkdwn(r.detail) },
  'request-gone': { tell: () => 'There is no such request (it may have been withdrawn).' },
  'already-decided': { tell: (r) => `That request was already decided${r.by ? ` by ${mention(r.by)}` : ''}.` },
  'approver-not-remediator': { tell: () => 'Only the people in `access.remediators` may approve fixes.', line: () => 'not a remediator' },
  'own-request': { tell: () => 'You asked for this fix: another remediator must approve it.', line: () => 'the requester cannot approve their own request' },
  'request-expired': { tell: () => 'That request is more than 24 hours old: ask for the fix again.', line: () => 'the request expired' },
  'requester-not-remediator': { tell: () => 'The requester is no longer in `access.remediators`.', line: () => 'the requester is no longer a remediator' },
  'undo-unknown': { tell: () => 'There is no such fix to undo.' },
  'undo-superseded': { tell: () => 'A later fix replaced this one: undo that one.' },
  'undo-not-remediator': { tell: () => 'Only the people in `access.remediators` may undo fixes.', line: () => 'not a remediator' },
  'undo-dry-run': {
    tell: () => 'The bot is in dry-run mode (`remediation.mode: dry-run`): it changes nothing in AWS, undo included.',
    line: () => 'dry-run mode',
  },
  'undo-window-over': {
    tell: () => 'Undo is offered for 24 hours after a fix; this one is older. Change it in AWS directly.',
    line: () => 'undo window over',
  },
  'fixes-unconfigured': { tell: (r) => `Fixes are no longer configured for account ${escapeMrkdwn(r.accountId)}.` },
  'nothing-to-undo': { tell: (r) => `nothing to undo: ${escapeMrkdwn(r.detail)}` },
  'precheck-failed': { tell: (r) => `the precheck could not read AWS: ${escapeMrkdwn(r.error)}` },
  'apply-failed': { tell: (r) => escapeMrkdwn(r.error) },
  'never-applied': { tell: () => 'not applied: the bot stopped before AWS answered, and AWS still showed the problem later' },
  'never-applied-undo': { tell: (r) => `not applied (undo found ${escapeMrkdwn(r.detail)})` },
  'applied-despite-error': { tell: (r) => `AWS answered an error (${escapeMrkdwn(r.error)}), but the change is in place` },
  'undo-error': { tell: (r) => escapeMrkdwn(r.error) },
  'request-not-posted': {
    tell: (r) =>
      `The request could not be posted: ${r.error ? `Slack refused it (${escapeMrkdwn(r.error)})` : 'there is no other remediator to ask'}. Nothing was changed.`,
    line: (r) => `the request could not be posted: ${r.error ? `Slack refused it (${escapeMrkdwn(r.error)})` : 'there is no other remediator to ask'}`,
  },
};

function words(reason: Reason): { tell: (r: never) => string; line?: (r: never) => string } {
  return REASONS[reason.code];
}

/** A reason, told to the clicker (mrkdwn). */
export function refusalText(reason: Reason): string {
  return words(reason).tell(reason as never);
}

/** A reason as the action's log line says it. */
export function refusalLine(reason: Reason): string {
  const w = words(reason);
  return (w.line ?? w.tell)(reason as never);
}

/** What the fix flow tells the clicker besides reasons. */
export const FIX_TEXT = {
  notOffered: 'Fixes are not offered by this bot.',
  badButton: ':x: That button does not name a fix.',
  cancelled: 'Cancelled: nothing was changed.',
  alreadyRequested: ':hourglass_flowing_sand: Your request is already filed; another remediator must approve it.',
} as const;

/** The requester's answer once the request is posted: in the finding's thread, or to the other remediators directly. */
export function requestPostedText(inThread: boolean, others: readonly string[]): string {
  const where = inThread ? 'in the thread' : `to ${others.map(mention).join(', ')} in their messages with the app`;
  return `:hourglass_flowing_sand: Your request is posted ${where}; another remediator must approve it.`;
}

/** The clicker's answer when a refusal stops a fix. */
export function refusedAnswer(refusal: Reason): string {
  return `:no_entry: ${refusalText(refusal)}`;
}

/** The clicker's answer when something failed (AWS could not be read, a request could not be posted). */
export function failedAnswer(reason: Reason): string {
  return `:x: ${refusalText(reason)}`;
}

/** The clicker's answer when the confirmation cannot be shown: the live state has nothing to fix, or AWS could not be read. */
export function previewFailedText(refusal: Reason): string {
  return refusal.code === 'nothing-to-do' ? `:information_source: ${refusalText(refusal)}` : failedAnswer(refusal);
}

function when(iso: string): string {
  return slackDate(new Date(iso), '{date_short_pretty} {time}', iso);
}

/** Why an entry was refused or failed: its reason code in words, else the reason it carries (AWS's answer, or an entry written before codes). */
function reasonOf(record: ActionRecord): string {
  const why = storedReason(record.why);
  return why ? refusalLine(why) : escapeMrkdwn(record.reason ?? '');
}

/** One line: who, what, when, result. */
export function outcomeText(record: ActionRecord): string {
  const who = mention(record.user);
  const change = escapeMrkdwn(record.change ?? `${record.action} on a ${record.checkId} finding`);
  const approved = record.approvedBy ? `, approved by ${mention(record.approvedBy)}` : '';
  const reason = reasonOf(record);
  const verbDone = ALL_ACTIONS.find((a) => a.id === record.action)?.done ?? 'Fixed';
  switch (record.result) {
    case 'applied':
      if (record.undoneAt)
        return `:leftwards_arrow_with_hook: ${verbDone} by ${who}${approved} at ${when(record.at)}, undone by ${mention(record.undoneBy ?? '')} at ${when(record.undoneAt)}: ${change}`;
      if (record.supersededBy)
        return `:white_check_mark: ${verbDone} by ${who}${approved} at ${when(record.at)}: ${change} (changed back outside the bot since, and fixed again)`;
      return `:white_check_mark: ${verbDone} by ${who}${approved} at ${when(record.at)}: ${change}`;
    case 'dry-run':
      return `:test_tube: Dry run by ${who} at ${when(record.at)}: would ${lowerFirst(change)}. Nothing was changed (\`remediation.mode: dry-run\`).`;
    case 'undone':
      return `:leftwards_arrow_with_hook: Undone by ${who} at ${when(record.at)}: ${change}`;
    case 'requested':
      return `:raising_hand: ${who} asked at ${when(record.at)} to fix: ${change}`;
    case 'rejected':
      return `:no_entry_sign: Rejected by ${mention(record.approvedBy ?? '')} at ${when(record.at)}: ${who}'s request to ${lowerFirst(change)}`;
    case 'applying':
      return `:hourglass_flowing_sand: ${who}${approved} started at ${when(record.at)}, outcome unknown (the bot stopped meanwhile): ${change}. Check AWS; Undo restores it if it was done.`;
    case 'failed':
      return `:x: Fix by ${who}${approved} failed at ${when(record.at)}: ${reason}${undoable(record) ? '. Part of it was done: Undo restores that part.' : ''}`;
    case 'undo-failed':
      return `:x: Undo by ${who} failed at ${when(record.at)}: ${reason}`;
    case 'refused':
      return `:no_entry: ${who} at ${when(record.at)}: not done, ${reason}`;
  }
}

/** The outcome as blocks: the line, and Undo while it can be undone. */
export function outcomeBlocks(record: ActionRecord): KnownBlock[] {
  const blocks: KnownBlock[] = [{ type: 'section', block_id: 'outcome', text: { type: 'mrkdwn', verbatim: true, text: outcomeText(record) } }];
  if (undoable(record)) {
    blocks.push({
      type: 'actions',
      block_id: 'undo',
      elements: [
        {
          type: 'button',
          action_id: FIX_ACTIONS.undo,
          text: { type: 'plain_text', text: 'Undo' },
          value: record.id,
          confirm: {
            title: { type: 'plain_text', text: 'Undo this fix?' },
            text: {
              type: 'mrkdwn',
              text: truncate(
                `Undo: ${escapeMrkdwn(record.change ?? record.action)}. The bot checks that the fix is still in place, then restores exactly what it changed.`,
                SLACK_LIMITS.confirmText,
              ),
            },
            confirm: { type: 'plain_text', text: 'Undo' },
            deny: { type: 'plain_text', text: 'Keep it' },
          },
        },
      ],
    });
  }
  return blocks;
}

/** The confirmation only the clicker sees: exactly what will change, how, and the button that does it (or asks for approval). */
export function confirmationBlocks(input: {
  change: string;
  verb: string;
  mode: 'dry-run' | 'apply';
  requireApproval: boolean;
  /** `<finding ref> <request id>`: what the confirming button carries. */
  value: string;
  requestId: string;
}): KnownBlock[] {
  const dryRun = input.mode === 'dry-run';
  const { value } = input;
  return [
    { type: 'section', block_id: 'change', text: { type: 'mrkdwn', verbatim: true, text: `:wrench: *${escapeMrkdwn(input.change)}*` } },
    {
      type: 'context',
      block_id: 'how',
      elements: [
        {
          type: 'mrkdwn',
          text: dryRun
            ? 'Dry run (`remediation.mode: dry-run`): the bot checks AWS and says what it would change, and changes nothing.'
            : `The bot checks AWS again right before acting, with the account's remediation role. Undo is offered for 24 hours.${input.requireApproval ? ' Another remediator must approve (`access.requireApproval`).' : ''}`,
        },
      ],
    },
    {
      type: 'actions',
      block_id: 'confirm',
      elements: [
        input.requireApproval && !dryRun
          ? { type: 'button', action_id: FIX_ACTIONS.request, style: 'primary', text: { type: 'plain_text', text: 'Ask for approval' }, value }
          : {
              type: 'button',
              action_id: FIX_ACTIONS.apply,
              style: 'danger',
              text: { type: 'plain_text', text: dryRun ? `${input.verb} (dry run)` : input.verb },
              value,
            },
        { type: 'button', action_id: FIX_ACTIONS.cancel, text: { type: 'plain_text', text: 'Cancel' }, value: input.requestId },
      ],
    },
  ];
}

/** A request for a second remediator's approval: the message, and Approve and Reject. */
export function requestMessage(record: ActionRecord): { text: string; blocks: KnownBlock[] } {
  const text = `:raising_hand: ${mention(record.user)} asks to fix: ${escapeMrkdwn(record.change ?? '')}. Another remediator must approve.`;
  return {
    text,
    blocks: [
      { type: 'section', block_id: 'request', text: { type: 'mrkdwn', verbatim: true, text } },
      {
        type: 'actions',
        block_id: 'decide',
        elements: [
          { type: 'button', action_id: FIX_ACTIONS.approve, style: 'primary', text: { type: 'plain_text', text: 'Approve' }, value: record.id },
          { type: 'button', action_id: FIX_ACTIONS.reject, text: { type: 'plain_text', text: 'Reject' }, value: record.id },
        ],
      },
    ],
  };
}

/**
 * The message a fix was chosen in, with a line saying so under its last block
 * ("Deactivated by @ana at 10:42 · Undo in the thread"); each finding's line is
 * replaced when it changes again, lines of other findings stay. Undefined when
 * the line would take the message past Slack's 50 blocks.
 */
export function markedMessage(original: { text: string; blocks: KnownBlock[] }, record: ActionRecord): { text: string; blocks: KnownBlock[] } | undefined {
  const blockId = `fix-${record.fingerprint}`.slice(0, SLACK_LIMITS.blockId);
  const kept = original.blocks.filter((b) => (b as { block_id?: string }).block_id !== blockId);
  if (kept.length >= SLACK_LIMITS.blocksPerMessage) return undefined;
  const line = `${outcomeText(record)}${undoable(record) && record.result !== 'failed' ? ' · Undo in the thread' : ''}`;
  const blocks: KnownBlock[] = [
    ...kept,
    { type: 'context', block_id: blockId, elements: [{ type: 'mrkdwn', text: line.slice(0, SLACK_LIMITS.contextText), verbatim: true }] },
  ];
  return { text: original.text, blocks };
}

function lowerFirst(text: string): string {
  return text.charAt(0).toLowerCase() + text.slice(1);
}

function truncate(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}
