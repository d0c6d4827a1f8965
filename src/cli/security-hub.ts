/**
 * `audit --security-hub`: the audit's findings into the account's own
 * Security Hub (findings on an account are taken only from that account), in
 * the region of each finding, global ones in one region. What this run
 * judged and no longer found is archived; what it could not judge is left
 * as it is. Every finding Security Hub refused is reported.
 */
import type { AwsSecurityFinding } from '@aws-sdk/client-securityhub';
import type { AuditResult, Check } from '../audit/types.js';
import { AwsClients } from '../aws/clients.js';
import { homeRegionOf } from '../aws/partition.js';
import { importFindings, readFindings, type ImportFailure } from '../aws/security-hub.js';
import type { RoleSessions } from '../aws/session.js';
import { boundedClientConfig, type HttpTimeouts } from '../aws/timeouts.js';
import type { AccountConfig } from '../config.js';
import { AuditBotError, awsErrorCode, errorMessage } from '../errors.js';
import { coverage } from '../store/diff.js';
import { FIELD, GENERATOR_PREFIX, importRegion, productArn, toAsff } from '../terminal/asff.js';
import { terminalSafe } from '../terminal/sanitize.js';

export interface SecurityHubOptions {
  account: AccountConfig;
  partition: string;
  sessions: RoleSessions;
  sessionName: string;
  env: NodeJS.ProcessEnv;
  timeouts: HttpTimeouts;
  toolVersion: string;
  /** `--security-hub-region`: every finding to this region's Security Hub. */
  region?: string;
  now?: () => Date;
}

/** Reasons a finding was not taken listed one by one, at most; the rest counted. */
const MAX_LISTED_FAILURES = 20;

/**
 * The region taking global findings: the partition's home region, unless the
 * account is configured without it (its first region then: Security Hub is
 * likely on where the account works).
 */
export function globalFindingsRegion(account: AccountConfig, partition: string): string {
  const home = homeRegionOf(partition);
  return account.regions && !account.regions.includes(home) ? account.regions[0]! : home;
}

/**
 * Without a role of its own, the CLI's credentials must be the account's:
 * Security Hub refuses findings on another account. Checked before the
 * audit, so a run that cannot send its findings says so before it starts.
 */
export async function checkSecurityHubAccount(options: Pick<SecurityHubOptions, 'account' | 'partition' | 'timeouts'>): Promise<void> {
  if (options.account.securityHubRoleArn) return;
  const { GetCallerIdentityCommand, STSClient } = await import('../aws/sts.js');
  const sts = new STSClient({ region: homeRegionOf(options.partition), ...boundedClientConfig(options.timeouts) });
  let caller: string | undefined;
  try {
    caller = (await sts.send(new GetCallerIdentityCommand({}))).Account;
  } catch (error) {
    throw new AuditBotError(
      'NO_CREDENTIALS',
      `--security-hub: could not tell which account your credentials are in (${awsErrorCode(error) ?? 'Error'}: ${errorMessage(error)}). ` +
        `Set securityHubRoleArn for "${options.account.alias}", or use credentials of account ${options.account.accountId}.`,
      { cause: error },
    );
  } finally {
    sts.destroy();
  }
  if (caller !== options.account.accountId) {
    throw new AuditBotError(
      'NO_CREDENTIALS',
      `--security-hub: Security Hub takes findings on account ${options.account.accountId} only from that account, and your credentials are in ${caller ?? 'an unknown account'}. ` +
        `Set securityHubRoleArn for "${options.account.alias}" (a role in ${options.account.accountId} allowed securityhub:BatchImportFindings and securityhub:GetFindings), or use that account's credentials.`,
    );
  }
}

/** A finding Security Hub holds, sent back archived: only what BatchImportFindings takes from a provider. */
function archived(finding: AwsSecurityFinding, now: string): AwsSecurityFinding {
  const fields = Object.fromEntries(Object.entries(finding.ProductFields ?? {}).filter(([k]) => !k.startsWith('aws/')));
  return {
    SchemaVersion: finding.SchemaVersion,
    Id: finding.Id,
    ProductArn: finding.ProductArn,
    GeneratorId: finding.GeneratorId,
    AwsAccountId: finding.AwsAccountId,
    Types: finding.FindingProviderFields?.Types ?? finding.Types,
    CreatedAt: finding.CreatedAt,
    UpdatedAt: now,
    Severity: finding.FindingProviderFields?.Severity ?? finding.Severity,
    Title: finding.Title,
    Description: finding.Description,
    Resources: finding.Resources,
    ProductFields: fields,
    ...(finding.Compliance ? { Compliance: { Status: finding.Compliance.Status, RelatedRequirements: finding.Compliance.RelatedRequirements } } : {}),
    RecordState: 'ARCHIVED',
  } as AwsSecurityFinding;
}

/** Whether this run judged what a finding Security Hub holds says (its check ran there, and nothing kept it from judging it). */
function judged(finding: AwsSecurityFinding, result: AuditResult): boolean {
  const fields = finding.ProductFields ?? {};
  const checkId = fields[FIELD.checkId];
  const region = fields[FIELD.region];
  const resourceId = fields[FIELD.resourceId];
  if (!checkId || !region || !resourceId) return false;
  const trail = fields[FIELD.multiRegionTrail];
  return coverage({ accountId: finding.AwsAccountId ?? '', checkId, region, resourceId, ...(trail ? { multiRegionTrail: trail === 'true' } : {}) }, result)
    .covered;
}

