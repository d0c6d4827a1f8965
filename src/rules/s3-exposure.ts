import type { Grant, PublicAccessBlockConfiguration } from '@aws-sdk/client-s3';
import type { Read } from '../audit/datasets/types.js';
import type { PerBucket, S3Bucket } from '../audit/datasets/s3.js';
import type { CheckContext, DetailValue, ResourceRef } from '../audit/types.js';
import { parsePolicyDocument, type PolicyDocument, type PolicyStatement } from '../aws/iam-policy.js';

// Shared by the S3 exposure checks (and cloudtrail.bucket-public): who can
// reach a bucket through its ACL or its policy, and whether Block Public
// Access makes AWS refuse that access anyway. No default export: not a check.

export type PublicAccessBlock = PublicAccessBlockConfiguration | null;

export const BPA_SETTINGS = ['BlockPublicAcls', 'IgnorePublicAcls', 'BlockPublicPolicy', 'RestrictPublicBuckets'] as const;
export type BpaSetting = (typeof BPA_SETTINGS)[number];

export function bucketResource(name: string): ResourceRef {
  // No ARN: the partition is not known here.
  return { type: 'AWS::S3::Bucket', id: name };
}

export function bucketDetails(bucket: S3Bucket): Record<string, DetailValue> {
  return { bucket: bucket.name, region: bucket.region.ok ? bucket.region.value : null };
}

/** `bucket x (eu-west-1)`, or without the region when it is unknown. */
export function bucketLabel(bucket: S3Bucket): string {
  return bucket.region.ok ? `${bucket.name} (${bucket.region.value})` : bucket.name;
}

/** The read of one bucket; a bucket missing from the map is a read that did not happen, never a pass. */
export function bucketRead<T>(reads: PerBucket<T>, name: string): Read<T> {
  return reads.get(name) ?? { ok: false, error: new Error(`no answer was recorded for bucket ${name}`) };
}

/**
 * The account-level setting, read without letting its failure end the check:
 * most buckets can be judged without it (their own setting already decides).
 */
export async function readAccountBpa(ctx: Pick<CheckContext, 'inventory'>): Promise<Read<PublicAccessBlock>> {
  try {
    return { ok: true, value: await ctx.inventory.get('s3.accountPublicAccessBlock') };
  } catch (error) {
    return { ok: false, error };
  }
}

/** The settings a configuration leaves off; null (never configured) leaves all four off. */
export function bpaSettingsOff(config: PublicAccessBlock): BpaSetting[] {
  return BPA_SETTINGS.filter((setting) => config?.[setting] !== true);
}

/** What S3 enforces for one setting: on when the bucket or the account turns it on. */
export type EffectiveSetting = { known: true; on: boolean } | { known: false; error: unknown };

export function effectiveBpa(setting: BpaSetting, bucket: Read<PublicAccessBlock>, account: Read<PublicAccessBlock>): EffectiveSetting {
  const atBucket = bucket.ok ? bucket.value?.[setting] === true : undefined;
  const atAccount = account.ok ? account.value?.[setting] === true : undefined;
  if (atBucket === true || atAccount === true) return { known: true, on: true };
  if (atBucket === false && atAccount === false) return { known: true, on: false };
  // One level is off and the other could not be read: it might be on.
  return { known: false, error: !bucket.ok ? bucket.error : !account.ok ? account.error : undefined };
}

/**
 * How a bucket is exposed through one channel (ACL or policy):
 * - private: nothing public;
 * - neutralised: public grants or statements exist, but Block Public Access makes S3 refuse them;
 * - public: anyone can use them;
 * - unknown: a read failed, so no verdict (never a pass).
 */
export type Exposure<T> = { state: 'private' } | { state: 'neutralised'; items: T[] } | { state: 'public'; items: T[] } | { state: 'unknown'; error: unknown };

function guardedBy<T>(items: T[], setting: BpaSetting, bucketBpa: Read<PublicAccessBlock>, accountBpa: Read<PublicAccessBlock>): Exposure<T> {
  if (items.length === 0) return { state: 'private' };
  const effective = effectiveBpa(setting, bucketBpa, accountBpa);
  if (!effective.known) return { state: 'unknown', error: effective.error };
  return { state: effective.on ? 'neutralised' : 'public', items };
}

// ---------------------------------------------------------------- ACL grants

const PUBLIC_GROUPS = {
  'http://acs.amazonaws.com/groups/global/AllUsers': 'AllUsers',
  'http://acs.amazonaws.com/groups/global/AuthenticatedUsers': 'AuthenticatedUsers',
} as const;

/** AllUsers is anyone; AuthenticatedUsers is anyone with any AWS account, which is the same thing. */
export type PublicGroup = (typeof PUBLIC_GROUPS)[keyof typeof PUBLIC_GROUPS];

