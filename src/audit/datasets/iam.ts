import {
  GenerateCredentialReportCommand,
  GetAccountAuthorizationDetailsCommand,
  GetAccountPasswordPolicyCommand,
  GetCredentialReportCommand,
  GetServerCertificateCommand,
  ListServerCertificatesCommand,
  type GroupDetail,
  type ManagedPolicyDetail,
  type PasswordPolicy,
  type RoleDetail,
  type ServerCertificateMetadata,
  type UserDetail,
} from '@aws-sdk/client-iam';
import { parse as parseCsv } from 'csv-parse/sync';
import { awsErrorCode, malformedResponse, namedError } from '../../errors.js';
import { collectPages } from '../../aws/paginate.js';
import { attempt, type DatasetDef, type LoadContext, type Read } from './types.js';

export interface AccessKeySlot {
  slot: 1 | 2;
  active: boolean;
  /** Creation (or last rotation) time of the key in this slot. */
  lastRotated: Date | null;
  lastUsed: Date | null;
  lastUsedRegion: string | null;
  lastUsedService: string | null;
}

export interface CredentialReportRow {
  user: string;
  arn: string;
  userCreationTime: Date | null;
  passwordEnabled: boolean;
  passwordLastUsed: Date | null;
  passwordLastChanged: Date | null;
  mfaActive: boolean;
  accessKeys: [AccessKeySlot, AccessKeySlot];
}

export interface CredentialReport {
  /** AWS regenerates the report at most every 4 hours: figures are as of this time. */
  generatedAt: Date;
  root: CredentialReportRow | undefined;
  users: CredentialReportRow[];
}

/** The report's way of saying "no date": N/A, no_information, not_supported. */
function reportDate(value: string | undefined): Date | null {
  if (!value || !/^\d{4}-\d{2}-\d{2}T/.test(value)) return null;
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? null : date;
}

function reportText(value: string | undefined): string | null {
  return value && value !== 'N/A' && value !== 'no_information' && value !== 'not_supported' ? value : null;
}

/** The columns of the report, in AWS's order. */
export const CREDENTIAL_REPORT_COLUMNS = [
  'user',
  'arn',
  'user_creation_time',
  'password_enabled',
  'password_last_used',
  'password_last_changed',
  'password_next_rotation',
  'mfa_active',
  'access_key_1_active',
  'access_key_1_last_rotated',
  'access_key_1_last_used_date',
  'access_key_1_last_used_region',
  'access_key_1_last_used_service',
  'access_key_2_active',
  'access_key_2_last_rotated',
  'access_key_2_last_used_date',
  'access_key_2_last_used_region',
  'access_key_2_last_used_service',
  'cert_1_active',
  'cert_1_last_rotated',
  'cert_2_active',
  'cert_2_last_rotated',
] as const;

/** Every column the checks read: without one, "never used" and "no date" would be silent guesses. */
const REQUIRED_COLUMNS = [
  'user',
  'arn',
  'user_creation_time',
  'password_enabled',
  'password_last_used',
  'password_last_changed',
  'mfa_active',
  ...[1, 2].flatMap((n) => [
    `access_key_${n}_active`,
    `access_key_${n}_last_rotated`,
    `access_key_${n}_last_used_date`,
    `access_key_${n}_last_used_region`,
    `access_key_${n}_last_used_service`,
  ]),
];

