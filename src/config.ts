import { readFile } from 'node:fs/promises';
import path from 'node:path';
import cron from 'node-cron';
import { isMap, isScalar, LineCounter, parseDocument, type Document } from 'yaml';
import { z } from 'zod';
import { isKnownRegion, KNOWN_REGIONS } from './aws/partition.js';
import { AuditBotError } from './errors.js';

const ACCOUNT_ID = /^\d{12}$/;
export const REGION = /^[a-z]{2,4}(-[a-z]+)+-\d{1,2}$/;
const ROLE_ARN = /^arn:(aws|aws-cn|aws-us-gov|aws-iso|aws-iso-b):iam::(\d{12}):role\/[\w+=,.@\-/]{1,512}$/;
const CHANNEL_ID = /^[CG][A-Z0-9]{6,}$/;
const USER_OR_GROUP_ID = /^[UWS][A-Z0-9]{6,}$/;
const USER_ID = /^[UW][A-Z0-9]{6,}$/;

/** YAML turns an unquoted 012345678901 into a number and drops the zero: accept 12-digit numbers only. */
const accountId = z.unknown().transform((value, ctx) => {
  if (typeof value !== 'string' && !(typeof value === 'number' && Number.isFinite(value))) {
    ctx.addIssue({ code: 'custom', message: `expected a 12-digit AWS account id in quotes, got ${describeValue(value)}` });
    return z.NEVER;
  }
  const text = typeof value === 'number' ? String(value) : value;
  if (!ACCOUNT_ID.test(text)) {
    ctx.addIssue({
      code: 'custom',
      message:
        typeof value === 'number'
          ? `expected a 12-digit AWS account id in quotes (YAML read ${text}); write accountId: "${text.padStart(12, '0')}"`
          : `expected a 12-digit AWS account id, got "${text}"`,
    });
    return z.NEVER;
  }
  return text;
});

const regionName = z.string().regex(REGION, { error: (i) => `expected an AWS region name like eu-west-1, got ${JSON.stringify(i.input)}` });

/** Severities, worst first (as src/audit/types.ts has them; config.ts stays free of the audit's imports). */
export const SEVERITY_NAMES = ['critical', 'high', 'medium', 'low', 'info'] as const;

const EXTERNAL_ID = z.string().regex(/^[\w+=,.@:/-]{2,1224}$/, { error: 'expected 2 to 1224 characters of letters, digits and +=,.@:/-' });

/** Words `/audit` reads as commands: an account by that name could never be audited. */
export const RESERVED_ALIASES = ['help', 'list', 'status', 'mutes', 'digest'];

const accountSchema = z.strictObject({
  alias: z
    .string()
    .regex(/^[a-z0-9][a-z0-9_-]{0,62}$/, { error: 'expected a short name of lower-case letters, digits, - and _ (it is what people type after /audit)' })
    .refine((alias) => !RESERVED_ALIASES.includes(alias), {
      error: (i) => `"${String(i.input)}" is a word of /audit itself (${RESERVED_ALIASES.join(', ')}); choose another alias`,
    }),
  accountId,
  roleArn: z.string().regex(ROLE_ARN, { error: 'expected an IAM role ARN like arn:aws:iam::123456789012:role/AuditReadOnly' }),
  externalId: EXTERNAL_ID.optional(),
  regions: z.array(regionName).min(1, { error: 'expected at least one region, or omit the key to audit every enabled region' }).optional(),
  remediationRoleArn: z.string().regex(ROLE_ARN, { error: 'expected an IAM role ARN like arn:aws:iam::123456789012:role/AuditRemediation' }).optional(),
  securityHubRoleArn: z.string().regex(ROLE_ARN, { error: 'expected an IAM role ARN like arn:aws:iam::123456789012:role/AuditFindingsImport' }).optional(),
  channels: z.array(z.string().regex(CHANNEL_ID, { error: 'expected a Slack channel id like C0123ABCD (not a #name)' })).optional(),
});

