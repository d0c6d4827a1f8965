import { CREDENTIAL_REPORT_COLUMNS } from '../src/audit/datasets/iam.js';
import type { EventSelector, Trail } from '@aws-sdk/client-cloudtrail';
import type {
  FlowLog,
  Instance,
  IpPermission,
  NetworkAcl,
  NetworkInterface,
  Region,
  Reservation,
  SecurityGroup,
  Snapshot,
  Tag as Ec2Tag,
  Volume,
  Vpc,
} from '@aws-sdk/client-ec2';
import type {
  AttachedPolicy,
  GroupDetail,
  ManagedPolicyDetail,
  PasswordPolicy,
  PolicyDetail,
  PolicyVersion,
  RoleDetail,
  ServerCertificateMetadata,
  Tag as IamTag,
  UserDetail,
} from '@aws-sdk/client-iam';
import type { Grant, ObjectOwnership, PublicAccessBlockConfiguration, ServerSideEncryption, Tag as S3Tag } from '@aws-sdk/client-s3';
import type { DBCluster, DBClusterSnapshot, DBInstance, DBSnapshot } from '@aws-sdk/client-rds';
import type { FileSystemDescription } from '@aws-sdk/client-efs';
import type { AliasListEntry, KeyMetadata } from '@aws-sdk/client-kms';
import type { LoadBalancerDescription, PolicyDescription } from '@aws-sdk/client-elastic-load-balancing';
import type { Listener, LoadBalancer, Tag as ElbTag } from '@aws-sdk/client-elastic-load-balancing-v2';
import type { HostedZone, ResourceRecordSet } from '@aws-sdk/client-route-53';
import type { DistributionSummary } from '@aws-sdk/client-cloudfront';

/**
 * Deterministic synthetic AWS accounts for the benchmark: the same seed gives
 * the same account, byte for byte, so figures are comparable between runs.
 * Shapes follow what the real APIs return (URL-encoded policy documents, the
 * credential report's N/A and no_information, service-linked role paths...).
 */

/** The audit's clock: every age in the synthetic data is relative to it. */
export const NOW = new Date('2026-11-23T12:00:00Z');

const DAY_MS = 86_400_000;

export function daysAgo(days: number, from: Date = NOW): Date {
  return new Date(from.getTime() - days * DAY_MS);
}

/** mulberry32: a tiny 32-bit PRNG, good enough to vary data, fully reproducible. */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

/** FNV-1a, to derive independent sub-seeds (one per region) from names. */
function hashString(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

const UPPER_ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
const HEX = '0123456789abcdef';

export class Rng {
  private readonly next: () => number;

  constructor(seed: number) {
    this.next = mulberry32(seed);
  }

  /** An independent stream for a named part of the account. */
  fork(name: string): Rng {
    return new Rng(hashString(name) ^ Math.floor(this.next() * 4_294_967_296));
  }

  float(): number {
    return this.next();
  }

  /** Integer in [lo, hi]. */
  int(lo: number, hi: number): number {
    return lo + Math.floor(this.next() * (hi - lo + 1));
  }

  chance(p: number): boolean {
    return this.next() < p;
  }

  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.next() * items.length)]!;
  }

  /** Picks by weight: [[value, weight], ...]. */
  weighted<T>(entries: readonly (readonly [T, number])[]): T {
    const total = entries.reduce((sum, [, w]) => sum + w, 0);
    let r = this.next() * total;
    for (const [value, w] of entries) {
      r -= w;
      if (r < 0) return value;
    }
    return entries[entries.length - 1]![0];
  }

  /** Up to n distinct items. */
  sample<T>(items: readonly T[], n: number): T[] {
    const pool = [...items];
    const out: T[] = [];
    while (out.length < n && pool.length > 0) out.push(pool.splice(Math.floor(this.next() * pool.length), 1)[0]!);
    return out;
  }

  chars(alphabet: string, n: number): string {
    let out = '';
    for (let i = 0; i < n; i++) out += alphabet[Math.floor(this.next() * alphabet.length)];
    return out;
  }

  /** An IAM unique id: AIDA (user), AROA (role), AGPA (group), ANPA (policy), ASCA (certificate). */
  iamId(prefix: string): string {
    return prefix + this.chars(UPPER_ALNUM, 17);
  }

  hex(n: number): string {
    return this.chars(HEX, n);
  }

  /** A moment `lo`..`hi` days before NOW, with a random time of day. */
  daysAgo(lo: number, hi: number): Date {
    return new Date(NOW.getTime() - this.int(lo, hi) * DAY_MS - this.int(0, 86_399) * 1000);
  }
}

// ---------------------------------------------------------------- the model

export interface SyntheticAccessKey {
  id: string;
  active: boolean;
  created: Date;
  lastUsed: { date: Date; region: string; service: string } | null;
}

export interface SyntheticUser {
  detail: UserDetail;
  /** Console password; null when the user has none. */
  password: { lastChanged: Date; lastUsed: Date | null } | null;
  mfaDevices: { serialNumber: string; enabled: Date }[];
  accessKeys: SyntheticAccessKey[];
}

export interface SyntheticRoot {
  mfa: boolean;
  passwordLastUsed: Date | null;
  accessKeys: SyntheticAccessKey[];
}

export interface IamData {
  root: SyntheticRoot;
  users: SyntheticUser[];
  groups: GroupDetail[];
  roles: RoleDetail[];
  /** Customer-managed. */
  policies: ManagedPolicyDetail[];
  /** The AWS-managed policies this account uses (GetAccountAuthorizationDetails with AWSManagedPolicy). */
  awsManagedPolicies: ManagedPolicyDetail[];
  serverCertificates: ServerCertificateMetadata[];
  /** null: the account has none (GetAccountPasswordPolicy answers NoSuchEntity). */
  passwordPolicy: PasswordPolicy | null;
  /** GenerateCredentialReport calls until the report is COMPLETE (the first says STARTED). */
  reportReadyAfterCalls: number;
}

export interface RegionalData {
  securityGroups: SecurityGroup[];
  vpcs: Vpc[];
  reservations: Reservation[];
  volumes: Volume[];
  snapshots: Snapshot[];
  flowLogs: FlowLog[];
  ebsEncryptionByDefault: boolean;
  networkAcls: NetworkAcl[];
  /** Network interfaces (of instances, load balancers...) and the groups they carry: which groups are in use. */
  networkInterfaces: NetworkInterface[];
  /** Own snapshots whose createVolumePermission includes group `all`. */
  publicSnapshotIds: string[];
  snapshotBlockPublicAccess: 'unblocked' | 'block-new-sharing' | 'block-all-sharing';
  /** RDS: instances (standalone, Aurora members, read replicas) and clusters. */
  dbInstances: DBInstance[];
  dbClusters: DBCluster[];
  /** Manual and automated snapshots: the API lists the manual ones for SnapshotType manual. */
  dbSnapshots: DBSnapshot[];
  clusterSnapshots: DBClusterSnapshot[];
  /** The `restore` attribute by snapshot id (absent: shared with nobody). */
  snapshotRestore: Record<string, string[]>;
  fileSystems: FileSystemDescription[];
  kmsKeys: KeyMetadata[];
  kmsAliases: AliasListEntry[];
  /** Automatic rotation of the keys that can rotate, by key id. */
  kmsRotation: Record<string, boolean>;
  /** Application and Network load balancers, with their listeners and tags by ARN. */
  loadBalancers: LoadBalancer[];
  listeners: Record<string, Listener[]>;
  loadBalancerTags: Record<string, ElbTag[]>;
  /** Classic load balancers and the negotiation policies their TLS listeners name. */
  classicLoadBalancers: LoadBalancerDescription[];
  classicPolicies: Record<string, PolicyDescription[]>;
}

export interface SyntheticZone {
  zone: HostedZone;
  /** In Route 53's order (by name, then type). */
  records: ResourceRecordSet[];
}

export interface SyntheticTrail {
  trail: Trail;
  isLogging: boolean;
  selectors: EventSelector[];
}

export interface SyntheticBucket {
  name: string;
  region: string;
  created: Date;
  publicAccessBlock: PublicAccessBlockConfiguration;
  /** JSON text, as GetBucketPolicy returns it. */
  policy: string;
  policyIsPublic: boolean;
  encryption: ServerSideEncryption;
  versioning: 'Enabled' | 'Suspended' | undefined;
  loggingTarget: string | undefined;
  ownership: ObjectOwnership;
  grants: Grant[];
  tags: S3Tag[];
}

export interface SyntheticAccount {
  name: string;
  accountId: string;
  iam: IamData;
  /** Every region DescribeRegions(AllRegions) lists, opted in or not. */
  regions: Region[];
  /** Resources of each enabled region; a region not listed here is empty. */
  regional: Record<string, RegionalData>;
  buckets: SyntheticBucket[];
  /** Account-level Block Public Access (S3 Control); null when never configured. */
  accountPublicAccessBlock: PublicAccessBlockConfiguration | null;
  /** Every trail of the account, with its home region; DescribeTrails lists multi-region ones everywhere. */
  trails: SyntheticTrail[];
  /** Route 53 hosted zones (global). */
  hostedZones: SyntheticZone[];
  /** CloudFront distributions (global). */
  distributions: DistributionSummary[];
}

// ---------------------------------------------------------------- regions

/** The 17 regions every account has (no opt-in). */
const DEFAULT_REGIONS = [
  'ap-northeast-1',
  'ap-northeast-2',
  'ap-northeast-3',
  'ap-south-1',
  'ap-southeast-1',
  'ap-southeast-2',
  'ca-central-1',
  'eu-central-1',
  'eu-north-1',
  'eu-west-1',
  'eu-west-2',
  'eu-west-3',
  'sa-east-1',
  'us-east-1',
  'us-east-2',
  'us-west-1',
  'us-west-2',
] as const;

function regionList(optedIn: readonly string[], notOptedIn: readonly string[]): Region[] {
  const entry = (name: string, status: string): Region => ({ RegionName: name, Endpoint: `ec2.${name}.amazonaws.com`, OptInStatus: status });
  return [
    ...DEFAULT_REGIONS.map((r) => entry(r, 'opt-in-not-required')),
    ...optedIn.map((r) => entry(r, 'opted-in')),
    ...notOptedIn.map((r) => entry(r, 'not-opted-in')),
  ].sort((a, b) => a.RegionName!.localeCompare(b.RegionName!));
}

export function enabledRegions(account: SyntheticAccount): string[] {
  return account.regions.filter((r) => r.OptInStatus !== 'not-opted-in').map((r) => r.RegionName!);
}

// ---------------------------------------------------------------- policy documents

type Statement = Record<string, unknown>;

/** As IAM returns documents in GetAccountAuthorizationDetails: URL-encoded (RFC 3986), formatted as they were written. */
export function encodePolicy(statements: Statement[] | Statement, indent: 0 | 2 | 4 = 0): string {
  const doc = { Version: '2012-10-17', Statement: statements };
  return encodeURIComponent(JSON.stringify(doc, null, indent || undefined));
}

function trust(principal: Record<string, unknown>, action = 'sts:AssumeRole', condition?: Record<string, unknown>): Statement {
  return { Effect: 'Allow', Principal: principal, Action: action, ...(condition ? { Condition: condition } : {}) };
}

const AWS_MANAGED = {
  AdministratorAccess: 'arn:aws:iam::aws:policy/AdministratorAccess',
  ReadOnlyAccess: 'arn:aws:iam::aws:policy/ReadOnlyAccess',
  PowerUserAccess: 'arn:aws:iam::aws:policy/PowerUserAccess',
  SecurityAudit: 'arn:aws:iam::aws:policy/SecurityAudit',
  ViewOnlyAccess: 'arn:aws:iam::aws:policy/job-function/ViewOnlyAccess',
  Billing: 'arn:aws:iam::aws:policy/job-function/Billing',
  AmazonS3ReadOnlyAccess: 'arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess',
  AmazonS3FullAccess: 'arn:aws:iam::aws:policy/AmazonS3FullAccess',
  AmazonEC2FullAccess: 'arn:aws:iam::aws:policy/AmazonEC2FullAccess',
  AWSSupportAccess: 'arn:aws:iam::aws:policy/AWSSupportAccess',
  IAMUserChangePassword: 'arn:aws:iam::aws:policy/IAMUserChangePassword',
  AWSCompromisedKeyQuarantineV2: 'arn:aws:iam::aws:policy/AWSCompromisedKeyQuarantineV2',
  AWSLambdaBasicExecutionRole: 'arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole',
  AmazonSSMManagedInstanceCore: 'arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore',
  AmazonECSTaskExecutionRolePolicy: 'arn:aws:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy',
  CloudWatchAgentServerPolicy: 'arn:aws:iam::aws:policy/CloudWatchAgentServerPolicy',
} as const;

