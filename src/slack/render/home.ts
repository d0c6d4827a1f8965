import type { KnownBlock } from '@slack/types';
import { SEVERITIES } from '../../audit/types.js';
import type { AccountConfig } from '../../config.js';
import type { LastAudit } from '../../store/history.js';
import { escapeMrkdwn, slackDate } from './mrkdwn.js';
import { SEVERITY_EMOJI } from './report.js';

/** The action id of the Home tab's "Audit now" buttons; their value is the account alias. */
export const AUDIT_NOW_ACTION = 'audit_now';

/** A Home tab holds at most 100 blocks: header, intro, and two per account, with room for the note. */
const MAX_ACCOUNTS = 45;

export interface HomeAccount {
  account: AccountConfig;
  last: LastAudit | undefined;
  running: boolean;
}

function summary(last: LastAudit | undefined, running: boolean): string {
  if (running) return ':hourglass_flowing_sand: audit running';
  if (!last) return 'not audited yet';
  const counts = SEVERITIES.filter((s) => (last.bySeverity[s] ?? 0) > 0).map((s) => `${SEVERITY_EMOJI[s]} ${last.bySeverity[s]} ${s}`);
  const when = `last audit ${slackDate(last.at)}${last.complete ? '' : ' (some services only)'}`;
  const found = counts.length ? counts.join(' · ') : ':white_check_mark: no findings';
  const muted = last.muted ? ` · ${last.muted} muted` : '';
  const errors = last.errors ? ` · :warning: ${last.errors} could not be checked` : '';
  return `${when}\n${found}${muted}${errors}`;
}

/** The Home tab of one user: the accounts they may audit, with their last audit and a button to audit now. */
export function renderHome(accounts: readonly HomeAccount[]): { type: 'home'; blocks: KnownBlock[] } {
  const blocks: KnownBlock[] = [
    { type: 'header', text: { type: 'plain_text', text: 'AWS accounts you may audit' } },
    {
      type: 'context',
      elements: [{ type: 'mrkdwn', text: 'Open findings from the audit history (muted ones counted apart). `/audit help` in any channel for more.' }],
    },
  ];
  if (accounts.length === 0) {
    blocks.push({
      type: 'section',
      text: { type: 'mrkdwn', text: 'You may not audit any account. Ask whoever runs the bot to add you to `access.auditors`.' },
    });
  }
  for (const { account, last, running } of accounts.slice(0, MAX_ACCOUNTS)) {
    blocks.push({ type: 'divider' });
    blocks.push({
      type: 'section',
      block_id: `account-${account.alias}`,
      text: { type: 'mrkdwn', text: `*${escapeMrkdwn(account.alias)}* ${account.accountId}\n${summary(last, running)}`, verbatim: true },
      accessory: { type: 'button', action_id: AUDIT_NOW_ACTION, text: { type: 'plain_text', text: 'Audit now' }, value: account.alias },
    });
  }
  if (accounts.length > MAX_ACCOUNTS) {
    blocks.push({
      type: 'context',
      elements: [{ type: 'mrkdwn', text: `…and ${accounts.length - MAX_ACCOUNTS} more accounts: \`/audit list\` shows them all.` }],
    });
  }
  return { type: 'home', blocks };
}
