import { DIGEST_REQUESTER, type RunningAudit } from '../../audit/service.js';
import type { AccountConfig } from '../../config.js';
import { escapeMrkdwn, plural } from './mrkdwn.js';

/** "Audit now" on a Home tab drawn before the account left the config. */
export const ACCOUNT_GONE_TEXT = 'That account is no longer configured.';

export const NO_DIGEST_TEXT = "No digest is configured: set `digest.channel` in the bot's config to have one.";

export function digestStartText(accounts: number, channel: string): string {
  return `:hourglass_flowing_sand: Preparing the digest: auditing ${plural(accounts, 'account')}, then posting in <#${channel}>…`;
}

/** How `/audit digest` went: posted (maybe joined, maybe quiet, maybe with a problem), not posted, or failed. */
export function digestRunText(outcome: { posted: boolean; joined: boolean; quiet: boolean; error?: string } | { failed: string }, channel: string): string {
  if ('failed' in outcome) return `:x: The digest failed: ${escapeMrkdwn(outcome.failed)}`;
  return outcome.posted
    ? `:white_check_mark: The digest is in <#${channel}>${outcome.joined ? ' (it was already being prepared)' : ''}${outcome.quiet ? ': a quiet week' : ''}.${outcome.error ? ` But: ${escapeMrkdwn(outcome.error)}.` : ''}`
    : `:x: The digest could not be posted: ${escapeMrkdwn(outcome.error ?? 'unknown error')}`;
}

/** `/audit status`: the audits running, with their progress and who asked. */
export function statusText(running: readonly RunningAudit[], now: Date): string {
  if (running.length === 0) return 'No audit is running.';
  const lines = running.map((r) => {
    const seconds = Math.round((now.getTime() - r.startedAt.getTime()) / 1000);
    const progress = r.progress.total ? `${r.progress.done}/${r.progress.total} checks` : 'starting';
    const who = r.requesters.map((u) => (u === DIGEST_REQUESTER ? 'the digest' : `<@${u}>`)).join(', ');
    return `• *${escapeMrkdwn(r.account.alias)}* (${r.account.accountId}): ${progress}, ${seconds} s, asked by ${who}`;
  });
  return `${plural(running.length, 'audit')} running:\n${lines.join('\n')}`;
}

/** `/audit list`: the accounts one may audit here, and where their reports go. */
export function listText(accounts: readonly AccountConfig[], channelId: string): string {
  if (accounts.length === 0) return 'You may not audit any account from here.';
  const lines = accounts.map((a) => {
    const regions = a.regions ? a.regions.join(', ') : 'every enabled region';
    const here = a.channels === undefined || a.channels.includes(channelId) ? '' : ' (report only to you here)';
    return `• \`${escapeMrkdwn(a.alias)}\` ${a.accountId}: ${escapeMrkdwn(regions)}${here}`;
  });
  return `Accounts you may audit here:\n${lines.join('\n')}`;
}

/** "prod-payments (123456789012)" */
export function accountLabel(account: AccountConfig): string {
  return `${escapeMrkdwn(account.alias)} (${account.accountId})`;
}

/** Where an audit looks. */
export function regionsLabel(account: AccountConfig): string {
  return account.regions ? plural(account.regions.length, 'region') : 'every enabled region';
}

export function unknownAliasText(alias: string, close: readonly string[], commandName: string): string {
  return `There is no account \`${escapeMrkdwn(alias)}\`.${close.length ? ` Did you mean ${close.map((a) => `\`${escapeMrkdwn(a)}\``).join(' or ')}?` : ''} \`${commandName} list\` shows the accounts you may audit.`;
}

export function auditStartText(account: AccountConfig, joined: boolean): string {
  return `:hourglass_flowing_sand: Auditing ${accountLabel(account)} in ${regionsLabel(account)}…${joined ? ' (joining the audit already running)' : ''}`;
}

export function auditProgressText(account: AccountConfig, done: number, total: number): string {
  return `:hourglass_flowing_sand: Auditing ${accountLabel(account)} in ${regionsLabel(account)}… ${done}/${total} checks done`;
}

export function auditFailedText(account: AccountConfig, error: string): string {
  return `:x: Could not audit ${accountLabel(account)}: ${escapeMrkdwn(error)}`;
}

/** The requester's answer once the report is in the channel (`link` to it when the workspace's domain is known). */
export function reportPostedText(account: AccountConfig, link: string | undefined, first: boolean, incomplete: string | undefined): string {
  const where = link ? `<${link}|in the channel>` : 'in the channel';
  return first
    ? `:white_check_mark: The report on ${accountLabel(account)} is ${where}.${incomplete ? ` Part of it could not be posted (${escapeMrkdwn(incomplete)}).` : ''}`
    : `:white_check_mark: The report on ${accountLabel(account)} is ${where}: this audit was shared with others who asked at the same time, and its report is posted once.`;
}

export function reportRestIntroText(account: AccountConfig, findings: number): string {
  return `The rest of the report on ${accountLabel(account)} (${plural(findings, 'finding')}), only for you:`;
}

export function reportRestFailedText(account: AccountConfig, error: string): string {
  return `:warning: The rest of the report could not be sent to your messages with the app (${escapeMrkdwn(error)}). \`npx aws-audit-bot audit ${escapeMrkdwn(account.alias)} --format csv\` prints every finding.`;
}

export function noComplianceChecksText(services: readonly string[]): string {
  return `:x: No check of ${services.map((s) => `\`${escapeMrkdwn(s)}\``).join(', ')} covers a control of that framework: name other services, or none.`;
}
