import type { AwsSecurityFinding } from '@aws-sdk/client-securityhub';
import { errorFingerprint } from '../audit/fingerprint.js';
import { referencedControls } from '../compliance/framework.js';
import type { AuditResult, Check, CheckError, Finding, Severity } from '../audit/types.js';
import { GLOBAL_REGION } from '../audit/types.js';
import { STANDARDS } from './ocsf.js';

/** The one schema version of the AWS Security Finding Format. */
export const ASFF_SCHEMA_VERSION = '2018-10-08';

/** Every finding we write starts its GeneratorId with this: how a later run knows its own. */
export const GENERATOR_PREFIX = 'aws-audit-bot/';

/** Our facts in ProductFields (the keys a later run reads back to judge whether a finding was resolved). */
export const FIELD = {
  checkId: 'aws-audit-bot/checkId',
  region: 'aws-audit-bot/region',
  resourceId: 'aws-audit-bot/resourceId',
  fingerprint: 'aws-audit-bot/fingerprint',
  multiRegionTrail: 'aws-audit-bot/multiRegionTrail',
} as const;

/** Security Hub's limits on what it stores (longer is refused, or cut by Security Hub itself). */
const LIMITS = { title: 256, description: 1024, recommendation: 512, id: 512, detailKey: 128, detailValue: 1024, details: 50 } as const;

const LABEL: Record<Severity, 'CRITICAL' | 'HIGH' | 'MEDIUM' | 'LOW' | 'INFORMATIONAL'> = {
  critical: 'CRITICAL',
  high: 'HIGH',
  medium: 'MEDIUM',
  low: 'LOW',
  info: 'INFORMATIONAL',
};

/** Security Hub's resource types for the CloudFormation types our checks name; any other is `Other`. */
const RESOURCE_TYPES: Record<string, string> = {
  'AWS::::Account': 'AwsAccount',
  'AWS::IAM::User': 'AwsIamUser',
  'AWS::IAM::Role': 'AwsIamRole',
  'AWS::IAM::Group': 'AwsIamGroup',
  'AWS::IAM::Policy': 'AwsIamPolicy',
  'AWS::IAM::AccessKey': 'AwsIamAccessKey',
  'AWS::S3::Bucket': 'AwsS3Bucket',
  'AWS::S3::Object': 'AwsS3Object',
  'AWS::S3::AccountPublicAccessBlock': 'AwsS3AccountPublicAccessBlock',
  'AWS::EC2::Instance': 'AwsEc2Instance',
  'AWS::EC2::SecurityGroup': 'AwsEc2SecurityGroup',
  'AWS::EC2::NetworkAcl': 'AwsEc2NetworkAcl',
  'AWS::EC2::VPC': 'AwsEc2Vpc',
  'AWS::EC2::Volume': 'AwsEc2Volume',
  'AWS::KMS::Key': 'AwsKmsKey',
  'AWS::CloudTrail::Trail': 'AwsCloudTrailTrail',
  'AWS::CloudFront::Distribution': 'AwsCloudFrontDistribution',
  'AWS::ElasticLoadBalancing::LoadBalancer': 'AwsElbLoadBalancer',
  'AWS::ElasticLoadBalancingV2::LoadBalancer': 'AwsElbv2LoadBalancer',
  'AWS::RDS::DBInstance': 'AwsRdsDbInstance',
  'AWS::RDS::DBCluster': 'AwsRdsDbCluster',
  'AWS::RDS::DBSnapshot': 'AwsRdsDbSnapshot',
  'AWS::RDS::DBClusterSnapshot': 'AwsRdsDbClusterSnapshot',
};

export interface AsffOptions {
  partition: string;
  toolVersion: string;
  /** When this import is made (UpdatedAt; CreatedAt of a finding Security Hub has not seen). */
  now: string;
  /** CreatedAt of findings Security Hub already holds, by Id: kept, so a finding's age survives re-imports. */
  createdAt?: ReadonlyMap<string, string>;
  /** The region whose Security Hub takes a global check's findings (IAM has no region). */
  globalRegion: string;
  /** Send every finding to this region's Security Hub (a finding aggregation region) instead of its own. */
  region?: string;
}

const cut = (text: string, max: number) => (text.length <= max ? text : `${text.slice(0, max - 1)}…`);

/** The region whose Security Hub takes a finding from `region` (its ProductArn and endpoint). */
export function importRegion(region: string, options: Pick<AsffOptions, 'globalRegion' | 'region'>): string {
  return options.region ?? (region === GLOBAL_REGION ? options.globalRegion : region);
}

/** The default product ARN of an account: findings an account sends about itself. */
export function productArn(partition: string, region: string, accountId: string): string {
  return `arn:${partition}:securityhub:${region}:${accountId}:product/${accountId}/default`;
}

function types(check: Check | undefined): string[] {
  return [
    'Software and Configuration Checks/AWS Security Best Practices',
    ...(check?.references.cis ? ['Software and Configuration Checks/Industry and Regulatory Standards/CIS AWS Foundations Benchmark'] : []),
  ];
}

/** One requirement per control the finding breaks (`…v5.0.0/5.3`, not the check's `5.3, 5.4`). */
function relatedRequirements(check: Check | undefined, finding?: Finding): string[] {
  const { cis, securityHub } = referencedControls(check, finding);
  return [...cis.map((id) => `${STANDARDS.cis}/${id}`), ...securityHub.map((id) => `${STANDARDS.securityHub}/${id}`)];
}