type AwsManagedName = keyof typeof AWS_MANAGED;

function awsManaged(name: AwsManagedName): AttachedPolicy {
  return { PolicyName: name.replace(/^.*\//, ''), PolicyArn: AWS_MANAGED[name] };
}

/** Short stand-ins for AWS-managed documents (the real ones are long; shape is what matters). */
function awsManagedDocument(name: AwsManagedName): Statement[] {
  switch (name) {
    case 'AdministratorAccess':
      return [{ Effect: 'Allow', Action: '*', Resource: '*' }];
    case 'AWSCompromisedKeyQuarantineV2':
      return [{ Effect: 'Deny', Action: ['iam:AttachUserPolicy', 'iam:CreateAccessKey', 'ec2:RunInstances', 'lambda:CreateFunction'], Resource: ['*'] }];
    case 'PowerUserAccess':
      return [
        { Effect: 'Allow', NotAction: ['iam:*', 'organizations:*', 'account:*'], Resource: '*' },
        {
          Effect: 'Allow',
          Action: ['iam:CreateServiceLinkedRole', 'iam:DeleteServiceLinkedRole', 'iam:ListRoles', 'organizations:DescribeOrganization'],
          Resource: '*',
        },
      ];
    default:
      return [{ Effect: 'Allow', Action: [`${name.toLowerCase().slice(0, 6)}:Get*`, `${name.toLowerCase().slice(0, 6)}:List*`], Resource: '*' }];
  }
}

// ---------------------------------------------------------------- IAM

const FIRST = [
  'alex',
  'sam',
  'maria',
  'li',
  'fatima',
  'jonas',
  'priya',
  'chen',
  'noah',
  'emma',
  'lucas',
  'sofia',
  'omar',
  'yuki',
  'elena',
  'david',
  'aisha',
  'mateo',
  'hannah',
  'ivan',
  'grace',
  'kofi',
  'nina',
  'pavel',
  'zoe',
  'ravi',
  'leila',
  'tom',
  'ana',
  'kai',
];
const LAST = [
  'smith',
  'garcia',
  'mueller',
  'wang',
  'khan',
  'rossi',
  'silva',
  'kim',
  'nguyen',
  'novak',
  'dubois',
  'jensen',
  'kowalski',
  'tanaka',
  'haddad',
  'okafor',
  'petrov',
  'larsen',
  'moreau',
  'fischer',
  'patel',
  'lopez',
  'becker',
  'ito',
  'costa',
];
const SERVICE_PURPOSES = [
  'ci-deploy',
  'terraform',
  'backup-agent',
  'log-shipper',
  'metrics-export',
  'legacy-sftp',
  'datadog',
  'github-actions',
  'jenkins',
  'etl-loader',
  'smtp-relay',
  'cdn-purge',
];
const KEY_SERVICES = ['s3', 'ec2', 'sts', 'iam', 'dynamodb', 'lambda', 'logs', 'ecr', 'sqs', 'cloudformation'];
const KEY_REGIONS = ['us-east-1', 'us-east-1', 'eu-west-1', 'eu-central-1', 'us-west-2', 'ap-southeast-2'];
const TEAMS = ['platform', 'payments', 'search', 'data', 'mobile', 'growth', 'security', 'infra', 'web', 'ml'];

interface IamSpec {
  accountId: string;
  users: number;
  roles: number;
  customerPolicies: number;
  serverCertificates: number;
  passwordPolicy: boolean;
  rootMfa: boolean;
}

function accessKeyId(rng: Rng): string {
  return `AKIA${rng.chars(UPPER_ALNUM, 16)}`;
}

function syntheticKey(rng: Rng, userAge: number, opts: { active?: boolean } = {}): SyntheticAccessKey {
  const age = rng.weighted<[number, number]>([
    [[1, 30], 3],
    [[31, 90], 3],
    [[91, 365], 3],
    [[366, 1500], 2],
  ]);
  const ageDays = Math.min(userAge, rng.int(age[0], age[1]));
  const created = rng.daysAgo(ageDays, ageDays);
  const neverUsed = rng.chance(0.15);
  const lastUsedDays = Math.min(
    ageDays,
    rng.weighted<number>([
      [rng.int(0, 2), 5],
      [rng.int(3, 44), 2],
      [rng.int(45, 400), 2],
    ]),
  );
  return {
    id: accessKeyId(rng),
    active: opts.active ?? rng.chance(0.85),
    created,
    lastUsed: neverUsed ? null : { date: rng.daysAgo(lastUsedDays, lastUsedDays), region: rng.pick(KEY_REGIONS), service: rng.pick(KEY_SERVICES) },
  };
}

function tagsFor(rng: Rng, team: string): IamTag[] {
  if (!rng.chance(0.5)) return [];
  const tags: IamTag[] = [{ Key: 'Team', Value: team }];
  if (rng.chance(0.6)) tags.push({ Key: 'Owner', Value: `${rng.pick(FIRST)}@example.com` });
  if (rng.chance(0.2)) tags.push({ Key: 'CostCenter', Value: `cc-${rng.int(100, 999)}` });
  return tags;
}

function customerPolicies(rng: Rng, accountId: string, count: number): ManagedPolicyDetail[] {
  const arn = (name: string, path = '/') => `arn:aws:iam::${accountId}:policy${path}${name}`;
  const out: ManagedPolicyDetail[] = [];
  const policy = (name: string, path: string, statements: (Statement[] | Statement)[], description?: string): ManagedPolicyDetail => {
    const created = rng.daysAgo(200, 1800);
    const versions: PolicyVersion[] = statements.map((s, i) => ({
      Document: encodePolicy(s, rng.pick([0, 2, 4] as const)),
      VersionId: `v${i + 1}`,
      IsDefaultVersion: i === statements.length - 1,
      CreateDate: new Date(created.getTime() + i * 30 * DAY_MS),
    }));
    return {
      PolicyName: name,
      PolicyId: rng.iamId('ANPA'),
      Arn: arn(name, path),
      Path: path,
      DefaultVersionId: `v${statements.length}`,
      AttachmentCount: 0,
      PermissionsBoundaryUsageCount: 0,
      IsAttachable: true,
      ...(description ? { Description: description } : {}),
      CreateDate: created,
      UpdateDate: versions[versions.length - 1]!.CreateDate,
      PolicyVersionList: versions.reverse(),
    };
  };
  // The one policy that grants everything: the kind of thing an admin-policy check must find.
  out.push(
    policy('platform-full-access', '/', [[{ Sid: 'Everything', Effect: 'Allow', Action: '*', Resource: '*' }]], 'Break-glass access for the platform team'),
  );
  out.push(
    policy('developer-boundary', '/boundaries/', [
      [
        { Effect: 'Allow', Action: ['s3:*', 'dynamodb:*', 'lambda:*', 'logs:*', 'cloudwatch:*'], Resource: '*' },
        { Effect: 'Deny', Action: ['iam:CreateUser', 'iam:CreateAccessKey', 'organizations:*'], Resource: '*' },
      ],
    ]),
  );
  const services = ['s3', 'dynamodb', 'sqs', 'sns', 'kms', 'secretsmanager', 'ssm', 'ecr', 'logs', 'lambda'];
  for (let i = out.length; i < count; i++) {
    const team = TEAMS[i % TEAMS.length]!;
    const service = rng.pick(services);
    const kind = rng.pick(['read', 'write', 'deploy', 'ops']);
    const name = `${team}-${service}-${kind}-${i}`;
    const bucketArn = `arn:${'aws'}:s3:::${team}-${service}-data-${i}`;
    const main: Statement =
      service === 's3'
        ? { Sid: 'Data', Effect: 'Allow', Action: kind === 'read' ? ['s3:GetObject', 's3:ListBucket'] : 's3:*', Resource: [bucketArn, `${bucketArn}/*`] }
        : { Effect: 'Allow', Action: kind === 'read' ? [`${service}:Get*`, `${service}:List*`, `${service}:Describe*`] : `${service}:*`, Resource: '*' };
    const extra: Statement[] = [];
    if (kind === 'deploy')
      extra.push({ Effect: 'Allow', Action: 'iam:PassRole', Resource: rng.chance(0.5) ? '*' : `arn:aws:iam::${accountId}:role/${team}-*` });
    if (rng.chance(0.15))
      extra.push({
        Effect: 'Allow',
        Action: 'sts:AssumeRole',
        Resource: `arn:aws:iam::${accountId}:role/${team}-*`,
        Condition: { Bool: { 'aws:MultiFactorAuthPresent': 'true' } },
      });
    const current = [main, ...extra];
    const history = rng.chance(0.3) ? [[{ ...main, Action: `${service}:*`, Resource: '*' }], current] : [current];
    // Some documents have a single statement object instead of an array, as IAM allows.
    out.push(
      policy(
        name,
        rng.chance(0.2) ? `/${team}/` : '/',
        history.map((s) => (s.length === 1 && rng.chance(0.3) ? s[0]! : s)),
      ),
    );
  }
  return out;
}

function groups(rng: Rng, accountId: string, policies: ManagedPolicyDetail[]): GroupDetail[] {
  const group = (name: string, attached: AttachedPolicy[], inline: PolicyDetail[] = [], path = '/'): GroupDetail => ({
    Path: path,
    GroupName: name,
    GroupId: rng.iamId('AGPA'),
    Arn: `arn:aws:iam::${accountId}:group${path}${name}`,
    CreateDate: rng.daysAgo(300, 2000),
    GroupPolicyList: inline,
    AttachedManagedPolicies: attached,
  });
  const customer = (p: ManagedPolicyDetail): AttachedPolicy => ({ PolicyName: p.PolicyName, PolicyArn: p.Arn });
  const admin = policies[0]!;
  const out = [
    group('Administrators', [awsManaged('AdministratorAccess')]),
    group('platform-admins', [customer(admin)]),
    group('Developers', [awsManaged('PowerUserAccess'), awsManaged('IAMUserChangePassword')]),
    group('ReadOnly', [awsManaged('ReadOnlyAccess')]),
    group('SecurityAuditors', [awsManaged('SecurityAudit'), awsManaged('ViewOnlyAccess')]),
    group('Billing', [awsManaged('Billing')]),
    group('Support', [awsManaged('AWSSupportAccess')]),
    group(
      'ForceMFA',
      [],
      [
        {
          PolicyName: 'deny-without-mfa',
          PolicyDocument: encodePolicy(
            [
              {
                Sid: 'DenyAllExceptListedIfNoMFA',
                Effect: 'Deny',
                NotAction: ['iam:CreateVirtualMFADevice', 'iam:EnableMFADevice', 'iam:GetUser', 'iam:ListMFADevices', 'sts:GetSessionToken'],
                Resource: '*',
                Condition: { BoolIfExists: { 'aws:MultiFactorAuthPresent': 'false' } },
              },
            ],
            2,
          ),
        },
      ],
    ),
    group('Contractors', [awsManaged('ViewOnlyAccess')], [], '/external/'),
    group('ci-systems', [awsManaged('AmazonS3FullAccess'), awsManaged('AmazonEC2FullAccess')], [], '/service/'),
  ];
  for (const team of TEAMS) {
    const mine = policies.filter((p) => p.PolicyName?.startsWith(`${team}-`)).slice(0, rng.int(1, 3));
    out.push(group(`team-${team}`, mine.map(customer)));
  }
  return out;
}

const SERVICE_LINKED: readonly [string, string, string][] = [
  ['AWSServiceRoleForSupport', 'support.amazonaws.com', 'aws-service-role/AWSSupportServiceRolePolicy'],
  ['AWSServiceRoleForTrustedAdvisor', 'trustedadvisor.amazonaws.com', 'aws-service-role/AWSTrustedAdvisorServiceRolePolicy'],
  ['AWSServiceRoleForOrganizations', 'organizations.amazonaws.com', 'aws-service-role/AWSOrganizationsServiceTrustPolicy'],
  ['AWSServiceRoleForSSO', 'sso.amazonaws.com', 'aws-service-role/AWSSSOServiceRolePolicy'],
  ['AWSServiceRoleForAutoScaling', 'autoscaling.amazonaws.com', 'aws-service-role/AutoScalingServiceRolePolicy'],
  ['AWSServiceRoleForElasticLoadBalancing', 'elasticloadbalancing.amazonaws.com', 'aws-service-role/AWSElasticLoadBalancingServiceRolePolicy'],
  ['AWSServiceRoleForRDS', 'rds.amazonaws.com', 'aws-service-role/AmazonRDSServiceRolePolicy'],
  ['AWSServiceRoleForECS', 'ecs.amazonaws.com', 'aws-service-role/AmazonECSServiceRolePolicy'],
  ['AWSServiceRoleForAmazonGuardDuty', 'guardduty.amazonaws.com', 'aws-service-role/AmazonGuardDutyServiceRolePolicy'],
  ['AWSServiceRoleForSecurityHub', 'securityhub.amazonaws.com', 'aws-service-role/AWSSecurityHubServiceRolePolicy'],
  ['AWSServiceRoleForConfig', 'config.amazonaws.com', 'aws-service-role/AWSConfigServiceRolePolicy'],
  ['AWSServiceRoleForCloudTrail', 'cloudtrail.amazonaws.com', 'aws-service-role/CloudTrailServiceRolePolicy'],
  ['AWSServiceRoleForAccessAnalyzer', 'access-analyzer.amazonaws.com', 'aws-service-role/AccessAnalyzerServiceRolePolicy'],
  ['AWSServiceRoleForAmazonEKS', 'eks.amazonaws.com', 'aws-service-role/AmazonEKSServiceRolePolicy'],
  ['AWSServiceRoleForAmazonEKSNodegroup', 'eks-nodegroup.amazonaws.com', 'aws-service-role/AWSServiceRoleForAmazonEKSNodegroup'],
  ['AWSServiceRoleForAPIGateway', 'ops.apigateway.amazonaws.com', 'aws-service-role/APIGatewayServiceRolePolicy'],
  ['AWSServiceRoleForCloudWatchEvents', 'events.amazonaws.com', 'aws-service-role/CloudWatchEventsServiceRolePolicy'],
  ['AWSServiceRoleForGlobalAccelerator', 'globalaccelerator.amazonaws.com', 'aws-service-role/AWSGlobalAcceleratorSLRPolicy'],
  ['AWSServiceRoleForElastiCache', 'elasticache.amazonaws.com', 'aws-service-role/ElastiCacheServiceRolePolicy'],
  ['AWSServiceRoleForResourceExplorer', 'resource-explorer-2.amazonaws.com', 'aws-service-role/AWSResourceExplorerServiceRolePolicy'],
  ['AWSServiceRoleForAmazonSSM', 'ssm.amazonaws.com', 'aws-service-role/AmazonSSMServiceRolePolicy'],
  ['AWSServiceRoleForKeyManagementServiceMultiRegionKeys', 'mrk.kms.amazonaws.com', 'aws-service-role/AWSKeyManagementServiceMultiRegionKeysServiceRolePolicy'],
];

function roles(rng: Rng, accountId: string, count: number, policies: ManagedPolicyDetail[]): RoleDetail[] {
  const out: RoleDetail[] = [];
  const customer = (p: ManagedPolicyDetail): AttachedPolicy => ({ PolicyName: p.PolicyName, PolicyArn: p.Arn });
  const role = (name: string, path: string, trustDoc: Statement[], attached: AttachedPolicy[], extra: Partial<RoleDetail> = {}): RoleDetail => {
    const used = rng.chance(0.75);
    return {
      Path: path,
      RoleName: name,
      RoleId: rng.iamId('AROA'),
      Arn: `arn:aws:iam::${accountId}:role${path}${name}`,
      CreateDate: rng.daysAgo(30, 2000),
      AssumeRolePolicyDocument: encodePolicy(trustDoc),
      InstanceProfileList: [],
      RolePolicyList: [],
      AttachedManagedPolicies: attached,
      Tags: [],
      RoleLastUsed: used ? { LastUsedDate: rng.daysAgo(0, 200), Region: rng.pick(KEY_REGIONS) } : {},
      ...extra,
    };
  };
  const slrCount = Math.min(SERVICE_LINKED.length, Math.max(3, Math.round(count / 9)));
  for (const [name, service, policy] of SERVICE_LINKED.slice(0, slrCount)) {
    out.push(
      role(
        name,
        `/aws-service-role/${service}/`,
        [trust({ Service: service })],
        [{ PolicyName: policy.split('/')[1], PolicyArn: `arn:aws:iam::aws:policy/${policy}` }],
      ),
    );
  }
  const ssoSets = ['AdministratorAccess', 'ReadOnlyAccess', 'PowerUserAccess', 'Billing', 'SecurityAudit'] as const;
  const sso = Math.min(ssoSets.length, Math.max(1, Math.round(count / 40)));
  for (const set of ssoSets.slice(0, sso)) {
    out.push(
      role(
        `AWSReservedSSO_${set}_${rng.hex(16)}`,
        '/aws-reserved/sso.amazonaws.com/eu-west-1/',
        [
          trust({ Federated: `arn:aws:iam::${accountId}:saml-provider/AWSSSO_${rng.hex(16)}_DO_NOT_DELETE` }, 'sts:AssumeRoleWithSAML', {
            StringEquals: { 'SAML:aud': 'https://signin.aws.amazon.com/saml' },
          }),
        ],
        [awsManaged(set === 'Billing' ? 'Billing' : set)],
      ),
    );
  }
  const admin = policies[0]!;
  out.push(
    role(
      'break-glass-admin',
      '/',
      [trust({ AWS: `arn:aws:iam::${accountId}:root` }, 'sts:AssumeRole', { Bool: { 'aws:MultiFactorAuthPresent': 'true' } })],
      [customer(admin)],
    ),
  );
  out.push(
    role(
      'github-actions-deploy',
      '/ci/',
      [
        trust({ Federated: `arn:aws:iam::${accountId}:oidc-provider/token.actions.githubusercontent.com` }, 'sts:AssumeRoleWithWebIdentity', {
          StringEquals: { 'token.actions.githubusercontent.com:aud': 'sts.amazonaws.com' },
          StringLike: { 'token.actions.githubusercontent.com:sub': 'repo:example-org/*' },
        }),
      ],
      [awsManaged('PowerUserAccess')],
    ),
  );
  // A role anyone can assume: a finding for a trust-policy check.
  out.push(role('legacy-partner-access', '/', [trust({ AWS: '*' })], [awsManaged('ReadOnlyAccess')]));
  const teamPolicies = policies.slice(2);
  let n = 0;
  while (out.length < count) {
    n++;
    const team = rng.pick(TEAMS);
    const attachedCustomer = rng.sample(teamPolicies, rng.int(0, 2)).map(customer);
    const inline: PolicyDetail[] = rng.chance(0.25)
      ? [
          {
            PolicyName: `${team}-inline-${n}`,
            PolicyDocument: encodePolicy([
              { Effect: 'Allow', Action: ['sqs:SendMessage', 'sqs:ReceiveMessage'], Resource: `arn:aws:sqs:*:${accountId}:${team}-*` },
            ]),
          },
        ]
      : [];
    const kind = rng.weighted<'ec2' | 'lambda' | 'ecs' | 'cross-account' | 'misc'>([
      ['ec2', 20],
      ['lambda', 40],
      ['ecs', 15],
      ['cross-account', 5],
      ['misc', 10],
    ]);
    const tags = tagsFor(rng, team);
    if (kind === 'ec2') {
      const name = `${team}-ec2-${n}`;
      out.push(
        role(name, '/', [trust({ Service: 'ec2.amazonaws.com' })], [awsManaged('AmazonSSMManagedInstanceCore'), ...attachedCustomer], {
          RolePolicyList: inline,
          Tags: tags,
          InstanceProfileList: [
            {
              Path: '/',
              InstanceProfileName: name,
              InstanceProfileId: rng.iamId('AIPA'),
              Arn: `arn:aws:iam::${accountId}:instance-profile/${name}`,
              CreateDate: rng.daysAgo(30, 900),
              Roles: [],
            },
          ],
        }),
      );
    } else if (kind === 'lambda') {
      out.push(
        role(
          `${team}-fn-${n}-role-${rng.hex(8)}`,
          '/service-role/',
          [trust({ Service: 'lambda.amazonaws.com' })],
          [awsManaged('AWSLambdaBasicExecutionRole'), ...attachedCustomer],
          { RolePolicyList: inline, Tags: tags },
        ),
      );
    } else if (kind === 'ecs') {
      out.push(
        role(`${team}-task-${n}`, '/', [trust({ Service: 'ecs-tasks.amazonaws.com' })], [awsManaged('AmazonECSTaskExecutionRolePolicy'), ...attachedCustomer], {
          RolePolicyList: inline,
          Tags: tags,
        }),
      );
    } else if (kind === 'cross-account') {
      const other = String(rng.int(100_000_000_000, 999_999_999_999));
      const external = rng.chance(0.7) ? { StringEquals: { 'sts:ExternalId': rng.hex(24) } } : undefined;
      out.push(
        role(`${team}-vendor-${n}`, '/', [trust({ AWS: `arn:aws:iam::${other}:root` }, 'sts:AssumeRole', external)], [awsManaged('SecurityAudit')], {
          Tags: tags,
        }),
      );
    } else {
      const boundary = rng.chance(0.3)
        ? { PermissionsBoundary: { PermissionsBoundaryType: 'PermissionsBoundaryPolicy' as const, PermissionsBoundaryArn: policies[1]!.Arn } }
        : {};
      out.push(
        role(`${team}-automation-${n}`, '/', [trust({ Service: ['states.amazonaws.com', 'events.amazonaws.com'] })], attachedCustomer, {
          RolePolicyList: inline,
          Tags: tags,
          ...boundary,
        }),
      );
    }
  }
  return out;
}

function users(rng: Rng, accountId: string, count: number, groupNames: string[], policies: ManagedPolicyDetail[]): SyntheticUser[] {
  const out: SyntheticUser[] = [];
  const taken = new Map<string, number>();
  const teamGroups = groupNames.filter((g) => g.startsWith('team-'));
  const customer = (p: ManagedPolicyDetail): AttachedPolicy => ({ PolicyName: p.PolicyName, PolicyArn: p.Arn });
  for (let i = 0; i < count; i++) {
    const service = rng.chance(0.22);
    const team = rng.pick(TEAMS);
    let base = service ? `svc-${rng.pick(SERVICE_PURPOSES)}` : `${rng.pick(FIRST)}.${rng.pick(LAST)}`;
    const seen = taken.get(base) ?? 0;
    taken.set(base, seen + 1);
    if (seen > 0) base = `${base}${seen + 1}`;
    const contractor = !service && rng.chance(0.1);
    const path = service ? '/service/' : contractor ? '/external/' : rng.chance(0.3) ? `/${team}/` : '/';
    const age = rng.int(5, 2500);
    const created = rng.daysAgo(age, age);

    const console = !service && rng.chance(0.88);
    const password = console
      ? { lastChanged: rng.daysAgo(0, Math.min(age, 700)), lastUsed: rng.chance(0.1) ? null : rng.daysAgo(0, Math.min(age, 300)) }
      : null;
    const mfa = console && rng.chance(0.78);
    const keyCount = service
      ? rng.weighted<number>([
          [0, 1],
          [1, 15],
          [2, 4],
        ])
      : rng.weighted<number>([
          [0, 12],
          [1, 6],
          [2, 2],
        ]);
    const accessKeys = Array.from({ length: keyCount }, () => syntheticKey(rng, age));

    const groupList: string[] = [];
    if (service) {
      if (rng.chance(0.6)) groupList.push('ci-systems');
    } else if (contractor) {
      groupList.push('Contractors');
    } else {
      if (rng.chance(0.85))
        groupList.push(
          rng.weighted([
            ['Developers', 6],
            ['ReadOnly', 3],
            ['Administrators', 0.4],
            ['platform-admins', 0.2],
            ['Billing', 0.3],
            ['SecurityAuditors', 0.3],
            ['Support', 0.3],
          ]),
        );
      if (rng.chance(0.6)) groupList.push(`team-${team}`);
      if (console && rng.chance(0.5)) groupList.push('ForceMFA');
    }
    const attached: AttachedPolicy[] = [];
    if (rng.chance(0.15))
      attached.push(
        rng.chance(0.5)
          ? customer(rng.pick(policies.slice(2)))
          : awsManaged(rng.pick(['AmazonS3ReadOnlyAccess', 'ReadOnlyAccess', 'AmazonEC2FullAccess', 'AmazonS3FullAccess'] as const)),
      );
    if (rng.chance(0.004)) attached.push(awsManaged('AdministratorAccess'));
    const inline: PolicyDetail[] = rng.chance(0.08)
      ? [
          {
            PolicyName: rng.pick(['s3-upload', 'allow-assume', 'temp-access', 'debug']),
            PolicyDocument: encodePolicy(
              [{ Effect: 'Allow', Action: rng.pick(['s3:PutObject', 'sts:AssumeRole', 'ec2:*', '*']), Resource: '*' }],
              rng.pick([0, 4] as const),
            ),
          },
        ]
      : [];
    const tags = tagsFor(rng, team);

    out.push({
      detail: {
        Path: path,
        UserName: base,
        UserId: rng.iamId('AIDA'),
        Arn: `arn:aws:iam::${accountId}:user${path}${base}`,
        CreateDate: created,
        UserPolicyList: inline,
        GroupList: [...new Set(groupList)].filter((g) => groupNames.includes(g) || teamGroups.includes(g)),
        AttachedManagedPolicies: attached,
        ...(contractor && rng.chance(0.5)
          ? { PermissionsBoundary: { PermissionsBoundaryType: 'PermissionsBoundaryPolicy' as const, PermissionsBoundaryArn: policies[1]!.Arn } }
          : {}),
        Tags: tags,
      },
      password,
      mfaDevices: mfa
        ? [
            {
              serialNumber: rng.chance(0.8) ? `arn:aws:iam::${accountId}:mfa/${base}` : `GAHT${rng.int(10_000_000, 99_999_999)}`,
              enabled: rng.daysAgo(0, Math.min(age, 600)),
            },
          ]
        : [],
      accessKeys,
    });
  }
  // AWS attaches this policy itself when it finds a user's key in public: a few users per thousand, each with an active key.
  const exposed = out.filter((u) => u.accessKeys.some((k) => k.active));
  for (const user of rng.sample(exposed, Math.max(1, Math.round(count / 300)))) {
    user.detail.AttachedManagedPolicies!.push(awsManaged('AWSCompromisedKeyQuarantineV2'));
    user.detail.Tags!.push({ Key: 'SecurityIncident', Value: `INC-${rng.int(1000, 9999)}` });
  }
  return out;
}

/** Fills AttachmentCount / PermissionsBoundaryUsageCount the way IAM reports them. */
function countAttachments(iam: Pick<IamData, 'users' | 'groups' | 'roles' | 'policies'>): void {
  const byArn = new Map(iam.policies.map((p) => [p.Arn!, p]));
  const attachedLists = [
    ...iam.users.map((u) => u.detail.AttachedManagedPolicies),
    ...iam.groups.map((g) => g.AttachedManagedPolicies),
    ...iam.roles.map((r) => r.AttachedManagedPolicies),
  ];
  for (const list of attachedLists)
    for (const a of list ?? []) {
      const p = byArn.get(a.PolicyArn!);
      if (p) p.AttachmentCount = (p.AttachmentCount ?? 0) + 1;
    }
  for (const b of [...iam.users.map((u) => u.detail.PermissionsBoundary), ...iam.roles.map((r) => r.PermissionsBoundary)]) {
    const p = b?.PermissionsBoundaryArn ? byArn.get(b.PermissionsBoundaryArn) : undefined;
    if (p) p.PermissionsBoundaryUsageCount = (p.PermissionsBoundaryUsageCount ?? 0) + 1;
  }
}

function awsManagedDetails(rng: Rng, iam: Pick<IamData, 'users' | 'groups' | 'roles'>): ManagedPolicyDetail[] {
  const used = new Set<string>();
  const lists = [
    ...iam.users.map((u) => u.detail.AttachedManagedPolicies),
    ...iam.groups.map((g) => g.AttachedManagedPolicies),
    ...iam.roles.map((r) => r.AttachedManagedPolicies),
  ];
  for (const list of lists) for (const a of list ?? []) if (a.PolicyArn?.startsWith('arn:aws:iam::aws:policy/')) used.add(a.PolicyArn);
  const names = new Map(Object.entries(AWS_MANAGED).map(([name, arn]) => [arn as string, name as AwsManagedName]));
  return [...used].sort().map((arn) => {
    const name = names.get(arn);
    const statements: Statement[] = name ? awsManagedDocument(name) : [{ Effect: 'Allow', Action: 'iam:GetRole', Resource: '*' }];
    return {
      PolicyName: arn.split('/').pop(),
      PolicyId: rng.iamId('ANPA'),
      Arn: arn,
      Path: arn.slice('arn:aws:iam::aws:policy'.length, arn.lastIndexOf('/') + 1),
      DefaultVersionId: 'v1',
      AttachmentCount: 1,
      PermissionsBoundaryUsageCount: 0,
      IsAttachable: true,
      CreateDate: new Date('2015-02-06T18:39:46Z'),
      UpdateDate: new Date('2024-06-01T00:00:00Z'),
      PolicyVersionList: [{ Document: encodePolicy(statements), VersionId: 'v1', IsDefaultVersion: true, CreateDate: new Date('2024-06-01T00:00:00Z') }],
    };
  });
}

function serverCertificates(rng: Rng, accountId: string, count: number): ServerCertificateMetadata[] {
  // Days until expiry: one long expired, one about to expire, the rest fine.
  const expiries = [-45, 12, 200, 380, 700, 90, -400, 25];
  return Array.from({ length: count }, (_, i) => {
    const name = `${rng.pick(['www', 'api', 'legacy', 'partner', 'internal'])}-example-com-${2020 + i}`;
    const expiresIn = expiries[i % expiries.length]!;
    return {
      Path: i % 3 === 0 ? '/cloudfront/' : '/',
      ServerCertificateName: name,
      ServerCertificateId: rng.iamId('ASCA'),
      Arn: `arn:aws:iam::${accountId}:server-certificate${i % 3 === 0 ? '/cloudfront/' : '/'}${name}`,
      UploadDate: new Date(NOW.getTime() + (expiresIn - 395) * DAY_MS),
      Expiration: new Date(NOW.getTime() + expiresIn * DAY_MS),
    };
  });
}

function iamData(rng: Rng, spec: IamSpec): IamData {
  const policies = customerPolicies(rng.fork('policies'), spec.accountId, spec.customerPolicies);
  const groupList = groups(rng.fork('groups'), spec.accountId, policies);
  const roleList = roles(rng.fork('roles'), spec.accountId, spec.roles, policies);
  const userList = users(
    rng.fork('users'),
    spec.accountId,
    spec.users,
    groupList.map((g) => g.GroupName!),
    policies,
  );
  const data = { users: userList, groups: groupList, roles: roleList, policies };
  countAttachments(data);
  return {
    ...data,
    root: { mfa: spec.rootMfa, passwordLastUsed: rng.daysAgo(120, 400), accessKeys: [] },
    awsManagedPolicies: awsManagedDetails(rng.fork('aws-managed'), data),
    serverCertificates: serverCertificates(rng.fork('certificates'), spec.accountId, spec.serverCertificates),
    passwordPolicy: spec.passwordPolicy
      ? {
          MinimumPasswordLength: 8,
          RequireSymbols: true,
          RequireNumbers: true,
          RequireUppercaseCharacters: true,
          RequireLowercaseCharacters: false,
          AllowUsersToChangePassword: true,
          ExpirePasswords: true,
          MaxPasswordAge: 90,
          PasswordReusePrevention: 5,
          HardExpiry: false,
        }
      : null,
    reportReadyAfterCalls: 2,
  };
}

// ---------------------------------------------------------------- credential report

export const REPORT_COLUMNS = CREDENTIAL_REPORT_COLUMNS;

/** The report's date format: 2024-05-01T09:30:12+00:00. */
function reportTime(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, '+00:00');
}

function keyCells(key: SyntheticAccessKey | undefined): string[] {
  if (!key) return ['false', 'N/A', 'N/A', 'N/A', 'N/A'];
  return [
    String(key.active),
    reportTime(key.created),
    key.lastUsed ? reportTime(key.lastUsed.date) : 'N/A',
    key.lastUsed?.region ?? 'N/A',
    key.lastUsed?.service ?? 'N/A',
  ];
}

/** The CSV GetCredentialReport returns for this account, as AWS writes it. */
export function credentialReportCsv(account: SyntheticAccount, rootCreated = new Date('2018-03-01T10:00:00Z')): string {
  const { root } = account.iam;
  const lines: string[] = [REPORT_COLUMNS.join(',')];
  lines.push(
    [
      '<root_account>',
      `arn:aws:iam::${account.accountId}:root`,
      reportTime(rootCreated),
      'not_supported',
      root.passwordLastUsed ? reportTime(root.passwordLastUsed) : 'no_information',
      'not_supported',
      'not_supported',
      String(root.mfa),
      ...keyCells(root.accessKeys[0]),
      ...keyCells(root.accessKeys[1]),
      'false',
      'N/A',
      'false',
      'N/A',
    ].join(','),
  );
  for (const u of account.iam.users) {
    const p = u.password;
    lines.push(
      [
        u.detail.UserName!,
        u.detail.Arn!,
        reportTime(u.detail.CreateDate!),
        String(Boolean(p)),
        p ? (p.lastUsed ? reportTime(p.lastUsed) : 'no_information') : 'N/A',
        p ? reportTime(p.lastChanged) : 'N/A',
        p && account.iam.passwordPolicy?.ExpirePasswords
          ? reportTime(new Date(p.lastChanged.getTime() + (account.iam.passwordPolicy.MaxPasswordAge ?? 90) * DAY_MS))
          : 'N/A',
        String(u.mfaDevices.length > 0),
        ...keyCells(u.accessKeys[0]),
        ...keyCells(u.accessKeys[1]),
        'false',
        'N/A',
        'false',
        'N/A',
      ].join(','),
    );
  }
  return lines.join('\n');
}

// ---------------------------------------------------------------- EC2

function ipv4(rng: Rng): string {
  return `${rng.int(3, 223)}.${rng.int(0, 255)}.${rng.int(0, 255)}.${rng.int(1, 254)}`;
}

function tcp(port: number, toPort: number, cidrs: string[], ipv6: string[] = []): IpPermission {
  return {
    IpProtocol: 'tcp',
    FromPort: port,
    ToPort: toPort,
    IpRanges: cidrs.map((c) => ({ CidrIp: c })),
    Ipv6Ranges: ipv6.map((c) => ({ CidrIpv6: c })),
    PrefixListIds: [],
    UserIdGroupPairs: [],
  };
}

function fromGroup(groupId: string, accountId: string, protocol = '-1', port?: number): IpPermission {
  return {
    IpProtocol: protocol,
    ...(port !== undefined ? { FromPort: port, ToPort: port } : {}),
    IpRanges: [],
    Ipv6Ranges: [],
    PrefixListIds: [],
    UserIdGroupPairs: [{ GroupId: groupId, UserId: accountId }],
  };
}

const ALL_EGRESS: IpPermission = { IpProtocol: '-1', IpRanges: [{ CidrIp: '0.0.0.0/0' }], Ipv6Ranges: [], PrefixListIds: [], UserIdGroupPairs: [] };

/** Ingress rules of one non-default group: mostly private, some open to the world on risky ports. */
function ingressRules(rng: Rng, accountId: string, peers: string[], vpcCidr: string): IpPermission[] {
  const profile = rng.weighted<string>([
    ['web', 20],
    ['alb', 10],
    ['app', 25],
    ['db', 15],
    ['ssh-world', 6],
    ['rdp-world', 3],
    ['wide-open', 2],
    ['db-world', 2],
    ['icmp', 4],
    ['ssh-office', 8],
    ['empty', 5],
  ]);
  const office = `${ipv4(rng)}/32`;
  switch (profile) {
    case 'web':
      return [tcp(443, 443, ['0.0.0.0/0'], ['::/0']), ...(rng.chance(0.6) ? [tcp(80, 80, ['0.0.0.0/0'], ['::/0'])] : [])];
    case 'alb':
      return [tcp(443, 443, ['0.0.0.0/0'])];
    case 'app':
      return [peers.length ? fromGroup(rng.pick(peers), accountId, 'tcp', rng.pick([8080, 3000, 9000])) : tcp(8080, 8080, [vpcCidr])];
    case 'db':
      return [tcpPort(rng.pick([5432, 3306, 6379, 27017]), [vpcCidr])];
    case 'ssh-world':
      return [tcpPort(22, ['0.0.0.0/0'], rng.chance(0.3) ? ['::/0'] : [])];
    case 'rdp-world':
      return [tcpPort(3389, ['0.0.0.0/0'])];
    case 'wide-open':
      return [{ IpProtocol: '-1', IpRanges: [{ CidrIp: '0.0.0.0/0', Description: 'temporary' }], Ipv6Ranges: [], PrefixListIds: [], UserIdGroupPairs: [] }];
    case 'db-world':
      return [tcpPort(rng.pick([5432, 3306, 1433, 9200]), ['0.0.0.0/0'])];
    case 'icmp':
      return [
        { IpProtocol: 'icmp', FromPort: -1, ToPort: -1, IpRanges: [{ CidrIp: '0.0.0.0/0' }], Ipv6Ranges: [], PrefixListIds: [], UserIdGroupPairs: [] },
        tcpPort(22, [vpcCidr]),
      ];
    case 'ssh-office':
      return [
        { ...tcpPort(22, [office]), IpRanges: [{ CidrIp: office, Description: 'office VPN' }] },
        { ...tcp(1024, 65535, ['10.0.0.0/8']), PrefixListIds: [{ PrefixListId: `pl-${rng.hex(8)}` }] },
      ];
    default:
      return [];
  }
}

function tcpPort(port: number, cidrs: string[], ipv6: string[] = []): IpPermission {
  return tcp(port, port, cidrs, ipv6);
}

function securityGroups(rng: Rng, accountId: string, region: string, count: number, vpcs: Vpc[]): SecurityGroup[] {
  const out: SecurityGroup[] = [];
  const arn = (id: string) => `arn:aws:ec2:${region}:${accountId}:security-group/${id}`;
  for (const vpc of vpcs) {
    if (out.length >= count) break;
    const id = `sg-${rng.hex(17)}`;
    // A default group whose rules were never tightened: self-referencing ingress, all egress.
    out.push({
      GroupId: id,
      GroupName: 'default',
      Description: 'default VPC security group',
      OwnerId: accountId,
      VpcId: vpc.VpcId,
      SecurityGroupArn: arn(id),
      IpPermissions: rng.chance(0.8) ? [fromGroup(id, accountId)] : [],
      IpPermissionsEgress: [ALL_EGRESS],
      Tags: [],
    });
  }
  const prefixes = ['web', 'api', 'db', 'cache', 'bastion', 'launch-wizard', 'k8s-node', 'alb', 'worker', 'vpn'];
  while (out.length < count) {
    const vpc = rng.pick(vpcs);
    const id = `sg-${rng.hex(17)}`;
    const peers = out
      .filter((g) => g.VpcId === vpc.VpcId)
      .slice(-5)
      .map((g) => g.GroupId!);
    const name = `${rng.pick(prefixes)}-${out.length}`;
    const tags: Ec2Tag[] = rng.chance(0.6) ? [{ Key: 'Name', Value: name }, ...(rng.chance(0.5) ? [{ Key: 'Owner', Value: rng.pick(TEAMS) }] : [])] : [];
    out.push({
      GroupId: id,
      GroupName: name,
      Description: rng.chance(0.2) ? `launch-wizard created ${NOW.toISOString().slice(0, 10)}` : `${name} security group`,
      OwnerId: accountId,
      VpcId: vpc.VpcId,
      SecurityGroupArn: arn(id),
      IpPermissions: ingressRules(rng, accountId, peers, vpc.CidrBlock ?? '10.0.0.0/16'),
      IpPermissionsEgress: rng.chance(0.9) ? [ALL_EGRESS] : [tcpPort(443, ['0.0.0.0/0'])],
      Tags: tags,
    });
  }
  return out;
}

function vpcsFor(rng: Rng, accountId: string, custom: number): Vpc[] {
  const vpc = (cidr: string, isDefault: boolean): Vpc => ({
    VpcId: `vpc-${rng.hex(17)}`,
    CidrBlock: cidr,
    State: 'available',
    IsDefault: isDefault,
    OwnerId: accountId,
    InstanceTenancy: 'default',
    DhcpOptionsId: `dopt-${rng.hex(17)}`,
    CidrBlockAssociationSet: [{ AssociationId: `vpc-cidr-assoc-${rng.hex(17)}`, CidrBlock: cidr, CidrBlockState: { State: 'associated' } }],
    Tags: isDefault ? [] : [{ Key: 'Name', Value: `${rng.pick(TEAMS)}-vpc` }],
  });
  return [vpc('172.31.0.0/16', true), ...Array.from({ length: custom }, (_, i) => vpc(`10.${i * 16}.0.0/16`, false))];
}

type DatabaseData = Pick<
  RegionalData,
  'dbInstances' | 'dbClusters' | 'dbSnapshots' | 'clusterSnapshots' | 'snapshotRestore' | 'fileSystems' | 'kmsKeys' | 'kmsAliases' | 'kmsRotation'
>;

const NO_DATABASES: DatabaseData = {
  dbInstances: [],
  dbClusters: [],
  dbSnapshots: [],
  clusterSnapshots: [],
  snapshotRestore: {},
  fileSystems: [],
  kmsKeys: [],
  kmsAliases: [],
  kmsRotation: {},
};

type LoadBalancerData = Pick<RegionalData, 'loadBalancers' | 'listeners' | 'loadBalancerTags' | 'classicLoadBalancers' | 'classicPolicies'>;

const NO_LOAD_BALANCERS: LoadBalancerData = { loadBalancers: [], listeners: {}, loadBalancerTags: {}, classicLoadBalancers: [], classicPolicies: {} };

export function emptyRegion(): RegionalData {
  return {
    securityGroups: [],
    vpcs: [],
    reservations: [],
    volumes: [],
    snapshots: [],
    flowLogs: [],
    ebsEncryptionByDefault: false,
    networkAcls: [],
    networkInterfaces: [],
    publicSnapshotIds: [],
    snapshotBlockPublicAccess: 'unblocked',
    ...NO_DATABASES,
    ...NO_LOAD_BALANCERS,
  };
}

interface RegionSpec {
  securityGroups: number;
  customVpcs: number;
  instances: number;
  snapshots: number;
  /** DB instances, manual RDS snapshots (DB and cluster), EFS file systems, KMS keys; none when absent. */
  databases?: { instances: number; snapshots: number; fileSystems: number; keys: number };
  /** Load balancers, one in ten of them Classic; none when absent. */
  loadBalancers?: number;
}

function regionalData(rng: Rng, accountId: string, region: string, spec: RegionSpec): RegionalData {
  const vpcs = vpcsFor(rng, accountId, spec.customVpcs);
  const groups = securityGroups(rng, accountId, region, spec.securityGroups, vpcs);
  const azs = ['a', 'b', 'c'].map((z) => `${region}${z}`);
  const volumes: Volume[] = [];
  const reservations: Reservation[] = [];
  for (let i = 0; i < spec.instances; i++) {
    const vpc = rng.pick(vpcs);
    const sgs = rng.sample(
      groups.filter((g) => g.VpcId === vpc.VpcId),
      rng.int(1, 2),
    );
    const instanceId = `i-${rng.hex(17)}`;
    const az = rng.pick(azs);
    const launched = rng.daysAgo(1, 900);
    const volumeId = `vol-${rng.hex(17)}`;
    const running = rng.chance(0.8);
    const instance: Instance = {
      InstanceId: instanceId,
      ImageId: `ami-${rng.hex(17)}`,
      InstanceType: rng.pick(['t3.micro', 't3.medium', 'm6i.large', 'c6g.xlarge', 'r6i.2xlarge'] as const),
      LaunchTime: launched,
      State: running ? { Code: 16, Name: 'running' } : { Code: 80, Name: 'stopped' },
      Placement: { AvailabilityZone: az, Tenancy: 'default' },
      PrivateIpAddress: `10.0.${rng.int(0, 255)}.${rng.int(1, 254)}`,
      ...(running && rng.chance(0.3) ? { PublicIpAddress: ipv4(rng) } : {}),
      VpcId: vpc.VpcId,
      SubnetId: `subnet-${rng.hex(17)}`,
      SecurityGroups: sgs.map((g) => ({ GroupId: g.GroupId, GroupName: g.GroupName })),
      ...(rng.chance(0.6) ? { IamInstanceProfile: { Arn: `arn:aws:iam::${accountId}:instance-profile/app-${i}`, Id: rng.iamId('AIPA') } } : {}),
      MetadataOptions: {
        State: 'applied',
        HttpTokens: rng.chance(0.6) ? 'required' : 'optional',
        HttpPutResponseHopLimit: rng.pick([1, 2]),
        HttpEndpoint: 'enabled',
      },
      BlockDeviceMappings: [{ DeviceName: '/dev/xvda', Ebs: { VolumeId: volumeId, Status: 'attached', AttachTime: launched, DeleteOnTermination: true } }],
      Tags: [{ Key: 'Name', Value: `app-${i}` }, ...(rng.chance(0.5) ? [{ Key: 'Owner', Value: rng.pick(TEAMS) }] : [])],
    };
    reservations.push({ ReservationId: `r-${rng.hex(17)}`, OwnerId: accountId, Groups: [], Instances: [instance] });
    volumes.push(
      volume(rng, volumeId, az, launched, {
        InstanceId: instanceId,
        Device: '/dev/xvda',
        State: 'attached',
        VolumeId: volumeId,
        AttachTime: launched,
        DeleteOnTermination: true,
      }),
    );
  }
  for (let i = 0; i < Math.ceil(spec.instances / 3); i++) volumes.push(volume(rng, `vol-${rng.hex(17)}`, rng.pick(azs), rng.daysAgo(10, 700)));
  const snapshots: Snapshot[] = Array.from({ length: spec.snapshots }, () => {
    const source = rng.pick(volumes.length ? volumes : [volume(rng, `vol-${rng.hex(17)}`, azs[0]!, NOW)]);
    return {
      SnapshotId: `snap-${rng.hex(17)}`,
      VolumeId: source.VolumeId,
      VolumeSize: source.Size,
      State: 'completed',
      Progress: '100%',
      StartTime: rng.daysAgo(1, 500),
      OwnerId: accountId,
      Encrypted: source.Encrypted,
      Description: rng.chance(0.5) ? 'Created by CreateImage' : 'nightly backup',
      StorageTier: 'standard',
    };
  });
  const flowLogs: FlowLog[] = vpcs
    .filter((v) => !v.IsDefault && rng.chance(0.5))
    .map((v) => ({
      FlowLogId: `fl-${rng.hex(17)}`,
      ResourceId: v.VpcId,
      TrafficType: 'ALL',
      LogDestinationType: 'cloud-watch-logs',
      LogGroupName: `/vpc/flow-logs/${v.VpcId}`,
      FlowLogStatus: 'ACTIVE',
      DeliverLogsStatus: 'SUCCESS',
      CreationTime: rng.daysAgo(30, 600),
      MaxAggregationInterval: 600,
    }));
  const networkInterfaces: NetworkInterface[] = reservations.flatMap((r) =>
    (r.Instances ?? []).map((i) => eni(rng, i.SubnetId!, i.VpcId!, i.SecurityGroups ?? [], { InstanceId: i.InstanceId!, owner: accountId })),
  );
  // Load balancers and endpoints use groups too: a quarter of the remaining groups are attached to something.
  for (const g of groups.filter((g) => g.GroupName !== 'default' && rng.chance(0.25))) {
    networkInterfaces.push(eni(rng, `subnet-${rng.hex(17)}`, g.VpcId!, [{ GroupId: g.GroupId, GroupName: g.GroupName }]));
  }
  const data = {
    securityGroups: groups,
    vpcs,
    reservations,
    volumes,
    snapshots,
    flowLogs,
    ebsEncryptionByDefault: rng.chance(0.4),
    networkAcls: vpcs.flatMap((v) => networkAcls(rng, accountId, v)),
    networkInterfaces,
    publicSnapshotIds: snapshots.filter(() => rng.chance(0.05)).map((s) => s.SnapshotId!),
    snapshotBlockPublicAccess: rng.weighted([
      ['unblocked', 6],
      ['block-new-sharing', 2],
      ['block-all-sharing', 2],
    ] as const),
  };
  // Forked last: the EC2 data stays what it was before databases were modelled.
  return {
    ...data,
    ...(spec.databases ? databaseData(rng.fork('databases'), accountId, region, groups, spec.databases) : NO_DATABASES),
    ...(spec.loadBalancers ? loadBalancerData(rng.fork('load-balancers'), accountId, region, groups, spec.loadBalancers) : NO_LOAD_BALANCERS),
  };
}

// ---------------------------------------------------------------- load balancers, Route 53, CloudFront

const V2_POLICIES = [
  ['ELBSecurityPolicy-TLS13-1-2-2021-06', 6],
  ['ELBSecurityPolicy-2016-08', 3],
  ['ELBSecurityPolicy-TLS-1-0-2015-04', 1],
] as const;

function loadBalancerData(rng: Rng, accountId: string, region: string, groups: SecurityGroup[], count: number): LoadBalancerData {
  const data: LoadBalancerData = { loadBalancers: [], listeners: {}, loadBalancerTags: {}, classicLoadBalancers: [], classicPolicies: {} };
  const vpcIds = [...new Set(groups.map((g) => g.VpcId!))];
  const groupsIn = (vpc: string) =>
    rng
      .sample(
        groups.filter((g) => g.VpcId === vpc),
        rng.int(1, 2),
      )
      .map((g) => g.GroupId!);
  for (let i = 0; i < count; i++) {
    const name = `${rng.pick(TEAMS)}-${i}`;
    const vpc = rng.pick(vpcIds);
    const scheme = rng.chance(0.6) ? 'internet-facing' : 'internal';
    if (i % 10 === 9) {
      const secure = rng.chance(0.7);
      const policy = `${name}-tls`;
      data.classicLoadBalancers.push({
        LoadBalancerName: name,
        DNSName: `${name}-${rng.int(1e8, 1e9 - 1)}.${region}.elb.amazonaws.com`,
        Scheme: scheme,
        VPCId: vpc,
        SecurityGroups: groupsIn(vpc),
        ListenerDescriptions: [
          { Listener: { Protocol: 'HTTP', LoadBalancerPort: 80, InstanceProtocol: 'HTTP', InstancePort: 8080 }, PolicyNames: [] },
          ...(secure
            ? [
                {
                  Listener: {
                    Protocol: 'HTTPS',
                    LoadBalancerPort: 443,
                    InstanceProtocol: 'HTTP',
                    InstancePort: 8080,
                    SSLCertificateId: `arn:aws:acm:${region}:${accountId}:certificate/${rng.hex(8)}`,
                  },
                  PolicyNames: [policy],
                },
              ]
            : []),
        ],
        Instances: [],
        CreatedTime: rng.daysAgo(30, 2000),
      });
      if (secure) {
        const on = rng.chance(0.3) ? ['TLSv1', 'TLSv1.1', 'TLSv1.2'] : ['TLSv1.2'];
        data.classicPolicies[name] = [
          {
            PolicyName: policy,
            PolicyTypeName: 'SSLNegotiationPolicyType',
            PolicyAttributeDescriptions: ['SSLv3', 'TLSv1', 'TLSv1.1', 'TLSv1.2'].map((p) => ({
              AttributeName: `Protocol-${p}`,
              AttributeValue: String(on.includes(p)),
            })),
          },
        ];
      }
      continue;
    }
    const network = rng.chance(0.2);
    const arn = `arn:aws:elasticloadbalancing:${region}:${accountId}:loadbalancer/${network ? 'net' : 'app'}/${name}/${rng.hex(16)}`;
    data.loadBalancers.push({
      LoadBalancerArn: arn,
      DNSName: `${name}-${rng.int(1e8, 1e9 - 1)}.${region}.elb.amazonaws.com`,
      LoadBalancerName: name,
      Scheme: scheme,
      VpcId: vpc,
      State: { Code: 'active' },
      Type: network ? 'network' : 'application',
      SecurityGroups: network && rng.chance(0.5) ? [] : groupsIn(vpc),
      IpAddressType: 'ipv4',
      CreatedTime: rng.daysAgo(30, 1500),
    });
    const listener = (port: number, protocol: Listener['Protocol'], redirect: boolean): Listener => ({
      ListenerArn: `${arn.replace(':loadbalancer/', ':listener/')}/${rng.hex(16)}`,
      LoadBalancerArn: arn,
      Port: port,
      Protocol: protocol,
      ...(protocol === 'HTTPS' || protocol === 'TLS'
        ? { SslPolicy: rng.weighted(V2_POLICIES), Certificates: [{ CertificateArn: `arn:aws:acm:${region}:${accountId}:certificate/${rng.hex(8)}` }] }
        : {}),
      DefaultActions: redirect
        ? [{ Type: 'redirect', Order: 1, RedirectConfig: { Protocol: 'HTTPS', Port: '443', StatusCode: 'HTTP_301' } }]
        : [{ Type: 'forward', Order: 1, TargetGroupArn: `arn:aws:elasticloadbalancing:${region}:${accountId}:targetgroup/${name}/${rng.hex(16)}` }],
    });
    data.listeners[arn] = network ? [listener(443, 'TLS', false)] : [listener(80, 'HTTP', rng.chance(0.7)), listener(443, 'HTTPS', false)];
    data.loadBalancerTags[arn] = [{ Key: 'Name', Value: name }, ...(rng.chance(0.6) ? [{ Key: 'Owner', Value: rng.pick(TEAMS) }] : [])];
  }
  return data;
}

/** `count` public zones (one private one besides) of `records` record sets each: web names, and mail names with SPF and sometimes DMARC. */
function hostedZones(rng: Rng, count: number, records: number): SyntheticZone[] {
  const zones: SyntheticZone[] = [];
  for (let z = 0; z <= count; z++) {
    const isPrivate = z === count;
    const apex = isPrivate ? 'internal.corp.' : `${rng.pick(TEAMS)}${z}.example.com.`;
    const sets: ResourceRecordSet[] = [
      { Name: apex, Type: 'NS', TTL: 172800, ResourceRecords: [1, 2, 3, 4].map((n) => ({ Value: `ns-${rng.int(1, 2047)}.awsdns-${n}.org.` })) },
      { Name: apex, Type: 'SOA', TTL: 900, ResourceRecords: [{ Value: 'ns-1.awsdns-1.org. awsdns-hostmaster.amazon.com. 1 7200 900 1209600 86400' }] },
    ];
    for (let i = 0; sets.length < records; i++) {
      const name = `host-${String(i).padStart(4, '0')}.${apex}`;
      if (rng.chance(0.05)) {
        sets.push({ Name: name, Type: 'MX', TTL: 300, ResourceRecords: [{ Value: `10 inbound-smtp.${rng.pick(['us-east-1', 'eu-west-1'])}.amazonaws.com.` }] });
        if (rng.chance(0.8))
          sets.push({
            Name: name,
            Type: 'TXT',
            TTL: 300,
            ResourceRecords: [{ Value: rng.chance(0.5) ? '"v=spf1 include:amazonses.com -all"' : '"v=spf1 include:_spf.example.net" " ~all"' }],
          });
        if (rng.chance(0.5)) sets.push({ Name: `_dmarc.${name}`, Type: 'TXT', TTL: 300, ResourceRecords: [{ Value: '"v=DMARC1; p=quarantine"' }] });
      } else if (rng.chance(0.3)) sets.push({ Name: name, Type: 'CNAME', TTL: 60, ResourceRecords: [{ Value: `d${rng.hex(13)}.cloudfront.net.` }] });
      else sets.push({ Name: name, Type: 'A', TTL: 60, ResourceRecords: [{ Value: ipv4(rng) }] });
    }
    // Route 53 lists record sets by name (labels right to left), then type.
    const key = (r: ResourceRecordSet) => `${r.Name!.split('.').reverse().join('.')}\u0000${r.Type}`;
    sets.sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
    const id = `Z${rng.chars('0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ', 20)}`;
    zones.push({
      zone: { Id: `/hostedzone/${id}`, Name: apex, CallerReference: rng.hex(12), Config: { PrivateZone: isPrivate }, ResourceRecordSetCount: sets.length },
      records: sets.slice(0, records),
    });
  }
  return zones;
}

/** CloudFront distributions: most on ACM certificates, some on the default one or an IAM certificate, some behaviours still allowing HTTP. */
function distributions(rng: Rng, accountId: string, count: number, iamCertificateIds: string[]): DistributionSummary[] {
  return Array.from({ length: count }, (_, i): DistributionSummary => {
    const id = `E${rng.chars('0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ', 13)}`;
    const certificate = rng.weighted([
      ['acm', 7],
      ['default', 2],
      ['iam', iamCertificateIds.length ? 1 : 0],
    ] as const);
    const origin = `origin-${i}`;
    return {
      Id: id,
      ARN: `arn:aws:cloudfront::${accountId}:distribution/${id}`,
      Status: 'Deployed',
      LastModifiedTime: rng.daysAgo(1, 900),
      DomainName: `d${rng.hex(13)}.cloudfront.net`,
      Aliases: certificate === 'default' ? { Quantity: 0 } : { Quantity: 1, Items: [`site-${i}.example.com`] },
      Origins: {
        Quantity: 1,
        Items: [
          rng.chance(0.5)
            ? { Id: origin, DomainName: `assets-${i}.s3.us-east-1.amazonaws.com`, S3OriginConfig: { OriginAccessIdentity: '' } }
            : {
                Id: origin,
                DomainName: `app-${i}.example.com`,
                CustomOriginConfig: {
                  HTTPPort: 80,
                  HTTPSPort: 443,
                  OriginProtocolPolicy: rng.weighted([
                    ['https-only', 7],
                    ['match-viewer', 2],
                    ['http-only', 1],
                  ] as const),
                  OriginSslProtocols: rng.chance(0.2) ? { Quantity: 2, Items: ['TLSv1', 'TLSv1.2'] } : { Quantity: 1, Items: ['TLSv1.2'] },
                },
              },
        ],
      },
      DefaultCacheBehavior: { TargetOriginId: origin, ViewerProtocolPolicy: rng.chance(0.1) ? 'allow-all' : 'redirect-to-https' },
      CacheBehaviors: { Quantity: 0 },
      CustomErrorResponses: { Quantity: 0 },
      Comment: `site ${i}`,
      PriceClass: 'PriceClass_100',
      Enabled: true,
      ViewerCertificate:
        certificate === 'default'
          ? { CloudFrontDefaultCertificate: true, MinimumProtocolVersion: 'TLSv1', CertificateSource: 'cloudfront' }
          : certificate === 'iam'
            ? { IAMCertificateId: rng.pick(iamCertificateIds), SSLSupportMethod: 'sni-only', MinimumProtocolVersion: 'TLSv1.2_2021', CertificateSource: 'iam' }
            : {
                ACMCertificateArn: `arn:aws:acm:us-east-1:${accountId}:certificate/${rng.hex(8)}`,
                SSLSupportMethod: 'sni-only',
                MinimumProtocolVersion: rng.chance(0.8) ? 'TLSv1.2_2021' : 'TLSv1.2_2019',
                CertificateSource: 'acm',
              },
      Restrictions: { GeoRestriction: { RestrictionType: 'none', Quantity: 0 } },
      WebACLId: '',
      HttpVersion: 'http2',
      IsIPV6Enabled: true,
      Staging: false,
    } as DistributionSummary;
  });
}

// ---------------------------------------------------------------- RDS, EFS, KMS

const ENGINES = [
  ['postgres', '16.3'],
  ['postgres', '13.12'],
  ['mysql', '8.0.35'],
  ['mariadb', '10.11.6'],
] as const;

function databaseData(rng: Rng, accountId: string, region: string, groups: SecurityGroup[], spec: NonNullable<RegionSpec['databases']>): DatabaseData {
  const arn = (type: string, id: string) => `arn:aws:rds:${region}:${accountId}:${type}:${id}`;
  const keyArn = () => `arn:aws:kms:${region}:${accountId}:key/${rng.hex(8)}-${rng.hex(4)}-${rng.hex(4)}-${rng.hex(4)}-${rng.hex(12)}`;
  // A database's groups all belong to one VPC, as AWS requires.
  const vpcIds = [...new Set(groups.map((g) => g.VpcId!))];
  const groupsOf = () => {
    const vpc = rng.pick(vpcIds);
    return rng
      .sample(
        groups.filter((g) => g.VpcId === vpc),
        rng.int(1, 2),
      )
      .map((g) => ({ VpcSecurityGroupId: g.GroupId, Status: 'active' }));
  };
  const tags = (team: string) =>
    rng.chance(0.6) ? [{ Key: 'Owner', Value: team }, ...(rng.chance(0.5) ? [{ Key: 'Environment', Value: rng.pick(['prod', 'staging']) }] : [])] : [];
  const dbInstances: DBInstance[] = [];
  const dbClusters: DBCluster[] = [];
  let n = 0;
  while (dbInstances.length < spec.instances) {
    const team = rng.pick(TEAMS);
    const encrypted = rng.chance(0.85);
    if (spec.instances - dbInstances.length >= 2 && rng.chance(0.1)) {
      // An Aurora cluster of 2-3 members: encryption, backups and deletion protection on the cluster.
      const id = `${team}-aurora-${n++}`;
      const members = Array.from({ length: Math.min(rng.int(2, 3), spec.instances - dbInstances.length) }, (_, m) => `${id}-${m + 1}`);
      const vpcGroups = groupsOf();
      dbClusters.push({
        DBClusterIdentifier: id,
        DBClusterArn: arn('cluster', id),
        Engine: 'aurora-postgresql',
        EngineVersion: '15.4',
        EngineMode: 'provisioned',
        Status: 'available',
        Port: 5432,
        Endpoint: `${id}.cluster-${rng.hex(12)}.${region}.rds.amazonaws.com`,
        BackupRetentionPeriod: rng.pick([1, 7, 14]),
        StorageEncrypted: encrypted,
        ...(encrypted ? { KmsKeyId: keyArn() } : {}),
        DeletionProtection: rng.chance(0.6),
        MultiAZ: true,
        VpcSecurityGroups: vpcGroups,
        TagList: tags(team),
        DBClusterMembers: members.map((m, i) => ({ DBInstanceIdentifier: m, IsClusterWriter: i === 0, PromotionTier: 1 })),
      });
      for (const m of members) {
        dbInstances.push({
          DBInstanceIdentifier: m,
          DBInstanceArn: arn('db', m),
          DBClusterIdentifier: id,
          DBInstanceClass: 'db.r6g.large',
          Engine: 'aurora-postgresql',
          EngineVersion: '15.4',
          DBInstanceStatus: 'available',
          Endpoint: { Address: `${m}.${rng.hex(12)}.${region}.rds.amazonaws.com`, Port: 5432 },
          BackupRetentionPeriod: 1,
          StorageEncrypted: encrypted,
          PubliclyAccessible: rng.chance(0.05),
          AutoMinorVersionUpgrade: rng.chance(0.8),
          DeletionProtection: false,
          VpcSecurityGroups: vpcGroups,
          TagList: tags(team),
          DBSubnetGroup: { DBSubnetGroupName: 'private' },
        });
      }
      continue;
    }
    const [engine, version] = rng.pick(ENGINES);
    const id = `${team}-${engine}-${n++}`;
    const source = rng.chance(0.1) ? dbInstances.find((i) => !i.DBClusterIdentifier && i.Engine === engine) : undefined;
    dbInstances.push({
      DBInstanceIdentifier: id,
      DBInstanceArn: arn('db', id),
      DBInstanceClass: rng.pick(['db.t4g.medium', 'db.m6g.large', 'db.r6g.xlarge']),
      Engine: engine,
      EngineVersion: version,
      DBInstanceStatus: rng.weighted([
        ['available', 20],
        ['stopped', 2],
        ['backing-up', 1],
      ] as const),
      Endpoint: { Address: `${id}.${rng.hex(12)}.${region}.rds.amazonaws.com`, Port: engine === 'postgres' ? 5432 : 3306 },
      BackupRetentionPeriod: source
        ? 0
        : rng.weighted([
            [0, 1],
            [1, 2],
            [7, 6],
            [14, 3],
            [35, 1],
          ] as const),
      StorageEncrypted: encrypted,
      // Emulators and old answers: no KmsKeyId or DBSubnetGroup now and then.
      ...(encrypted && rng.chance(0.9) ? { KmsKeyId: keyArn() } : {}),
      ...(rng.chance(0.9) ? { DBSubnetGroup: { DBSubnetGroupName: rng.pick(['private', 'default']) } } : {}),
      PubliclyAccessible: rng.chance(0.08),
      AutoMinorVersionUpgrade: rng.chance(0.8),
      DeletionProtection: rng.chance(0.5),
      MultiAZ: rng.chance(0.4),
      VpcSecurityGroups: groupsOf(),
      TagList: tags(team),
      ...(source ? { ReadReplicaSourceDBInstanceIdentifier: source.DBInstanceIdentifier } : {}),
    });
  }
  const standalone = dbInstances.filter((i) => !i.DBClusterIdentifier);
  const snapshotRestore: Record<string, string[]> = {};
  // Mostly shared with nobody, some with named accounts, about 3 % public; never an encrypted one (RDS refuses to make it public).
  const restore = (id: string, encrypted: boolean | undefined) => {
    const drawn = rng.weighted([
      [[], 26],
      [['210987654321'], 3],
      [['210987654321', '111122223333'], 1],
      [['all'], 1],
    ] as const);
    const shared = encrypted && (drawn as readonly string[]).includes('all') ? ['210987654321'] : drawn;
    if (shared.length) snapshotRestore[id] = [...shared];
  };
  const dbSnapshots: DBSnapshot[] = [];
  const clusterSnapshots: DBClusterSnapshot[] = [];
  for (let i = 0; i < spec.snapshots; i++) {
    const created = rng.daysAgo(1, 700);
    if (dbClusters.length > 0 && rng.chance(0.2)) {
      const cluster = rng.pick(dbClusters);
      const id = `${cluster.DBClusterIdentifier}-manual-${i}`;
      clusterSnapshots.push({
        DBClusterSnapshotIdentifier: id,
        DBClusterSnapshotArn: arn('cluster-snapshot', id),
        DBClusterIdentifier: cluster.DBClusterIdentifier,
        Engine: cluster.Engine,
        SnapshotType: 'manual',
        Status: 'available',
        StorageEncrypted: cluster.StorageEncrypted,
        SnapshotCreateTime: created,
      });
      restore(id, cluster.StorageEncrypted);
    } else {
      const source = rng.pick(standalone.length ? standalone : dbInstances);
      const id = `${source.DBInstanceIdentifier}-manual-${i}`;
      dbSnapshots.push({
        DBSnapshotIdentifier: id,
        DBSnapshotArn: arn('snapshot', id),
        DBInstanceIdentifier: source.DBInstanceIdentifier,
        Engine: source.Engine,
        SnapshotType: 'manual',
        Status: 'available',
        Encrypted: source.StorageEncrypted,
        SnapshotCreateTime: created,
      });
      restore(id, source.StorageEncrypted);
    }
  }
  // Automated snapshots (one per standalone instance): never listed for SnapshotType manual.
  for (const source of standalone.filter((s) => s.BackupRetentionPeriod)) {
    const id = `rds:${source.DBInstanceIdentifier}-2026-11-22-03-10`;
    dbSnapshots.push({
      DBSnapshotIdentifier: id,
      DBSnapshotArn: arn('snapshot', id),
      DBInstanceIdentifier: source.DBInstanceIdentifier,
      Engine: source.Engine,
      SnapshotType: 'automated',
      Status: 'available',
      Encrypted: source.StorageEncrypted,
      SnapshotCreateTime: NOW,
    });
  }
  const fileSystems: FileSystemDescription[] = Array.from({ length: spec.fileSystems }, (_, i) => {
    const id = `fs-${rng.hex(17)}`;
    const encrypted = rng.chance(0.75);
    return {
      OwnerId: accountId,
      CreationToken: `efs-${i}`,
      FileSystemId: id,
      FileSystemArn: `arn:aws:elasticfilesystem:${region}:${accountId}:file-system/${id}`,
      CreationTime: rng.daysAgo(10, 900),
      LifeCycleState: 'available',
      Name: `${rng.pick(TEAMS)}-shared`,
      NumberOfMountTargets: rng.int(1, 3),
      SizeInBytes: { Value: rng.int(6144, 5e11) },
      PerformanceMode: 'generalPurpose',
      Encrypted: encrypted,
      ...(encrypted ? { KmsKeyId: keyArn() } : {}),
      ThroughputMode: 'elastic',
      Tags: [],
    };
  });
  const kmsKeys: KeyMetadata[] = [];
  const kmsAliases: AliasListEntry[] = [];
  const kmsRotation: Record<string, boolean> = {};
  const AWS_SERVICES = ['ebs', 'rds', 's3', 'lambda', 'secretsmanager', 'elasticfilesystem', 'sns', 'ssm'];
  for (let i = 0; i < spec.keys; i++) {
    const id = `${rng.hex(8)}-${rng.hex(4)}-${rng.hex(4)}-${rng.hex(4)}-${rng.hex(12)}`;
    const kind =
      i < AWS_SERVICES.length
        ? 'aws'
        : rng.weighted([
            ['symmetric', 14],
            ['asymmetric', 2],
            ['hmac', 1],
            ['disabled', 1],
            ['pending', 1],
            ['external', 1],
          ] as const);
    const meta: KeyMetadata = {
      AWSAccountId: accountId,
      KeyId: id,
      Arn: `arn:aws:kms:${region}:${accountId}:key/${id}`,
      CreationDate: rng.daysAgo(30, 1500),
      Enabled: kind !== 'disabled' && kind !== 'pending',
      Description: kind === 'aws' ? `Default key that protects my ${AWS_SERVICES[i]} data when no other key is defined` : `${rng.pick(TEAMS)} data key`,
      KeyUsage: kind === 'asymmetric' ? 'SIGN_VERIFY' : kind === 'hmac' ? 'GENERATE_VERIFY_MAC' : 'ENCRYPT_DECRYPT',
      KeyState: kind === 'disabled' ? 'Disabled' : kind === 'pending' ? 'PendingDeletion' : 'Enabled',
      Origin: kind === 'external' ? 'EXTERNAL' : 'AWS_KMS',
      KeyManager: kind === 'aws' ? 'AWS' : 'CUSTOMER',
      KeySpec: kind === 'asymmetric' ? 'RSA_2048' : kind === 'hmac' ? 'HMAC_256' : 'SYMMETRIC_DEFAULT',
      MultiRegion: false,
      ...(kind === 'pending' ? { DeletionDate: new Date(NOW.getTime() + 7 * DAY_MS), PendingDeletionWindowInDays: 30 } : {}),
    };
    kmsKeys.push(meta);
    if (kind === 'aws')
      kmsAliases.push({
        AliasName: `alias/aws/${AWS_SERVICES[i]}`,
        AliasArn: `arn:aws:kms:${region}:${accountId}:alias/aws/${AWS_SERVICES[i]}`,
        TargetKeyId: id,
      });
    else if (rng.chance(0.7)) {
      const name = `${rng.pick(TEAMS)}-${i}`;
      kmsAliases.push({ AliasName: `alias/${name}`, AliasArn: `arn:aws:kms:${region}:${accountId}:alias/${name}`, TargetKeyId: id });
    }
    if (kind === 'symmetric') kmsRotation[id] = rng.chance(0.6);
  }
  // ListAliases also lists AWS's predefined aliases of services not used yet: no target key.
  for (const service of ['dynamodb', 'redshift', 'kinesis'])
    kmsAliases.push({ AliasName: `alias/aws/${service}`, AliasArn: `arn:aws:kms:${region}:${accountId}:alias/aws/${service}` });
  return { dbInstances, dbClusters, dbSnapshots, clusterSnapshots, snapshotRestore, fileSystems, kmsKeys, kmsAliases, kmsRotation };
}

function eni(
  rng: Rng,
  subnetId: string,
  vpcId: string,
  groups: { GroupId?: string; GroupName?: string }[],
  instance?: { InstanceId: string; owner: string },
): NetworkInterface {
  return {
    NetworkInterfaceId: `eni-${rng.hex(17)}`,
    SubnetId: subnetId,
    VpcId: vpcId,
    InterfaceType: instance ? 'interface' : rng.pick(['interface', 'vpc_endpoint'] as const),
    Status: 'in-use',
    PrivateIpAddress: `10.0.${rng.int(0, 255)}.${rng.int(1, 254)}`,
    Groups: groups.map((g) => ({ GroupId: g.GroupId, GroupName: g.GroupName })),
    ...(instance
      ? { Attachment: { InstanceId: instance.InstanceId, InstanceOwnerId: instance.owner, DeviceIndex: 0, Status: 'attached' as const } }
      : { Description: 'ELB app/web-alb/50dc6c495c0c9188' }),
    RequesterManaged: !instance,
  };
}

/** The VPC's default ACL (allow everything, as AWS creates it) and, in custom VPCs, a tightened one. */
function networkAcls(rng: Rng, accountId: string, vpc: Vpc): NetworkAcl[] {
  const entry = (RuleNumber: number, Egress: boolean, RuleAction: 'allow' | 'deny', extra: Partial<NonNullable<NetworkAcl['Entries']>[number]> = {}) => ({
    RuleNumber,
    Egress,
    RuleAction,
    Protocol: '-1',
    CidrBlock: '0.0.0.0/0',
    ...extra,
  });
  const subnets = (n: number) =>
    Array.from({ length: n }, () => ({ NetworkAclAssociationId: `aclassoc-${rng.hex(17)}`, NetworkAclId: '', SubnetId: `subnet-${rng.hex(17)}` }));
  const acl = (isDefault: boolean, entries: NonNullable<NetworkAcl['Entries']>): NetworkAcl => {
    const id = `acl-${rng.hex(17)}`;
    return {
      NetworkAclId: id,
      VpcId: vpc.VpcId,
      IsDefault: isDefault,
      OwnerId: accountId,
      Entries: entries,
      Associations: subnets(rng.int(0, 3)).map((a) => ({ ...a, NetworkAclId: id })),
      Tags: [],
    };
  };
  const defaultAcl = acl(true, [entry(100, false, 'allow'), entry(32767, false, 'deny'), entry(100, true, 'allow'), entry(32767, true, 'deny')]);
  if (vpc.IsDefault) return [defaultAcl];
  const tight = acl(false, [
    entry(90, false, 'deny', { Protocol: '6', PortRange: { From: 22, To: 22 } }),
    entry(95, false, 'deny', { Protocol: '6', PortRange: { From: 3389, To: 3389 } }),
    entry(100, false, 'allow', { Protocol: '6', PortRange: { From: 443, To: 443 } }),
    entry(110, false, 'allow', { Protocol: '6', PortRange: { From: 1024, To: 65535 } }),
    entry(32767, false, 'deny'),
    entry(100, true, 'allow'),
    entry(32767, true, 'deny'),
  ]);
  return [defaultAcl, tight];
}

function volume(rng: Rng, id: string, az: string, created: Date, attachment?: NonNullable<Volume['Attachments']>[number]): Volume {
  const encrypted = rng.chance(0.6);
  return {
    VolumeId: id,
    Size: rng.pick([8, 20, 50, 100, 500]),
    VolumeType: rng.pick(['gp3', 'gp2', 'io2'] as const),
    Encrypted: encrypted,
    ...(encrypted
      ? { KmsKeyId: `arn:aws:kms:${az.slice(0, -1)}:000000000000:key/${rng.hex(8)}-${rng.hex(4)}-${rng.hex(4)}-${rng.hex(4)}-${rng.hex(12)}` }
      : {}),
    State: attachment ? 'in-use' : 'available',
    CreateTime: created,
    AvailabilityZone: az,
    Attachments: attachment ? [attachment] : [],
    Tags: [],
    MultiAttachEnabled: false,
  };
}

// ---------------------------------------------------------------- S3

function buckets(rng: Rng, accountId: string, regions: string[], count: number): SyntheticBucket[] {
  return Array.from({ length: count }, (_, i) => {
    const team = rng.pick(TEAMS);
    const name = `${team}-${rng.pick(['assets', 'logs', 'backups', 'exports', 'artifacts', 'static-site'])}-${accountId.slice(-4)}-${i}`;
    const isPublicSite = name.includes('static-site') && rng.chance(0.7);
    const blockAll = !isPublicSite && rng.chance(0.8);
    const statements: Statement[] = [
      {
        Sid: 'DenyInsecureTransport',
        Effect: 'Deny',
        Principal: '*',
        Action: 's3:*',
        Resource: [`arn:aws:s3:::${name}`, `arn:aws:s3:::${name}/*`],
        Condition: { Bool: { 'aws:SecureTransport': 'false' } },
      },
    ];
    if (isPublicSite) statements.push({ Sid: 'PublicRead', Effect: 'Allow', Principal: '*', Action: 's3:GetObject', Resource: `arn:aws:s3:::${name}/*` });
    const tags: S3Tag[] = rng.chance(0.6)
      ? [{ Key: 'Owner', Value: team }, ...(rng.chance(0.5) ? [{ Key: 'Environment', Value: rng.pick(['prod', 'staging', 'dev']) }] : [])]
      : [{ Key: 'aws:cloudformation:stack-name', Value: `${team}-stack` }];
    return {
      name,
      region: rng.weighted([[regions[0]!, 5], ...regions.slice(1).map((r) => [r, 1] as const)]),
      created: rng.daysAgo(20, 2500),
      publicAccessBlock: { BlockPublicAcls: blockAll, IgnorePublicAcls: blockAll, BlockPublicPolicy: blockAll, RestrictPublicBuckets: blockAll },
      policy: JSON.stringify({ Version: '2012-10-17', Statement: statements }),
      policyIsPublic: isPublicSite && !blockAll,
      encryption: rng.chance(0.3) ? 'aws:kms' : 'AES256',
      versioning: rng.weighted<'Enabled' | 'Suspended' | undefined>([
        ['Enabled', 5],
        ['Suspended', 1],
        [undefined, 4],
      ]),
      loggingTarget: rng.chance(0.3) ? `${team}-logs-${accountId.slice(-4)}` : undefined,
      ownership: rng.chance(0.85) ? 'BucketOwnerEnforced' : 'ObjectWriter',
      grants: [
        { Grantee: { Type: 'CanonicalUser', ID: `${'c0ffee'.repeat(10)}abcd` }, Permission: 'FULL_CONTROL' },
        // The legacy "public website" setup: a READ grant to everyone, one grant per permission.
        ...(isPublicSite && rng.chance(0.5)
          ? [{ Grantee: { Type: 'Group' as const, URI: 'http://acs.amazonaws.com/groups/global/AllUsers' }, Permission: 'READ' as const }]
          : []),
      ],
      tags,
    };
  });
}

// ---------------------------------------------------------------- the accounts

/** An IAM-heavy account: `users` users, ~200 roles, ~50 customer policies, certificates, a password policy. */
export function iamHeavyAccount(userCount: number, seed = 1): SyntheticAccount {
  const rng = new Rng(seed);
  const accountId = '210987654321';
  return {
    name: `iam-${userCount}`,
    accountId,
    iam: iamData(rng.fork('iam'), {
      accountId,
      users: userCount,
      roles: 200,
      customerPolicies: 50,
      serverCertificates: 6,
      passwordPolicy: true,
      rootMfa: true,
    }),
    regions: regionList([], ['af-south-1', 'me-south-1']),
    regional: {},
    buckets: [],
    accountPublicAccessBlock: null,
    trails: [],
    hostedZones: [],
    distributions: [],
  };
}

/**
 * The IAM account plus 17 enabled regions (2 more not opted in), each with
 * `groupsPerRegion` security groups, `instancesPerRegion` instances, volumes, snapshots, network
 * ACLs and interfaces; 300 buckets across the regions; an organization-style
 * multi-region trail and a regional one.
 */
export function wholeAccount(groupsPerRegion = 300, userCount = 1000, seed = 2, bucketCount = 300, instancesPerRegion = 40): SyntheticAccount {
  const account = iamHeavyAccount(userCount, seed);
  const rng = new Rng(seed).fork('regions');
  const regional: Record<string, RegionalData> = {};
  const enabled = enabledRegions(account);
  for (const region of enabled) {
    regional[region] = regionalData(rng.fork(region), account.accountId, region, {
      securityGroups: groupsPerRegion,
      customVpcs: 3,
      instances: instancesPerRegion,
      snapshots: 20,
      databases: { instances: 200, snapshots: 500, fileSystems: 3, keys: 30 },
      loadBalancers: 50,
    });
  }
  return {
    ...account,
    name: 'whole',
    regional,
    buckets: buckets(rng.fork('buckets'), account.accountId, ['us-east-1', ...enabled.filter((r) => r !== 'us-east-1')], bucketCount),
    accountPublicAccessBlock: { BlockPublicAcls: true, IgnorePublicAcls: false, BlockPublicPolicy: true, RestrictPublicBuckets: false },
    trails: trails(rng.fork('trails'), account.accountId, 'eu-west-1'),
    hostedZones: hostedZones(rng.fork('route53'), 20, 1_000),
    distributions: distributions(
      rng.fork('cloudfront'),
      account.accountId,
      200,
      account.iam.serverCertificates.map((c) => c.ServerCertificateId!),
    ),
  };
}

/** A multi-region trail (home us-east-1, logging management read+write) and a single-region trail without validation or KMS. */
function trails(rng: Rng, accountId: string, regionalHome: string): SyntheticTrail[] {
  const trail = (name: string, home: string, multi: boolean, hardened: boolean): Trail => ({
    Name: name,
    S3BucketName: `cloudtrail-${accountId}-${rng.hex(6)}`,
    IncludeGlobalServiceEvents: multi,
    IsMultiRegionTrail: multi,
    HomeRegion: home,
    TrailARN: `arn:aws:cloudtrail:${home}:${accountId}:trail/${name}`,
    LogFileValidationEnabled: hardened,
    ...(hardened ? { KmsKeyId: `arn:aws:kms:${home}:${accountId}:key/${rng.hex(8)}-${rng.hex(4)}-${rng.hex(4)}-${rng.hex(4)}-${rng.hex(12)}` } : {}),
    ...(hardened
      ? {
          CloudWatchLogsLogGroupArn: `arn:aws:logs:${home}:${accountId}:log-group:cloudtrail:*`,
          CloudWatchLogsRoleArn: `arn:aws:iam::${accountId}:role/CloudTrailToLogs`,
        }
      : {}),
    HasCustomEventSelectors: !multi,
    HasInsightSelectors: false,
    IsOrganizationTrail: false,
  });
  return [
    {
      trail: trail('management-events', 'us-east-1', true, true),
      isLogging: true,
      selectors: [{ ReadWriteType: 'All', IncludeManagementEvents: true, DataResources: [] }],
    },
    {
      trail: trail('app-audit', regionalHome, false, false),
      isLogging: true,
      selectors: [{ ReadWriteType: 'WriteOnly', IncludeManagementEvents: true, DataResources: [] }],
    },
  ];
}

export interface SmallAccountSize {
  users: number;
  /** Opt-in regions that are enabled, on top of the 17 default ones. */
  optedIn: readonly string[];
  buckets: number;
}

/** What `smallAccount()` has: 20 enabled regions, 8 users, 6 buckets. */
const SMALL: SmallAccountSize = { users: 8, optedIn: ['ap-southeast-3', 'eu-central-2', 'eu-south-2'], buckets: 6 };

/** The small account of issue 16's measurements: every one of 25 enabled regions, 16 users, 10 buckets. */
export const TEAM_ACCOUNT: SmallAccountSize = {
  users: 16,
  optedIn: ['ap-east-1', 'ap-south-2', 'ap-southeast-3', 'ap-southeast-4', 'eu-central-2', 'eu-south-1', 'eu-south-2', 'me-central-1'],
  buckets: 10,
};

/** A small team account: a default VPC in every enabled region (20 by default), a handful of users, instances and buckets. */
export function smallAccount(seed = 3, size: SmallAccountSize = SMALL): SyntheticAccount {
  const rng = new Rng(seed);
  const accountId = '345678901234';
  const regions = regionList(size.optedIn, ['af-south-1', 'me-south-1']);
  const account: SyntheticAccount = {
    name: 'small',
    accountId,
    iam: iamData(rng.fork('iam'), {
      accountId,
      users: size.users,
      roles: 12,
      customerPolicies: 4,
      serverCertificates: 0,
      passwordPolicy: false,
      rootMfa: false,
    }),
    regions,
    regional: {},
    buckets: [],
    accountPublicAccessBlock: null,
    trails: [],
    hostedZones: [],
    distributions: [],
  };
  const enabled = enabledRegions(account);
  const busy = new Set(['us-east-1', 'eu-west-1']);
  for (const region of enabled) {
    account.regional[region] = regionalData(
      rng.fork(region),
      accountId,
      region,
      busy.has(region)
        ? {
            securityGroups: 6,
            customVpcs: 1,
            instances: 4,
            snapshots: 2,
            databases: { instances: 3, snapshots: 4, fileSystems: 1, keys: 10 },
            loadBalancers: 3,
          }
        : { securityGroups: 1, customVpcs: 0, instances: 0, snapshots: 0 },
    );
  }
  account.buckets = buckets(rng.fork('buckets'), accountId, ['us-east-1', 'eu-west-1', 'eu-central-1'], size.buckets);
  account.trails = trails(rng.fork('trails'), accountId, 'eu-west-1').slice(1); // only a regional trail: no multi-region one
  account.hostedZones = hostedZones(rng.fork('route53'), 2, 40);
  account.distributions = distributions(rng.fork('cloudfront'), accountId, 3, []);
  return account;
}

/** How many resources an account holds, for the report's header line. */
export function describeAccount(account: SyntheticAccount): string {
  const regional = Object.values(account.regional);
  const sum = (f: (r: RegionalData) => number) => regional.reduce((n, r) => n + f(r), 0);
  const enabled = enabledRegions(account).length;
  const parts = [
    `${account.iam.users.length} users`,
    `${account.iam.roles.length} roles`,
    `${account.iam.groups.length} groups`,
    `${account.iam.policies.length} policies`,
    `${enabled} regions (+${account.regions.length - enabled} not opted in)`,
  ];
  const groups = sum((r) => r.securityGroups.length);
  if (groups) parts.push(`${groups} security groups`);
  const instances = sum((r) => r.reservations.length);
  if (instances) parts.push(`${instances} instances`, `${sum((r) => r.volumes.length)} volumes`);
  const acls = sum((r) => r.networkAcls.length);
  if (acls) parts.push(`${acls} network ACLs`, `${sum((r) => r.networkInterfaces.length)} network interfaces`, `${sum((r) => r.snapshots.length)} snapshots`);
  const databases = sum((r) => r.dbInstances.length);
  if (databases) {
    parts.push(
      `${databases} DB instances`,
      `${sum((r) => r.dbClusters.length)} DB clusters`,
      `${sum((r) => r.dbSnapshots.filter((s) => s.SnapshotType === 'manual').length + r.clusterSnapshots.length)} manual RDS snapshots`,
      `${sum((r) => r.fileSystems.length)} EFS file systems`,
      `${sum((r) => r.kmsKeys.length)} KMS keys`,
    );
  }
  const lbs = sum((r) => r.loadBalancers.length + r.classicLoadBalancers.length);
  if (lbs) parts.push(`${lbs} load balancers`);
  if (account.hostedZones.length)
    parts.push(`${account.hostedZones.length} hosted zones with ${account.hostedZones.reduce((n, z) => n + z.records.length, 0)} record sets`);
  if (account.distributions.length) parts.push(`${account.distributions.length} CloudFront distributions`);
  if (account.buckets.length) parts.push(`${account.buckets.length} buckets`);
  if (account.trails.length) parts.push(`${account.trails.length} trails`);
  return parts.join(', ');
}
