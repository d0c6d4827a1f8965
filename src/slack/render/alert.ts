/**
 * An alert: what just appeared at or above the alerts' severity, as one
 * compact message in the alerts channel, with the same Details/Mute/Fix
 * menus as the digest's details. Nothing appeared, nothing is posted. Pure.
 */
import type { KnownBlock } from '@slack/types';
import type { Check, Severity } from '../../audit/types.js';
import type { DigestData } from '../../store/digest.js';
import { context, jsonSize, packSections, section, SLACK_LIMITS, type SlackMessage } from './blocks.js';
import { accountName, detailLines } from './digest.js';
import { inlineMrkdwn, plural, slackDate } from './mrkdwn.js';

export interface RenderAlertInput {
  /** The alert window's changes: only new and resurfaced findings at or above `minSeverity` (resolved ones are not alerts). */
  digest: DigestData;
  checks: readonly Check[];
  minSeverity: Severity;
  fixable?: (accountId: string, fix: string) => boolean;
}

const FAILED_NAMES_MAX = 5;

/** The alert message, or null when nothing appeared. */
export function renderAlert(input: RenderAlertInput): SlackMessage | null {
  const { digest, minSeverity } = input;
  const appeared = digest.accounts.filter((a) => a.new.length + a.resurfaced.length > 0);
  if (appeared.length === 0) return null;
  const checks = new Map(input.checks.map((c) => [c.id, c]));
  const added = appeared.reduce((n, a) => n + a.new.length, 0);
  const back = appeared.reduce((n, a) => n + a.resurfaced.length, 0);
  const counts = [added > 0 ? `${added} new` : null, back > 0 ? `${back} resurfaced` : null].filter(Boolean).join(' · ');
  const where = appeared.length === 1 ? inlineMrkdwn(appeared[0]!.alias, 80) : plural(appeared.length, 'account');
  const text = `${counts} at or above ${minSeverity} in ${where}`;
  const since = digest.since ? ` since ${slackDate(new Date(digest.since))}` : '';
  const head = [section('alert-head', `:rotating_light: *${counts}* at or above *${minSeverity}* in ${where}${since}`)];
  const failed = digest.accounts.filter((a) => a.failure !== null);
  const tail: KnownBlock[] = [];
  if (failed.length > 0) {
    const names = failed.slice(0, FAILED_NAMES_MAX).map(accountName).join(', ');
    tail.push(
      context(
        'alert-failed',
        `:warning: Not audited this time: ${names}${failed.length > FAILED_NAMES_MAX ? ` and ${failed.length - FAILED_NAMES_MAX} more` : ''}`,
      ),
    );
  }
  const units = appeared.flatMap((a) => detailLines(a, checks, input.fixable));
  const more = context('alert-more', `…and ${plural(99_999, 'more finding')}: \`/audit <alias>\` shows them; the weekly digest lists every change.`);
  const packed = packSections(
    units,
    0,
    {
      blocks: SLACK_LIMITS.blocksPerMessage - head.length - tail.length - 1,
      chars: SLACK_LIMITS.messageJson - jsonSize({ text, blocks: [...head, ...tail, more] }),
    },
    'alert',
  );
  const blocks: KnownBlock[] = [...head, ...packed.blocks];
  const left = units.length - packed.next;
  if (left > 0)
    blocks.push(context('alert-more', `…and ${plural(left, 'more finding')}: \`/audit <alias>\` shows them; the weekly digest lists every change.`));
  return { text, blocks: [...blocks, ...tail] };
}