export interface PublicGrant {
  group: PublicGroup;
  /** Every permission the group holds (READ, WRITE, READ_ACP, WRITE_ACP, FULL_CONTROL). */
  permissions: string[];
}

const PERMISSION_ORDER = ['READ', 'READ_ACP', 'WRITE', 'WRITE_ACP', 'FULL_CONTROL'];

function permissionRank(permission: string): number {
  const rank = PERMISSION_ORDER.indexOf(permission);
  return rank === -1 ? PERMISSION_ORDER.length : rank;
}

/**
 * The grants to the public groups, one entry per group: an ACL lists a
 * grantee once per permission, so "public-read-write" is two Grant entries.
 */
export function publicAclGrants(grants: readonly Grant[]): PublicGrant[] {
  const byGroup = new Map<PublicGroup, Set<string>>();
  for (const grant of grants) {
    const grantee = grant.Grantee;
    // Only group grantees carry a URI; emulators sometimes leave the type out.
    if (!grantee?.URI || (grantee.Type !== undefined && grantee.Type !== 'Group')) continue;
    const group = PUBLIC_GROUPS[grantee.URI as keyof typeof PUBLIC_GROUPS] as PublicGroup | undefined;
    if (!group) continue;
    const permissions = byGroup.get(group) ?? new Set<string>();
    permissions.add(grant.Permission ?? 'UNKNOWN');
    byGroup.set(group, permissions);
  }
  return (['AllUsers', 'AuthenticatedUsers'] as const)
    .filter((group) => byGroup.has(group))
    .map((group) => ({ group, permissions: [...byGroup.get(group)!].sort((a, b) => permissionRank(a) - permissionRank(b) || a.localeCompare(b)) }));
}

/** `AllUsers: READ, WRITE; AuthenticatedUsers: READ_ACP` */
export function describeGrants(grants: readonly PublicGrant[]): string {
  return grants.map((g) => `${g.group}: ${g.permissions.join(', ')}`).join('; ');
}

/**
 * Public ACL grants and whether they are in force. `relevant` keeps only some
 * permissions (READ and FULL_CONTROL when only readability matters).
 */
export function aclExposure(
  acl: Read<Grant[]>,
  bucketBpa: Read<PublicAccessBlock>,
  accountBpa: Read<PublicAccessBlock>,
  relevant: (permission: string) => boolean = () => true,
): Exposure<PublicGrant> {
  if (!acl.ok) return { state: 'unknown', error: acl.error };
  const grants = publicAclGrants(acl.value)
    .map((g) => ({ ...g, permissions: g.permissions.filter(relevant) }))
    .filter((g) => g.permissions.length > 0);
  // IgnorePublicAcls: S3 evaluates requests as if the public grants were not there.
  return guardedBy(grants, 'IgnorePublicAcls', bucketBpa, accountBpa);
}

// ------------------------------------------------------------ policy statements

/** Principal "*", {"AWS": "*"} or an AWS list that contains "*": anyone, signed or not. */
export function isEveryonePrincipal(principal: unknown): boolean {
  if (principal === '*') return true;
  if (typeof principal !== 'object' || principal === null || Array.isArray(principal)) return false;
  const aws = (principal as Record<string, unknown>).AWS;
  return aws === '*' || (Array.isArray(aws) && aws.includes('*'));
}

/**
 * Context keys that tie a request to a network, an account, an organization
 * or a principal: an Allow conditioned on one of them is not public.
 */
const RESTRICTING_KEYS = new Set(
  [
    'aws:SourceVpc',
    'aws:SourceVpce',
    'aws:SourceIp',
    'aws:SourceAccount',
    'aws:SourceArn',
    'aws:SourceOwner',
    'aws:SourceOrgID',
    'aws:SourceOrgPaths',
    'aws:PrincipalAccount',
    'aws:PrincipalOrgID',
    'aws:PrincipalOrgPaths',
    'aws:PrincipalArn',
    'aws:userid',
  ].map((k) => k.toLowerCase()),
);

/**
 * Operators that hold only when the key is present and matches. Not the
 * `…IfExists` forms (true when the key is absent, as it is for an anonymous
 * caller or a request from outside a VPC), not the negated ones (everything
 * but a few values), and not `ForAllValues:` (true when the key is absent).
 */
const RESTRICTING_OPERATORS = new Set(['StringEquals', 'StringEqualsIgnoreCase', 'StringLike', 'ArnEquals', 'ArnLike', 'IpAddress']);

function conditionValues(value: unknown): string[] | undefined {
  const list = Array.isArray(value) ? value : [value];
  const out: string[] = [];
  for (const v of list) {
    if (typeof v === 'string') out.push(v);
    else if (typeof v === 'number') out.push(String(v));
    else return undefined;
  }
  return out;
}

const ORG_PATH_KEYS = new Set(['aws:principalorgpaths', 'aws:sourceorgpaths']);