/** Which organization accounts: `ou:Root/Workloads/*`, `id:1234*`, `name:*-prod`, `tag:Environment=prod*` (or `tag:Key`: has it). Globs as --check. */
export const ACCOUNT_FILTER = /^(ou|id|name):.+$|^tag:[^=]+(=.*)?$/;
const accountFilter = z.string().regex(ACCOUNT_FILTER, {
  error: (i) => `expected ou:<path glob>, id:<id glob>, name:<name glob> or tag:<key>[=<value glob>], got ${JSON.stringify(i.input)}`,
});

/** Accounts from AWS Organizations, each audited through the same role name. */
const organizationSchema = z.strictObject({
  /** The role to list the organization with (in the management or a delegated administrator account); the bot's own credentials without it. */
  roleArn: z.string().regex(ROLE_ARN, { error: 'expected an IAM role ARN like arn:aws:iam::111122223333:role/OrganizationReader' }).optional(),
  roleName: z
    .string({ error: 'expected the audit role name every member account has, like AuditReadOnly' })
    .regex(/^[\w+=,.@-]{1,64}$/, { error: 'expected a role name (letters, digits and +=,.@_-, at most 64), like AuditReadOnly' }),
  externalId: EXTERNAL_ID.optional(),
  include: z.array(accountFilter).min(1, { error: 'expected at least one filter, or leave include out to take every account' }).optional(),
  exclude: z.array(accountFilter).default([]),
  aliasFrom: z
    .string()
    .regex(/^(name|tag:.+)$/, { error: 'expected name (the account name, made a slug) or tag:<key> (that tag’s value)' })
    .default('name'),
  regions: z.array(regionName).min(1, { error: 'expected at least one region, or omit the key to audit every enabled region' }).optional(),
  refreshMinutes: z
    .number()
    .int({ error: 'expected a whole number of minutes' })
    .min(1, { error: 'expected at least 1 minute' })
    .max(10_080, { error: 'expected at most 10080 minutes (a week)' })
    .default(60),
});

const positiveDays = (fallback: number) =>
  z
    .number()
    .int({ error: 'expected a whole number of days' })
    .min(1, { error: 'expected a whole number of days greater than 0' })
    .max(3650, { error: 'expected at most 3650 days' })
    .default(fallback);

/** pg-boss's limit: a job's time is under 24 hours. */
const MAX_JOB_SECONDS = 86_000;

const seconds = (min: number, max: number) =>
  z
    .number({ error: 'expected a number of seconds' })
    .min(min, { error: `expected at least ${min} s` })
    .max(max, { error: `expected at most ${max.toLocaleString('en-US')} s` });

const port = z
  .number({ error: 'expected a port number' })
  .int({ error: 'expected a whole port number' })
  .min(0, { error: 'expected a port number from 0 to 65535' })
  .max(65535, { error: 'expected a port number from 0 to 65535' });

/** Ports whose exposure to the internet is a finding of ec2.sg-risky-ports, by tier. */
export const DEFAULT_RISKY_PORTS = {
  critical: [22, 3389, 5500, 5900, 23, 135, 445, 1433, 1434, 3306, 5432, 1521, 27017, 6379, 9200, 9300, 11211, 2375, 2376],
  high: [20, 21, 25, 110, 143, 3000, 4333, 5000, 5601, 8080, 8088, 8888],
};

/** A calendar day, `2027-03-31`, that exists. */
const calendarDay = z
  .string({ error: 'expected a date like 2027-03-31 (the last day the mute holds)' })
  .refine((day) => /^\d{4}-\d{2}-\d{2}$/.test(day) && new Date(`${day}T00:00:00Z`).toISOString().startsWith(day), {
    error: (i) => `expected a date like 2027-03-31 (the last day the mute holds), got ${JSON.stringify(i.input)}`,
  });

/** `*` and `?` globs, like --check. */
const glob = (what: string, max: number) =>
  z
    .string({ error: `expected ${what}` })
    .min(1, { error: `expected ${what}` })
    .max(max, { error: `expected at most ${max} characters` });

/** The longest reason a mute keeps (the same as a mute from Slack). */
export const CONFIG_MUTE_REASON_MAX = 500;

/**
 * An accepted risk written down in review: the findings it matches are left
 * out and counted as muted, like a mute from Slack, until the end of `until`.
 */
