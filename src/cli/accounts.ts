import type { Config, ConfigMute } from '../config.js';
import type { RuleStanding } from '../store/config-mutes.js';
import type { StoreData } from '../store/store.js';
import { errorMessage } from '../errors.js';
import { terminalSafe } from '../terminal/sanitize.js';
import { EXIT, parseFormat, type CliIo } from './shared.js';

export async function accountsCommand(config: Config, values: Record<string, unknown>, io: CliIo): Promise<number> {
  const format = parseFormat(values.format as string | undefined, ['table', 'json']);
  if (format === 'json') {
    const rows = config.accounts.map((a) => ({
      alias: a.alias,
      accountId: a.accountId,
      roleArn: a.roleArn,
      regions: a.regions ?? 'all enabled',
      remediation: Boolean(a.remediationRoleArn),
      channels: a.channels ?? 'any',
    }));
    io.stdout.write(`${JSON.stringify(rows, null, 2)}\n`);
    return EXIT.clean;
  }
  // No spread: a config may hold more accounts than a call takes arguments.
  const width = config.accounts.reduce((w, a) => Math.max(w, a.alias.length), 5);
  io.stdout.write(`${'ALIAS'.padEnd(width)}  ACCOUNT       REGIONS\n`);
  for (const a of config.accounts) {
    io.stdout.write(`${a.alias.padEnd(width)}  ${a.accountId}  ${a.regions?.join(', ') ?? 'all enabled'}\n`);
  }
  if (config.mutes.length > 0) io.stdout.write(`\n${await muteStandings(config, io)}`);
  return EXIT.clean;
}

/** What a config mute names, in one line: `check iam.* · account sandbox · tags Team=web`. */
function describeMute(m: ConfigMute): string {
  const parts = [
    m.check !== undefined ? `check ${m.check}` : null,
    m.account !== undefined ? `account ${m.account}` : null,
    m.region !== undefined ? `region ${m.region}` : null,
    m.resource !== undefined ? `resource ${m.resource}` : null,
    m.tags
      ? `tags ${Object.entries(m.tags)
          .map(([k, v]) => `${k}=${v}`)
          .join(',')}`
      : null,
  ];
  return terminalSafe(parts.filter(Boolean).join(' · '));
}

function standingText(s: RuleStanding | undefined): string {
  if (!s) return 'not yet compared with a scan';
  if (s.status === 'ended') return `ended: its last day was ${s.rule.until}; remove it`;
  if (s.status === 'stale') return 'stale: matches no open finding of the last scans';
  return `mutes ${s.open} open finding${s.open === 1 ? '' : 's'}`;
}

/**
 * The config's mutes against the history (read as it is, without taking the
 * bot's lock: a serving bot keeps it): what each mutes now, or that it is
 * stale (matches no open finding of the last scans) or ended.
 */
async function muteStandings(config: Config, io: CliIo): Promise<string> {
  const [{ ALL_CHECKS }, { AtomicJsonFile }, { aliasesByAccount, configMuteRules, ruleStandings }] = await Promise.all([
    import('../../checks/index.js'),
    import('../store/store.js'),
    import('../store/config-mutes.js'),
  ]);
  const rules = configMuteRules(
    config,
    (io.checks ?? ALL_CHECKS).map((c) => c.id),
  );
  let data: StoreData | null = null;
  let unreadable: string | undefined;
  try {
    data = await new AtomicJsonFile(config.store.path).read();
  } catch (error) {
    unreadable = errorMessage(error);
  }
  const standings = data && data.scans.length > 0 ? ruleStandings(data, rules, aliasesByAccount(config), new Date()) : undefined;
  const lines = [`Mutes in the config (${rules.length}):`];
  for (const [i, rule] of rules.entries()) {
    lines.push(`  ${rule.label}  ${describeMute(rule)}  until ${rule.until}  ${standingText(standings?.[i])}`);
  }
  if (unreadable) lines.push(`  (The history could not be read: ${terminalSafe(unreadable)})`);
  else if (!standings)
    lines.push(`  (No scan recorded yet in ${terminalSafe(config.store.path)}: what they match shows after the first audit from Slack or the digest.)`);
  const stale = standings?.filter((s) => s.status !== 'matching').length ?? 0;
  if (stale > 0) lines.push(`  ${stale} of ${rules.length} mute nothing now: remove or fix them in ${terminalSafe(config.sourcePath)}.`);
  return `${lines.join('\n')}\n`;
}