const regionOfArn = (arn: string | undefined) => arn?.split(':')[3] ?? '';

export interface SecurityHubOutcome {
  /** Everything was taken (and what Security Hub held could be read). */
  complete: boolean;
}

/**
 * Sends `shown` (the findings kept by --severity) and archives, of what our
 * earlier runs sent, what the full audit judged and did not find.
 */
export async function sendToSecurityHub(
  full: AuditResult,
  shown: AuditResult,
  checks: ReadonlyMap<string, Check>,
  options: SecurityHubOptions,
  stderr: { write(text: string): unknown },
): Promise<SecurityHubOutcome> {
  const { account, partition } = options;
  const credentials = account.securityHubRoleArn
    ? options.sessions.provider({ alias: account.alias, roleArn: account.securityHubRoleArn, externalId: account.externalId }, options.sessionName)
    : undefined;
  const clients = new AwsClients({
    ...(credentials ? { credentials } : {}),
    homeRegion: homeRegionOf(partition),
    concurrency: 2,
    env: options.env,
    timeouts: options.timeouts,
  });
  const now = (options.now?.() ?? new Date()).toISOString();
  const placing = { globalRegion: globalFindingsRegion(account, partition), ...(options.region ? { region: options.region } : {}) };
  const regions = [...new Set(full.scope.regions.map((r) => importRegion(r, placing)))];
  const problems: string[] = [];
  const failures: ImportFailure[] = [];
  try {
    // What our earlier runs sent and Security Hub still holds as active, per region.
    const held: AwsSecurityFinding[] = [];
    const unreadable = new Set<string>();
    await Promise.all(
      regions.map(async (region) => {
        try {
          const filters = {
            ProductArn: [{ Value: productArn(partition, region, account.accountId), Comparison: 'EQUALS' as const }],
            AwsAccountId: [{ Value: account.accountId, Comparison: 'EQUALS' as const }],
            GeneratorId: [{ Value: GENERATOR_PREFIX, Comparison: 'PREFIX' as const }],
            RecordState: [{ Value: 'ACTIVE', Comparison: 'EQUALS' as const }],
          };
          held.push(...(await readFindings(clients.securityhub(region), filters)));
        } catch (error) {
          unreadable.add(region);
          problems.push(
            `could not read what Security Hub holds in ${region} (${awsErrorCode(error) ?? 'Error'}: ${errorMessage(error)}): nothing was archived there`,
          );
        }
      }),
    );
    const createdAt = new Map(held.flatMap((f) => (f.Id && f.CreatedAt ? [[f.Id, f.CreatedAt] as const] : [])));
    const asffOptions = { partition, toolVersion: options.toolVersion, now, createdAt, ...placing };
    const sending = toAsff(shown, checks, asffOptions);
    const current = new Set(toAsff(full, checks, asffOptions).map((f) => f.Id));
    const resolved = held.filter((f) => !current.has(f.Id) && judged(f, full)).map((f) => archived(f, now));

    const byRegion = new Map<string, AwsSecurityFinding[]>(regions.map((r) => [r, []]));
    for (const f of [...sending, ...resolved]) {
      const region = regionOfArn(f.ProductArn);
      byRegion.set(region, [...(byRegion.get(region) ?? []), f]);
    }
    const lines: string[] = [];
    await Promise.all(
      [...byRegion].map(async ([region, findings]) => {
        if (findings.length === 0) return;
        const outcome = await importFindings(clients.securityhub(region), findings);
        failures.push(...outcome.failed);
        const archivedHere = resolved.filter((f) => regionOfArn(f.ProductArn) === region).length;
        lines.push(
          `${region}: ${outcome.imported} of ${findings.length} taken${archivedHere ? ` (${archivedHere} archived: no longer found)` : ''}${outcome.failed.length ? `, ${outcome.failed.length} not taken` : ''}`,
        );
      }),
    );
    stderr.write(`Security Hub (${account.accountId}): ${lines.sort().join('; ') || 'nothing to send'}\n`);
  } finally {
    clients.destroy();
  }
  // One line per reason: a region with Security Hub off (or a timeout) says it once, not once per finding.
  const byReason = new Map<string, ImportFailure[]>();
  for (const f of failures) {
    const reason = `${f.code}${f.message ? `: ${f.message}` : ''}`;
    byReason.set(reason, [...(byReason.get(reason) ?? []), f]);
  }
  for (const [reason, group] of [...byReason].slice(0, MAX_LISTED_FAILURES)) {
    problems.push(group.length === 1 ? `not taken ${group[0]!.id}: ${reason}` : `${group.length} findings not taken (${group[0]!.id}, …): ${reason}`);
  }
  if (byReason.size > MAX_LISTED_FAILURES) problems.push(`and ${byReason.size - MAX_LISTED_FAILURES} more reasons`);
  for (const p of problems) stderr.write(`Security Hub: ${terminalSafe(p)}\n`);
  return { complete: problems.length === 0 };
}