const configMuteSchema = z
  .strictObject({
    check: glob("a check id or glob like 'iam.access-key-*'", 128).optional(),
    account: glob('an account alias or 12-digit id, or a glob', 64).optional(),
    region: glob("a region like eu-west-1 (global for IAM and other global findings), or a glob like 'eu-*'", 32).optional(),
    resource: glob("a resource id or ARN, or a glob like 'arn:aws:s3:::public-*'", 2048).optional(),
    tags: z
      .record(
        z.string().min(1, { error: 'expected a tag key' }).max(128, { error: 'expected a tag key of at most 128 characters' }),
        z
          .string({ error: 'expected the tag value as text (quote a number: "42"), or "*" for any value' })
          .max(256, { error: 'expected at most 256 characters' }),
      )
      .refine((tags) => Object.keys(tags).length > 0, { error: 'expected at least one tag (or leave tags out)' })
      .optional(),
    reason: z
      .string({ error: 'expected why this risk is accepted (what the next reader sees)' })
      .trim()
      .min(1, { error: 'expected why this risk is accepted (what the next reader sees)' })
      .max(CONFIG_MUTE_REASON_MAX, { error: `expected at most ${CONFIG_MUTE_REASON_MAX} characters` }),
    until: calendarDay,
  })
  .refine((m) => m.check !== undefined || m.resource !== undefined || m.tags !== undefined, {
    error: 'a mute needs check, resource or tags (account and region only narrow it): it would otherwise mute everything',
  });

const thresholdsSchema = z
  .strictObject({
    accessKeyMaxAgeDays: positiveDays(90),
    credentialUnusedDays: positiveDays(45),
    rootRecentUseDays: positiveDays(30),
    serverCertificateExpiryDays: positiveDays(30),
    /** Automated backups must be kept at least this many days (rds.backup-retention); RDS keeps at most 35. */
    rdsBackupRetentionDays: z
      .number()
      .int({ error: 'expected a whole number of days' })
      .min(1, { error: 'expected a whole number of days greater than 0' })
      .max(35, { error: 'expected at most 35 days (the longest RDS keeps automated backups)' })
      .default(7),
    passwordMinLength: z.number().int().min(6).max(128).default(14),
    passwordReusePrevention: z.number().int().min(1).max(24).default(24),
    requiredTags: z.array(z.string().min(1).max(128)).default([]),
    riskyPorts: z
      .strictObject({
        critical: z.array(port).default(DEFAULT_RISKY_PORTS.critical),
        high: z.array(port).default(DEFAULT_RISKY_PORTS.high),
      })
      .default(DEFAULT_RISKY_PORTS)
      .superRefine((tiers, ctx) => {
        for (const p of tiers.high.filter((p) => tiers.critical.includes(p))) {
          ctx.addIssue({ code: 'custom', path: ['high'], message: `port ${p} is in both tiers; list it once (critical or high)` });
        }
      }),
    /** Ports that may be open to the internet (web servers): ec2.sg-open-other passes them. */
    openPortsAllowed: z.array(port).default([80, 443]),
  })
  .superRefine((t, ctx) => {
    const risky = new Set([...t.riskyPorts.critical, ...t.riskyPorts.high]);
    for (const p of t.openPortsAllowed.filter((p) => risky.has(p))) {
      ctx.addIssue({
        code: 'custom',
        path: ['openPortsAllowed'],
        message: `port ${p} is also a risky port (riskyPorts); a port cannot be both allowed and risky`,
      });
    }
  });

