import type { Config, ConfigMute } from '../config.js';
import type { Discovery } from '../organization/discovery.js';
import type { RuleStanding } from '../store/config-mutes.js';
import type { FindingState } from '../store/diff.js';
import { errorMessage } from '../errors.js';
import { terminalSafe } from '../terminal/sanitize.js';
import { EXIT, parseFormat, type CliIo } from './shared.js';

export async function accountsCommand(config: Config, values: Record<string, unknown>, io: CliIo): Promise<number> {
  const format = parseFormat(values.format as string | undefined, ['table', 'json']);
  const byHand = config.accounts.length;
  const discovery = config.organization ? await (await import('./organization.js')).discoverForCli(config, io) : undefined;
  const source = (i: number) => (i < byHand ? 'config' : 'organization');
  if (format === 'json') {
    const rows = config.accounts.map((a, i) => ({
      alias: a.alias,
      accountId: a.accountId,
      roleArn: a.roleArn,
      regions: a.regions ?? 'all enabled',
      remediation: Boolean(a.remediationRoleArn),
      channels: a.channels ?? 'any',
      source: source(i),
    }));
    io.stdout.write(`${JSON.stringify(rows, null, 2)}\n`);
    return EXIT.clean;
  }
  // No spread: a config may hold more accounts than a call takes arguments.
  const width = config.accounts.reduce((w, a) => Math.max(w, a.alias.length), 5);
  io.stdout.write(`${'ALIAS'.padEnd(width)}  ACCOUNT       SOURCE        REGIONS\n`);
  for (const [i, a] of config.accounts.entries()) {
    io.stdout.write(`${terminalSafe(a.alias).padEnd(width)}  ${a.accountId}  ${source(i).padEnd(12)}  ${a.regions?.join(', ') ?? 'all enabled'}\n`);
  }
  if (discovery) io.stdout.write(discoveryNotes(discovery));
  if (config.mutes.length > 0) io.stdout.write(`\n${await muteStandings(config, io)}`);
  return EXIT.clean;
}

/** What discovery renamed and left out, and why. */
function discoveryNotes(d: Discovery): string {
  const lines: string[] = [];
  if (d.renamed.length > 0) {
    lines.push('', `Renamed (${d.renamed.length}):`);
    for (const r of d.renamed) lines.push(`  ${r.id}  ${terminalSafe(r.alias)}  (wanted "${terminalSafe(r.wanted)}": ${terminalSafe(r.why)})`);
  }
  if (d.skipped.length > 0) {
    lines.push('', `Not audited (${d.skipped.length}):`);
    for (const s of d.skipped) lines.push(`  ${s.id}  ${terminalSafe(s.name)}  ${terminalSafe(s.why)}`);
  }
  return lines.length > 0 ? `${lines.join('\n')}\n` : '';
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
  const [{ ALL_CHECKS }, { AtomicJsonFile }, { aliasesByAccount, configMuteRules, ruleStandings }, { describeTarget, openStore, storeTarget }] =
    await Promise.all([import('../../checks/index.js'), import('../store/store.js'), import('../store/config-mutes.js'), import('../store/open.js')]);
  const rules = configMuteRules(
    config,
    (io.checks ?? ALL_CHECKS).map((c) => c.id),
  );
  let history: { findings: FindingState[]; scanned: boolean } | undefined;
  let unreadable: string | undefined;
  const target = storeTarget(config, io.env);
  try {
    if (target.backend === 'file') {
      const data = await new AtomicJsonFile(target.path).read();
      if (data) history = { findings: data.findings as FindingState[], scanned: data.scans.length > 0 };
    } else {
      // Many processes share PostgreSQL: reading it takes no one's place.
      const store = await openStore(target, { migrate: false });
      try {
        history = { findings: await store.findings(), scanned: (await store.scans({ last: 1 })).length > 0 };
      } finally {
        await store.close();
      }
    }
  } catch (error) {
    unreadable = errorMessage(error);
  }
  const standings = history?.scanned ? ruleStandings(history.findings, rules, aliasesByAccount(config), new Date()) : undefined;
  const lines = [`Mutes in the config (${rules.length}):`];
  for (const [i, rule] of rules.entries()) {
    lines.push(`  ${rule.label}  ${describeMute(rule)}  until ${rule.until}  ${standingText(standings?.[i])}`);
  }
  if (unreadable) lines.push(`  (The history could not be read: ${terminalSafe(unreadable)})`);
  else if (!standings)
    lines.push(`  (No scan recorded yet in ${terminalSafe(describeTarget(target))}: what they match shows after the first audit from Slack or the digest.)`);
  const stale = standings?.filter((s) => s.status !== 'matching').length ?? 0;
  if (stale > 0) lines.push(`  ${stale} of ${rules.length} mute nothing now: remove or fix them in ${terminalSafe(config.sourcePath)}.`);
  return `${lines.join('\n')}\n`;
}