/** Parses the credential report CSV (bytes as returned by GetCredentialReport). */
export function parseCredentialReport(content: Uint8Array | string, generatedAt: Date): CredentialReport {
  const text = typeof content === 'string' ? content : new TextDecoder().decode(content);
  let records: Record<string, string>[];
  let header: string[] = [];
  try {
    records = parseCsv(text, {
      columns: (names: string[]) => (header = names),
      skip_empty_lines: true,
      trim: true,
    }) as Record<string, string>[];
  } catch (error) {
    throw namedError('MalformedCredentialReport', `the credential report is not valid CSV: ${(error as Error).message}`);
  }
  const missing = REQUIRED_COLUMNS.filter((c) => !header.includes(c));
  if (missing.length > 0) throw namedError('MalformedCredentialReport', `the credential report lacks the columns ${missing.join(', ')}`);
  const rows = records.map((r): CredentialReportRow => {
    const slot = (n: 1 | 2): AccessKeySlot => ({
      slot: n,
      active: r[`access_key_${n}_active`] === 'true',
      lastRotated: reportDate(r[`access_key_${n}_last_rotated`]),
      lastUsed: reportDate(r[`access_key_${n}_last_used_date`]),
      lastUsedRegion: reportText(r[`access_key_${n}_last_used_region`]),
      lastUsedService: reportText(r[`access_key_${n}_last_used_service`]),
    });
    return {
      user: r.user ?? '',
      arn: r.arn ?? '',
      userCreationTime: reportDate(r.user_creation_time),
      passwordEnabled: r.password_enabled === 'true',
      passwordLastUsed: reportDate(r.password_last_used),
      passwordLastChanged: reportDate(r.password_last_changed),
      mfaActive: r.mfa_active === 'true',
      accessKeys: [slot(1), slot(2)],
    };
  });
  return {
    generatedAt,
    root: rows.find((r) => r.user === '<root_account>'),
    users: rows.filter((r) => r.user !== '<root_account>'),
  };
}

/** How long to wait for AWS to build the report before giving up. */
const REPORT_WAIT_MS = 120_000;

function backoff(attempt: number): number {
  return Math.min(200 * 2 ** attempt, 5_000);
}

async function loadCredentialReport(ctx: LoadContext): Promise<CredentialReport> {
  const iam = ctx.clients.iam();
  let waited = 0;
  // Generate is idempotent: it starts a report, or says one is in progress or complete (reused for 4 hours).
  for (let attempt = 0; ; attempt++) {
    const state = (await iam.send(new GenerateCredentialReportCommand({}))).State;
    if (state === 'COMPLETE') break;
    const delay = backoff(attempt);
    if (waited + delay > REPORT_WAIT_MS) throw reportTimeout();
    await ctx.sleep(delay);
    waited += delay;
  }
  for (let attempt = 0; ; attempt++) {
    try {
      const report = await iam.send(new GetCredentialReportCommand({}));
      if (!report.Content) throw namedError('MalformedCredentialReport', 'GetCredentialReport returned no content');
      return parseCredentialReport(report.Content, report.GeneratedTime ?? ctx.now);
    } catch (error) {
      // Not ready yet (eventual consistency right after COMPLETE): wait and read again.
      if (awsErrorCode(error) !== 'CredentialReportNotReadyException') throw error;
      const delay = backoff(attempt);
      if (waited + delay > REPORT_WAIT_MS) throw reportTimeout();
      await ctx.sleep(delay);
      waited += delay;
    }
  }
}

function reportTimeout(): Error {
  return namedError('ReportInProgress', `the IAM credential report was still being generated after ${REPORT_WAIT_MS / 1000} s`);
}

export interface AuthorizationDetails {
  users: UserDetail[];
  groups: GroupDetail[];
  roles: RoleDetail[];
  /** Customer-managed policies. */
  policies: ManagedPolicyDetail[];
  /** AWS-managed policies (arn:<partition>:iam::aws:policy/…), with their documents: AdministratorAccess is the most common full-admin grant. */
  awsPolicies: ManagedPolicyDetail[];
}

/** `arn:aws:iam::aws:policy/AdministratorAccess`: the account part of an AWS-managed policy's ARN is `aws`. */
export function isAwsManagedPolicyArn(arn: string | undefined): boolean {
  return /^arn:[\w-]+:iam::aws:policy\//.test(arn ?? '');
}