const configSchema = z.strictObject({
  accounts: z.array(accountSchema).default([]),
  organization: organizationSchema.optional(),
  access: z
    .strictObject({
      auditors: z.array(z.string().regex(USER_OR_GROUP_ID, { error: 'expected a Slack user id (U…/W…) or user group id (S…)' })).optional(),
      remediators: z.array(z.string().regex(USER_ID, { error: 'expected a Slack user id (U…/W…)' })).default([]),
      requireApproval: z.boolean({ error: 'expected true or false' }).default(false),
    })
    .default({ remediators: [], requireApproval: false }),
  remediation: z
    .strictObject({
      mode: z.enum(['dry-run', 'apply'], { error: 'expected dry-run (show what would change) or apply (change it)' }).default('dry-run'),
    })
    .default({ mode: 'dry-run' }),
  digest: z
    .strictObject({
      channel: z.string().regex(CHANNEL_ID, { error: 'expected a Slack channel id like C0123ABCD' }),
      schedule: z
        .string()
        .refine((s) => cron.validate(s), { error: 'expected a cron expression like "0 9 * * 1" (minute hour day month weekday)' })
        .default('0 9 * * 1'),
      timezone: z.string().refine(isTimeZone, { error: 'expected an IANA time zone like Europe/Berlin or UTC' }).default('UTC'),
    })
    .optional(),
  alerts: z
    .strictObject({
      channel: z.string().regex(CHANNEL_ID, { error: 'expected a Slack channel id like C0123ABCD' }),
      schedule: z
        .string()
        .refine((s) => cron.validate(s), { error: 'expected a cron expression like "0 * * * *" (minute hour day month weekday)' })
        .default('0 * * * *'),
      /** The time zone the schedule is read in; the digest's (or UTC) when absent. */
      timezone: z.string().refine(isTimeZone, { error: 'expected an IANA time zone like Europe/Berlin or UTC' }).optional(),
      minSeverity: z.enum(SEVERITY_NAMES, { error: `expected one of ${SEVERITY_NAMES.join(', ')}` }).default('high'),
    })
    .optional(),
  thresholds: thresholdsSchema.default(thresholdsSchema.parse({})),
  mutes: z.array(configMuteSchema).default([]),
  store: z
    .strictObject({
      /** The JSON file (the embedded default). */
      path: z.string().min(1).optional(),
      /** PostgreSQL: postgres://user[:password]@host[:port]/database (a password may come from PGPASSWORD instead). */
      url: z.string().refine(isPostgresUrl, { error: 'expected a PostgreSQL URL like postgres://audit@db.internal:5432/audit' }).optional(),
      /** The PostgreSQL schema of the bot's tables. */
      schema: z
        .string()
        .regex(/^[a-z_][a-z0-9_]{0,44}$/, { error: 'expected a plain schema name (lower-case letters, digits and _, at most 45: the queue adds _jobs)' })
        .optional(),
    })
    .refine((s) => s.path === undefined || s.url === undefined, { error: 'set store.path (the JSON file) or store.url (PostgreSQL), not both' })
    .transform((s) => ({ ...s, path: s.path ?? DEFAULT_STORE_PATH, pathGiven: s.path !== undefined }))
    .default({ path: 'data/audit-db.json', pathGiven: false }),
  audit: z
    .strictObject({
      concurrency: z.number().int().min(1).max(64, { error: 'expected at most 64 AWS calls in flight per service and region' }).default(16),
      connectTimeoutSeconds: seconds(0.1, 60).default(5),
      requestTimeoutSeconds: seconds(1, 600).default(30),
      timeoutSeconds: seconds(1, 86_400).default(900),
    })
    .default({ concurrency: 16, connectTimeoutSeconds: 5, requestTimeoutSeconds: 30, timeoutSeconds: 900 }),
  /** With PostgreSQL: the job queue that spreads audits over worker processes. */
  queue: z
    .strictObject({
      /** Accounts one worker process audits at once. */
      concurrency: z.number().int().min(1).max(64).default(4),
      /** A job not finished after this long is failed (and retried): its worker is taken for gone. Default: audit.timeoutSeconds + 60. */
      jobTimeoutSeconds: z.number().int({ error: 'expected a whole number of seconds' }).min(2).max(MAX_JOB_SECONDS).optional(),
      /** Attempts after the first, each after a delay that doubles. */
      retries: z.number().int().min(0).max(10).default(2),
      retryDelaySeconds: z.number().int({ error: 'expected a whole number of seconds' }).min(1).max(3_600).default(30),
      /** How often the queue looks for jobs whose time is up (and other upkeep). */
      maintenanceSeconds: z.number().int({ error: 'expected a whole number of seconds' }).min(1).max(600).default(30),
    })
    .default({ concurrency: 4, retries: 2, retryDelaySeconds: 30, maintenanceSeconds: 30 }),
});

