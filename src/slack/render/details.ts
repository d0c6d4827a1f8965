import type { KnownBlock, ModalView } from '@slack/types';
import type { Check, DetailValue } from '../../audit/types.js';
import type { FindingState } from '../../store/diff.js';
import type { MuteRecord } from '../../store/store.js';
import { context, section, SLACK_LIMITS } from './blocks.js';
import { escapeMrkdwn, inlineMrkdwn, slackDate, truncateMrkdwn } from './mrkdwn.js';
import { byWhom, findingTitle } from './mutes.js';

/** The Details modal's callback id (it has no submit: nothing comes back). */
export const DETAILS_VIEW = 'finding_details_modal';

/** What the Details entry answers when it cannot show the modal. */
export const DETAILS_TEXT = {
  lookupFailed: (reason: string) => `:x: ${reason}`,
  dialogFailed: (error: string) => `:x: The details could not be opened (${escapeMrkdwn(error)}). Pick the finding again.`,
};

/** Facts listed one by one at most (a finding has a handful; the section's 3,000 characters bound them too). */
const MAX_FACTS = 25;

/** AWS's page for a Security Hub control (`IAM.3` → iam-controls.html#iam-3). Built from our own metadata, not from AWS strings. */
export function securityHubControlUrl(control: string): string | undefined {
  const match = /^([A-Za-z0-9]+)\.(\d+)$/.exec(control);
  if (!match) return undefined;
  const service = match[1]!.toLowerCase();
  return `https://docs.aws.amazon.com/securityhub/latest/userguide/${service}-controls.html#${service}-${match[2]}`;
}

function referencesText(check: Check): string | undefined {
  const { cis, securityHub } = check.references;
  const parts: string[] = [];
  if (cis) parts.push(`CIS AWS Foundations Benchmark v5.0 · control ${escapeMrkdwn(cis)}`);
  if (securityHub) {
    const url = securityHubControlUrl(securityHub);
    parts.push(`Security Hub · ${url ? `<${url}|${escapeMrkdwn(securityHub)}>` : escapeMrkdwn(securityHub)}`);
  }
  return parts.length ? `*References*\n${parts.join('\n')}` : undefined;
}

function factValue(value: DetailValue): string {
  return value === null ? '—' : inlineMrkdwn(String(value), 300);
}

function statusText(state: FindingState, mute: MuteRecord | undefined): string {
  const seen = `first seen ${slackDate(new Date(state.firstSeen))}, last seen ${slackDate(new Date(state.lastSeen))}`;
  const status = state.resolvedAt !== null ? `Resolved ${slackDate(new Date(state.resolvedAt))}` : 'Open';
  const muted = mute
    ? ` · muted by ${byWhom(mute.mutedBy, mute)} until ${slackDate(new Date(mute.expiresAt), '{date_short_pretty}')}: ${inlineMrkdwn(mute.reason, 600)}`
    : '';
  return `${status} · ${seen}${muted}`;
}

/**
 * "Details" on a finding's menu: what the check says of it (why it matters,
 * what to do, with the commands, its CIS and Security Hub controls) and what
 * the history knows of this finding (its facts, since when, muted or not).
 * Everything from AWS is escaped; access key ids are masked.
 */
export function renderDetailsModal(input: {
  state: FindingState;
  alias: string | undefined;
  check: Check | undefined;
  mute: MuteRecord | undefined;
}): ModalView {
  const { state, check } = input;
  const blocks: KnownBlock[] = [
    section('finding', truncateMrkdwn(`${findingTitle(state, input.alias, check)}\n_${inlineMrkdwn(state.message, 1_000)}_`, SLACK_LIMITS.sectionText)),
    context('status', truncateMrkdwn(statusText(state, input.mute), SLACK_LIMITS.contextText)),
  ];
  if (check) {
    blocks.push(section('why', truncateMrkdwn(`*Why it matters*\n${escapeMrkdwn(check.description)}`, SLACK_LIMITS.sectionText)));
    blocks.push(section('what-to-do', truncateMrkdwn(`*What to do*\n${escapeMrkdwn(check.remediation)}`, SLACK_LIMITS.sectionText)));
    const refs = referencesText(check);
    if (refs) blocks.push(section('references', refs));
  } else {
    blocks.push(context('no-check', 'This bot no longer has the check that reported it: only what the history recorded is shown.'));
  }
  const facts = Object.entries(state.details ?? {});
  if (facts.length > 0) {
    const lines = facts.slice(0, MAX_FACTS).map(([key, value]) => `• ${inlineMrkdwn(key, 80)}: ${factValue(value)}`);
    if (facts.length > MAX_FACTS) lines.push(`…and ${facts.length - MAX_FACTS} more`);
    blocks.push(section('facts', truncateMrkdwn(`*Facts*\n${lines.join('\n')}`, SLACK_LIMITS.sectionText)));
  }
  blocks.push(context('ids', `${inlineMrkdwn(state.resourceId, 600)} · fingerprint \`${inlineMrkdwn(state.fingerprint, 64)}\``));
  return {
    type: 'modal',
    callback_id: DETAILS_VIEW,
    title: { type: 'plain_text', text: 'Finding details' },
    close: { type: 'plain_text', text: 'Close' },
    blocks,
  };
}