async function loadAuthorizationDetails(ctx: LoadContext): Promise<AuthorizationDetails> {
  const iam = ctx.clients.iam();
  const out: AuthorizationDetails = { users: [], groups: [], roles: [], policies: [], awsPolicies: [] };
  await collectPages(async (Marker) => {
    const page = await iam.send(
      new GetAccountAuthorizationDetailsCommand({ Filter: ['User', 'Group', 'Role', 'LocalManagedPolicy', 'AWSManagedPolicy'], MaxItems: 1000, Marker }),
    );
    out.users.push(...(page.UserDetailList ?? []));
    out.groups.push(...(page.GroupDetailList ?? []));
    out.roles.push(...(page.RoleDetailList ?? []));
    for (const policy of page.Policies ?? []) (isAwsManagedPolicyArn(policy.Arn) ? out.awsPolicies : out.policies).push(policy);
    return { items: [], next: page.IsTruncated ? page.Marker : undefined };
  });
  return out;
}

async function loadPasswordPolicy(ctx: LoadContext): Promise<PasswordPolicy | null> {
  try {
    return (await ctx.clients.iam().send(new GetAccountPasswordPolicyCommand({}))).PasswordPolicy ?? null;
  } catch (error) {
    // The account has no password policy: a fact, not an error.
    if (awsErrorCode(error) === 'NoSuchEntityException' || awsErrorCode(error) === 'NoSuchEntity') return null;
    throw error;
  }
}

async function loadServerCertificates(ctx: LoadContext): Promise<ServerCertificateMetadata[]> {
  const iam = ctx.clients.iam();
  return collectPages(async (Marker) => {
    const page = await iam.send(new ListServerCertificatesCommand({ Marker, MaxItems: 1000 }));
    return { items: page.ServerCertificateMetadataList, next: page.IsTruncated ? page.Marker : undefined };
  });
}

/**
 * The PEM bodies of IAM server certificates, read only for the certificates a
 * check asks about (those CloudFront serves), each once per audit, by the
 * name ListServerCertificates gave it.
 */
export interface ServerCertificateBodyReader {
  get(name: string): Promise<Read<string>>;
}

async function loadServerCertificateBodies(ctx: LoadContext): Promise<ServerCertificateBodyReader> {
  const reads = new Map<string, Promise<Read<string>>>();
  return {
    get(name) {
      let read = reads.get(name);
      if (!read) {
        read = attempt(async () => {
          const body = (await ctx.clients.iam().send(new GetServerCertificateCommand({ ServerCertificateName: name }))).ServerCertificate?.CertificateBody;
          if (!body) throw malformedResponse(`GetServerCertificate gave no certificate body for server certificate ${name}`);
          return body;
        });
        reads.set(name, read);
      }
      return read;
    },
  };
}

export const iamDatasets = {
  'iam.credentialReport': {
    scope: 'global',
    actions: ['iam:GenerateCredentialReport', 'iam:GetCredentialReport'],
    load: loadCredentialReport,
  } satisfies DatasetDef<CredentialReport>,
  'iam.authorizationDetails': {
    scope: 'global',
    actions: ['iam:GetAccountAuthorizationDetails'],
    load: loadAuthorizationDetails,
  } satisfies DatasetDef<AuthorizationDetails>,
  'iam.passwordPolicy': {
    scope: 'global',
    actions: ['iam:GetAccountPasswordPolicy'],
    load: loadPasswordPolicy,
  } satisfies DatasetDef<PasswordPolicy | null>,
  'iam.serverCertificates': {
    scope: 'global',
    actions: ['iam:ListServerCertificates'],
    load: loadServerCertificates,
  } satisfies DatasetDef<ServerCertificateMetadata[]>,
  'iam.serverCertificateBodies': {
    scope: 'global',
    actions: ['iam:GetServerCertificate'],
    load: loadServerCertificateBodies,
  } satisfies DatasetDef<ServerCertificateBodyReader>,
};