export type Config = z.output<typeof configSchema> & { sourcePath: string };
export type AccountConfig = Config['accounts'][number];
export type Thresholds = z.output<typeof thresholdsSchema>;
export type AuditSettings = Config['audit'];
export type ConfigMute = Config['mutes'][number];
export type OrganizationConfig = NonNullable<Config['organization']>;

/** The runner's limits from `audit.*`: calls in flight, each HTTP attempt's timeouts, the audit's deadline. */
export function auditLimits(audit: AuditSettings): { concurrency: number; timeouts: { connectMs: number; requestMs: number }; deadlineMs: number } {
  return {
    concurrency: audit.concurrency,
    timeouts: { connectMs: Math.round(audit.connectTimeoutSeconds * 1000), requestMs: Math.round(audit.requestTimeoutSeconds * 1000) },
    deadlineMs: Math.round(audit.timeoutSeconds * 1000),
  };
}

export type QueueSettings = Config['queue'];

/** The queue's limits in effect: a job's time limit outlasts the audit's own deadline. */
export function queueLimits(config: Pick<Config, 'queue' | 'audit'>): Required<QueueSettings> {
  return { ...config.queue, jobTimeoutSeconds: config.queue.jobTimeoutSeconds ?? Math.min(MAX_JOB_SECONDS, Math.ceil(config.audit.timeoutSeconds) + 60) };
}

export const DEFAULT_THRESHOLDS: Thresholds = thresholdsSchema.parse({});
export const DEFAULT_CONFIG_PATH = 'audit.config.yml';

function isTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

/** `accounts[0].regions[2]`, naming the alias when there is one. */
function formatPath(pathParts: readonly PropertyKey[], raw: unknown): string {
  let out = '';
  let node: unknown = raw;
  for (const part of pathParts) {
    if (typeof part === 'number') {
      out += `[${part}]`;
      node = Array.isArray(node) ? node[part] : undefined;
      const alias = (node as { alias?: unknown } | undefined)?.alias;
      if (out.startsWith('accounts') && out.indexOf('.') === -1 && typeof alias === 'string') out += ` (${alias})`;
    } else {
      out += out ? `.${String(part)}` : String(part);
      node = node && typeof node === 'object' ? (node as Record<string, unknown>)[String(part)] : undefined;
    }
  }
  return out || '(top level)';
}

function lineOf(doc: Document, lines: LineCounter, pathParts: readonly PropertyKey[]): number | undefined {
  for (let n = pathParts.length; n >= 0; n--) {
    const node = doc.getIn(pathParts.slice(0, n) as (string | number)[], true) as { range?: [number, number, number] } | undefined;
    if (node && (isScalar(node) || isMap(node) || 'range' in node) && node.range) return lines.linePos(node.range[0]).line;
  }
  return undefined;
}

/** Parses and validates config text; every problem names the file, line, key path and what is expected. */
export function parseConfig(text: string, sourcePath: string): Config {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
  const file = path.basename(sourcePath);
  if (doc.errors.length > 0) {
    const problems = doc.errors.map((e) => {
      const at = lines.linePos(e.pos[0]);
      return `${file}:${at.line}:${at.col}: ${e.message.split('\n')[0]}`;
    });
    throw new AuditBotError('CONFIG_INVALID', `${sourcePath} is not valid YAML:\n  ${problems.join('\n  ')}`);
  }
  let raw: unknown;
  try {
    raw = doc.toJS({ maxAliasCount: 100 }) ?? {};
  } catch (error) {
    // e.g. an alias "billion laughs": refuse the file, do not expand it.
    throw new AuditBotError('CONFIG_INVALID', `${sourcePath} cannot be read: ${(error as Error).message}`, { cause: error });
  }
  const parsed = configSchema.safeParse(raw, { reportInput: true });
  // Cross-field rules run on the raw data too, so one pass shows every problem.
  const issues = [...(parsed.success ? [] : parsed.error.issues), ...crossFieldIssues(raw)];
  if (issues.length > 0) {
    const located = issues.flatMap((issue) => {
      const keys = issue.code === 'unrecognized_keys' ? issue.keys : [undefined];
      return keys.map((key) => {
        const where = key === undefined ? issue.path : [...issue.path, key];
        const line = lineOf(doc, lines, where);
        const message = key !== undefined ? unknownKeyMessage(key, knownKeysAt(configSchema, issue.path)) : describeIssue(issue);
        return { line: line ?? 0, text: `${file}${line ? `:${line}` : ''}: ${formatPath(where, raw)}: ${message}` };
      });
    });
    const problems = located.sort((a, b) => a.line - b.line).map((p) => p.text);
    throw new AuditBotError('CONFIG_INVALID', `${sourcePath} has ${problems.length} problem${problems.length === 1 ? '' : 's'}:\n  ${problems.join('\n  ')}`);
  }
  return { ...parsed.data!, sourcePath };
}