/**
 * A value that names one thing, as S3 itself judges a policy public or not:
 * no `*` or `?` and no policy variable (`${aws:PrincipalAccount}` matches
 * every caller). An organization path may end in wildcards once its
 * organization id is fixed (`o-a1b2c3d4e5/r-ab12/*`). An IP range must be
 * no wider than /8 (IPv4) or /32 (IPv6): `0.0.0.0/1` plus `128.0.0.0/1` is
 * the whole internet.
 */
function isFixedValue(key: string, value: string): boolean {
  const v = value.trim();
  if (v === '' || v.includes('${')) return false;
  if (key === 'aws:sourceip') {
    const [address, prefix] = v.split('/');
    if (prefix === undefined) return !/[*?]/.test(v);
    const bits = Number(prefix);
    if (!/^\d{1,3}$/.test(prefix) || !Number.isInteger(bits)) return false;
    return address?.includes(':') ? bits >= 32 : bits >= 8;
  }
  if (ORG_PATH_KEYS.has(key)) return /^o-[a-z0-9]{10,32}\//.test(v);
  return !/[*?]/.test(v);
}

/** True when at least one test of the Condition limits who or where the request comes from. */
export function conditionRestricts(condition: unknown): boolean {
  if (typeof condition !== 'object' || condition === null || Array.isArray(condition)) return false;
  // Every operator block must hold (AND): one restricting test is enough.
  return Object.entries(condition as Record<string, unknown>).some(([rawOperator, tests]) => {
    const operator = rawOperator.startsWith('ForAnyValue:') ? rawOperator.slice('ForAnyValue:'.length) : rawOperator;
    if (!RESTRICTING_OPERATORS.has(operator)) return false;
    if (typeof tests !== 'object' || tests === null || Array.isArray(tests)) return false;
    return Object.entries(tests as Record<string, unknown>).some(([rawKey, value]) => {
      const key = rawKey.toLowerCase();
      if (!RESTRICTING_KEYS.has(key)) return false;
      const values = conditionValues(value);
      // Several values are ORed: one that is not fixed lets everyone in.
      return values !== undefined && values.length > 0 && values.every((v) => isFixedValue(key, v));
    });
  });
}

export interface PublicStatement {
  /** `statement 2 (Sid PublicRead)` */
  label: string;
  /** `s3:GetObject, s3:ListBucket`, or `NotAction s3:DeleteBucket` */
  actions: string;
  statement: PolicyStatement;
}

/** Allow to everyone (or to everyone but a NotPrincipal list), with no condition narrowing it down. */
export function isPublicStatement(statement: PolicyStatement): boolean {
  if (statement.Effect !== 'Allow') return false;
  const everyone = isEveryonePrincipal(statement.Principal) || statement.NotPrincipal !== undefined;
  return everyone && !conditionRestricts(statement.Condition);
}

export function statementLabel(document: PolicyDocument, statement: PolicyStatement): string {
  return `statement ${document.Statement.indexOf(statement) + 1}${statement.Sid ? ` (Sid ${statement.Sid})` : ''}`;
}

function statementActions(statement: PolicyStatement): string {
  if (statement.Action) return statement.Action.join(', ');
  if (statement.NotAction) return `every action but ${statement.NotAction.join(', ')}`;
  return 'no action';
}

export function publicStatements(document: PolicyDocument): PublicStatement[] {
  return document.Statement.filter(isPublicStatement).map((statement) => ({
    label: statementLabel(document, statement),
    actions: statementActions(statement),
    statement,
  }));
}

/** `statement 1 (Sid PublicRead): s3:GetObject; statement 3: s3:*` */
export function describeStatements(statements: readonly PublicStatement[]): string {
  return statements.map((s) => `${s.label}: ${s.actions}`).join('; ');
}

/** The bucket policy parsed; a document S3 should never have returned is an error for that bucket. */
export function readBucketPolicy(name: string, policy: Read<string | null>): Read<PolicyDocument | null> {
  if (!policy.ok) return policy;
  if (policy.value === null) return { ok: true, value: null };
  try {
    return { ok: true, value: parsePolicyDocument(policy.value, `bucket policy of ${name}`) };
  } catch (error) {
    return { ok: false, error };
  }
}

/** Public policy statements and whether they are in force. */
export function policyExposure(
  name: string,
  policy: Read<string | null>,
  bucketBpa: Read<PublicAccessBlock>,
  accountBpa: Read<PublicAccessBlock>,
): Exposure<PublicStatement> {
  const document = readBucketPolicy(name, policy);
  if (!document.ok) return { state: 'unknown', error: document.error };
  if (document.value === null) return { state: 'private' };
  // RestrictPublicBuckets: only AWS service principals and the bucket owner's account get through a public policy.
  return guardedBy(publicStatements(document.value), 'RestrictPublicBuckets', bucketBpa, accountBpa);
}