function common(id: string, region: string, check: Check | undefined, checkId: string, result: AuditResult, options: AsffOptions) {
  const where = importRegion(region, options);
  const recommendation = check ? { Remediation: { Recommendation: { Text: cut(check.remediation, LIMITS.recommendation) } } } : {};
  return {
    SchemaVersion: ASFF_SCHEMA_VERSION,
    Id: cut(id, LIMITS.id),
    ProductArn: productArn(options.partition, where, result.account.accountId),
    ProductName: 'aws-audit-bot',
    CompanyName: 'aws-audit-bot',
    GeneratorId: `${GENERATOR_PREFIX}${checkId}`,
    AwsAccountId: result.account.accountId,
    Types: types(check),
    CreatedAt: options.createdAt?.get(id) ?? options.now,
    UpdatedAt: options.now,
    ...recommendation,
    RecordState: 'ACTIVE' as const,
  };
}

function productFields(checkId: string, region: string, resourceId: string, fingerprint: string, options: AsffOptions, extra: Record<string, string> = {}) {
  return {
    ProviderName: 'aws-audit-bot',
    ProviderVersion: options.toolVersion,
    [FIELD.checkId]: checkId,
    [FIELD.region]: region,
    [FIELD.resourceId]: cut(resourceId, LIMITS.detailValue),
    [FIELD.fingerprint]: fingerprint,
    ...extra,
  };
}

/** A finding's facts as Security Hub's `Details.Other`: strings, 50 at most, keys and values within its limits. */
function otherDetails(details: Finding['details']): Record<string, string> | undefined {
  const entries = Object.entries(details ?? {})
    .slice(0, LIMITS.details)
    .map(([k, v]) => [cut(k, LIMITS.detailKey), cut(v === null ? 'null' : String(v), LIMITS.detailValue)]);
  return entries.length ? Object.fromEntries(entries) : undefined;
}

function findingAsff(f: Finding, check: Check | undefined, result: AuditResult, options: AsffOptions): AwsSecurityFinding {
  const id = `${GENERATOR_PREFIX}${result.account.accountId}/${f.checkId}/${f.fingerprint}`;
  const label = LABEL[f.severity];
  const details = otherDetails(f.details);
  const multiRegion = f.details?.isMultiRegion;
  return {
    ...common(id, f.region, check, f.checkId, result, options),
    Title: cut(check?.title ?? f.checkId, LIMITS.title),
    Description: cut(f.message, LIMITS.description),
    Severity: { Label: label, Original: f.severity },
    FindingProviderFields: { Severity: { Label: label, Original: f.severity }, Types: types(check) },
    Compliance: { Status: 'FAILED', RelatedRequirements: relatedRequirements(check, f) },
    Resources: [
      {
        Type: RESOURCE_TYPES[f.resource.type] ?? 'Other',
        Id: cut(f.resource.arn ?? f.resource.id, LIMITS.id),
        Partition: options.partition as 'aws',
        ...(f.region === GLOBAL_REGION ? {} : { Region: f.region }),
        ...(details ? { Details: { Other: details } } : {}),
      },
    ],
    ProductFields: productFields(
      f.checkId,
      f.region,
      f.resource.id,
      f.fingerprint,
      options,
      typeof multiRegion === 'boolean' ? { [FIELD.multiRegionTrail]: String(multiRegion) } : {},
    ),
  };
}

/**
 * What could not be checked: Security Hub's NOT_AVAILABLE ("could not be
 * performed due to … an API error"), informational so it does not count as
 * a risk, but there, never a silent pass. Archived once the check runs there again.
 */
function errorAsff(e: CheckError, check: Check | undefined, result: AuditResult, options: AsffOptions): AwsSecurityFinding {
  const key = errorFingerprint(e, result.account.accountId);
  const id = `${GENERATOR_PREFIX}${result.account.accountId}/${e.checkId}/could-not-check/${key}`;
  const where = `${e.region}${e.resource ? ` (${e.resource})` : ''}`;
  return {
    ...common(id, e.region, check, e.checkId, result, options),
    Title: cut(`Could not check: ${check?.title ?? e.checkId}`, LIMITS.title),
    Description: cut(`${e.checkId} could not check ${where}: ${e.code}: ${e.message}`, LIMITS.description),
    Severity: { Label: 'INFORMATIONAL', Original: 'could-not-check' },
    FindingProviderFields: { Severity: { Label: 'INFORMATIONAL', Original: 'could-not-check' }, Types: types(check) },
    Compliance: { Status: 'NOT_AVAILABLE', RelatedRequirements: relatedRequirements(check) },
    Resources: [
      e.resource
        ? { Type: 'Other', Id: cut(e.resource, LIMITS.id), Partition: options.partition as 'aws', ...(e.region === GLOBAL_REGION ? {} : { Region: e.region }) }
        : { Type: 'AwsAccount', Id: `AWS::::Account:${result.account.accountId}`, Partition: options.partition as 'aws' },
    ],
    // Its resource is the account for a whole check: a later run that judges the check there archives it.
    ProductFields: productFields(e.checkId, e.region, e.resource ?? result.account.accountId, key, options, { 'aws-audit-bot/errorCode': e.code }),
  };
}

/** An audit's findings, and what it could not check, in the AWS Security Finding Format. */
export function toAsff(result: AuditResult, checks: ReadonlyMap<string, Check>, options: AsffOptions): AwsSecurityFinding[] {
  return [
    ...result.findings.map((f) => findingAsff(f, checks.get(f.checkId), result, options)),
    ...result.errors.map((e) => errorAsff(e, checks.get(e.checkId), result, options)),
  ];
}