/** "unknown key (did you mean roleArn?)", or a pointer to the reference when nothing is close. */
function unknownKeyMessage(key: string, known: readonly string[]): string {
  const close = closestNames(key, known, 1, true);
  return close.length ? `unknown key (did you mean ${close[0]}?)` : 'unknown key (check the spelling; see the configuration reference in the README)';
}

/** The keys the schema allows at `path` (through lists, optional and default values): what an unknown key is compared with. */
function knownKeysAt(schema: z.ZodType, path: readonly PropertyKey[]): string[] {
  let at: z.ZodType | undefined = schema;
  const unwrap = (s: z.ZodType | undefined): z.ZodType | undefined => {
    let current = s;
    for (let i = 0; current && i < 10; i++) {
      const def = (current as { _zod: { def: { type: string; innerType?: z.ZodType; in?: z.ZodType } } })._zod.def;
      if (def.innerType) current = def.innerType;
      else if (def.type === 'pipe' && def.in) current = def.in;
      else break;
    }
    return current;
  };
  for (const step of path) {
    at = unwrap(at);
    if (at instanceof z.ZodArray) at = at.element as z.ZodType;
    else if (at instanceof z.ZodObject) at = (at.shape as Record<string, z.ZodType>)[String(step)];
    else return [];
  }
  at = unwrap(at);
  return at instanceof z.ZodObject ? Object.keys(at.shape) : [];
}

type Issue = z.core.$ZodIssue | { code: 'custom'; path: PropertyKey[]; message: string };

/** Rules that span keys: unique aliases, roles in the account they are configured for. */
function crossFieldIssues(raw: unknown): Issue[] {
  const top = raw as { accounts?: unknown; organization?: unknown } | null;
  const accounts = top?.accounts;
  const issues: Issue[] = [];
  if ((accounts === undefined || (Array.isArray(accounts) && accounts.length === 0)) && (top?.organization === undefined || top.organization === null)) {
    issues.push({ code: 'custom', path: ['accounts'], message: 'expected at least one account, or an organization section to discover them' });
  }
  const org = top?.organization as { roleArn?: unknown; regions?: unknown } | undefined;
  const orgPartition = typeof org?.roleArn === 'string' ? org.roleArn.match(ROLE_ARN)?.[1] : undefined;
  if (org && Array.isArray(org.regions)) {
    org.regions.forEach((region: unknown, j) => {
      if (typeof region !== 'string' || !REGION.test(region)) return;
      const problem = regionProblem(region, orgPartition ?? 'aws');
      if (problem) issues.push({ code: 'custom', path: ['organization', 'regions', j], message: problem });
    });
  }
  if (!Array.isArray(accounts)) return issues;
  const seen = new Map<string, number>();
  accounts.forEach((account: unknown, i) => {
    if (!account || typeof account !== 'object') return;
    const a = account as Record<string, unknown>;
    if (typeof a.alias === 'string') {
      const first = seen.get(a.alias);
      if (first !== undefined)
        issues.push({ code: 'custom', path: ['accounts', i, 'alias'], message: `alias "${a.alias}" is already used by accounts[${first}]` });
      else seen.set(a.alias, i);
    }
    const partition = typeof a.roleArn === 'string' ? a.roleArn.match(ROLE_ARN)?.[1] : undefined;
    if (partition && Array.isArray(a.regions)) {
      a.regions.forEach((region: unknown, j) => {
        if (typeof region !== 'string' || !REGION.test(region)) return; // the schema says what is wrong
        const problem = regionProblem(region, partition);
        if (problem) issues.push({ code: 'custom', path: ['accounts', i, 'regions', j], message: problem });
      });
    }
    const accountId = typeof a.accountId === 'number' ? String(a.accountId) : a.accountId;
    if (typeof accountId !== 'string' || !ACCOUNT_ID.test(accountId)) return;
    for (const key of ['roleArn', 'remediationRoleArn', 'securityHubRoleArn'] as const) {
      const arnAccount = typeof a[key] === 'string' ? (a[key] as string).match(ROLE_ARN)?.[2] : undefined;
      if (arnAccount && arnAccount !== accountId) {
        issues.push({ code: 'custom', path: ['accounts', i, key], message: `the role is in account ${arnAccount}, but accountId is ${accountId}` });
      }
    }
    if (typeof a.remediationRoleArn === 'string' && a.remediationRoleArn === a.roleArn) {
      issues.push({
        code: 'custom',
        path: ['accounts', i, 'remediationRoleArn'],
        message: 'must be another role than roleArn: the audit role stays read-only, and fixes use a role of their own',
      });
    }
    if (typeof a.securityHubRoleArn === 'string' && a.securityHubRoleArn === a.roleArn) {
      issues.push({
        code: 'custom',
        path: ['accounts', i, 'securityHubRoleArn'],
        message: 'must be another role than roleArn: the audit role stays read-only, and sending findings to Security Hub is a write',
      });
    }
  });
  return issues;
}

function describeValue(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'number' && !Number.isFinite(value)) return 'a number too large to use';
  return typeof value;
}

function describeIssue(issue: Issue): string {
  if (issue.code === 'invalid_type') {
    const received = (issue as { input?: unknown }).input;
    // A message the schema wrote says what is expected in words; zod's own ("Invalid input: …") only names the type.
    const own = issue.message.startsWith('Invalid input') ? undefined : issue.message;
    if (received === undefined) return `missing; ${own ?? `expected ${issue.expected}`}`;
    return `${own ?? `expected ${issue.expected === 'number' ? 'a finite number' : issue.expected}`}, got ${describeValue(received)}`;
  }
  return issue.message;
}

/** Reads `AUDIT_CONFIG` (or audit.config.yml in the working directory). */
export async function loadConfig(options: { path?: string; env?: NodeJS.ProcessEnv } = {}): Promise<Config> {
  const env = options.env ?? process.env;
  const sourcePath = path.resolve(options.path ?? env.AUDIT_CONFIG ?? DEFAULT_CONFIG_PATH);
  let bytes: Buffer;
  try {
    bytes = await readFile(sourcePath);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') {
      throw new AuditBotError(
        'CONFIG_NOT_FOUND',
        `No config file at ${sourcePath}. Copy audit.config.example.yml to audit.config.yml, or point AUDIT_CONFIG at yours.`,
        { cause: error },
      );
    }
    throw new AuditBotError('CONFIG_NOT_FOUND', `Cannot read ${sourcePath}: ${(error as Error).message}`, { cause: error });
  }
  const bad = firstInvalidUtf8(bytes);
  if (bad !== undefined) {
    const line = bytes.subarray(0, bad).reduce((n, b) => n + (b === 0x0a ? 1 : 0), 1);
    throw new AuditBotError(
      'CONFIG_INVALID',
      `${sourcePath} is not UTF-8 text: byte 0x${bytes[bad]!.toString(16).padStart(2, '0')} at offset ${bad} (line ${line}) is not valid UTF-8. Save the file as UTF-8.`,
    );
  }
  const config = parseConfig(bytes.toString('utf8'), sourcePath);
  // The store lives next to the config unless given as an absolute path.
  config.store.path = path.resolve(path.dirname(sourcePath), config.store.path);
  return config;
}

/** Where the JSON file is when neither store.path nor a database URL is given. */
export const DEFAULT_STORE_PATH = 'data/audit-db.json';

/** Whether a string is a PostgreSQL connection URL (what `pg` accepts, of the two schemes). */
export function isPostgresUrl(value: string): boolean {
  if (!/^postgres(ql)?:\/\//.test(value)) return false;
  try {
    return new URL(value).host !== '' || /[?&]host=/.test(value);
  } catch {
    return false;
  }
}

/** The offset of the first byte that is not part of a valid UTF-8 sequence, or undefined when all are. */
export function firstInvalidUtf8(bytes: Uint8Array): number | undefined {
  let i = 0;
  while (i < bytes.length) {
    const b = bytes[i]!;
    if (b < 0x80) {
      i++;
      continue;
    }
    // Lead byte: length of the sequence and the range of its second byte (no overlongs, no surrogates, nothing above U+10FFFF).
    let length: number;
    let min = 0x80;
    let max = 0xbf;
    if (b >= 0xc2 && b <= 0xdf) length = 2;
    else if (b >= 0xe0 && b <= 0xef) {
      length = 3;
      if (b === 0xe0) min = 0xa0;
      if (b === 0xed) max = 0x9f;
    } else if (b >= 0xf0 && b <= 0xf4) {
      length = 4;
      if (b === 0xf0) min = 0x90;
      if (b === 0xf4) max = 0x8f;
    } else return i;
    if (i + length > bytes.length) return i;
    const second = bytes[i + 1]!;
    if (second < min || second > max) return i;
    for (let k = 2; k < length; k++) {
      const c = bytes[i + k]!;
      if (c < 0x80 || c > 0xbf) return i;
    }
    i += length;
  }
  return undefined;
}

export function findAccount(config: Config, alias: string): AccountConfig | undefined {
  return config.accounts.find((a) => a.alias === alias);
}

function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let diagonal = row[0]!;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const above = row[j]!;
      row[j] = Math.min(row[j]! + 1, row[j - 1]! + 1, diagonal + (a[i - 1] === b[j - 1] ? 0 : 1));
      diagonal = above;
    }
  }
  return row[b.length]!;
}

/**
 * Up to `limit` names close to what was typed (typos, or a part of the name),
 * closest first; with `nearestOnly`, only those as close as the closest (eu-west-1 for eu-wset-1, not every eu-west-N).
 */
export function closestNames(typed: string, names: readonly string[], limit = 3, nearestOnly = false): string[] {
  const t = typed.toLowerCase();
  const scored: { name: string; score: number }[] = [];
  for (const name of names) {
    const score = name.includes(t) || t.includes(name) ? 0 : editDistance(t, name);
    if (score <= Math.max(2, Math.floor(name.length / 3))) scored.push({ name, score });
  }
  scored.sort((a, b) => a.score - b.score || a.name.localeCompare(b.name));
  const best = scored[0]?.score;
  return scored
    .filter((s) => !nearestOnly || s.score === best)
    .slice(0, limit)
    .map((s) => s.name);
}

/** Up to three aliases close to what was typed. */
export function suggestAliases(typed: string, aliases: readonly string[]): string[] {
  return closestNames(typed, aliases);
}

/** "did you mean eu-west-1 or eu-west-2?", or nothing. */
export function didYouMean(close: readonly string[]): string {
  return close.length ? `did you mean ${close.join(' or ')}?` : '';
}

/** Why `region` cannot be audited through a role of `partition`, or undefined when it can. */
export function regionProblem(region: string, partition: string): string | undefined {
  if (isKnownRegion(partition, region)) return undefined;
  const other = Object.keys(KNOWN_REGIONS).find((p) => isKnownRegion(p, region));
  if (other) return `${region} is a region of the ${other} partition, but the role is in ${partition}`;
  const close = didYouMean(closestNames(region, KNOWN_REGIONS[partition] ?? [], 3, true));
  return `${JSON.stringify(region)} is not a region of the ${partition} partition${close ? `; ${close}` : ''}`;
}
