/**
 * The benchmark's fake AWS: one synthetic account (bench/synthetic.ts)
 * answering each call as the real service does. Transport-free: the
 * in-process benchmark (bench/audit.bench.ts) reaches it through SDK mocks,
 * the process benchmark (bench/process.bench.ts) through the HTTP stand-in
 * that speaks each service's protocol (bench/aws-server.ts).
 */
import { readFileSync } from 'node:fs';
import { AssumeRoleCommand } from '@aws-sdk/client-sts';
import { DescribeTrailsCommand, GetEventSelectorsCommand, GetTrailStatusCommand, TrailNotFoundException } from '@aws-sdk/client-cloudtrail';
import {
  DescribeFlowLogsCommand,
  DescribeInstancesCommand,
  DescribeNetworkAclsCommand,
  DescribeNetworkInterfacesCommand,
  DescribeRegionsCommand,
  DescribeSecurityGroupsCommand,
  DescribeSnapshotsCommand,
  DescribeVolumesCommand,
  DescribeVpcsCommand,
  EC2ServiceException,
  GetEbsEncryptionByDefaultCommand,
  GetSnapshotBlockPublicAccessStateCommand,
  type Filter,
} from '@aws-sdk/client-ec2';
import {
  CredentialReportNotPresentException,
  CredentialReportNotReadyException,
  GenerateCredentialReportCommand,
  GetAccessKeyLastUsedCommand,
  GetAccountAuthorizationDetailsCommand,
  GetAccountPasswordPolicyCommand,
  GetAccountSummaryCommand,
  GetCredentialReportCommand,
  GetLoginProfileCommand,
  GetPolicyVersionCommand,
  GetServerCertificateCommand,
  IAMServiceException,
  ListAccessKeysCommand,
  ListAttachedUserPoliciesCommand,
  ListGroupsForUserCommand,
  ListMFADevicesCommand,
  ListPoliciesCommand,
  ListRolesCommand,
  ListServerCertificatesCommand,
  ListUserPoliciesCommand,
  ListUsersCommand,
  NoSuchEntityException,
  type EntityType,
  type ManagedPolicyDetail,
} from '@aws-sdk/client-iam';
import {
  GetBucketAclCommand,
  GetBucketEncryptionCommand,
  GetBucketLocationCommand,
  GetBucketLoggingCommand,
  GetBucketOwnershipControlsCommand,
  GetBucketPolicyCommand,
  GetBucketPolicyStatusCommand,
  GetBucketTaggingCommand,
  GetBucketVersioningCommand,
  GetPublicAccessBlockCommand,
  ListBucketsCommand,
  NoSuchBucket,
  S3ServiceException,
  type BucketLocationConstraint,
} from '@aws-sdk/client-s3';
import { GetPublicAccessBlockCommand as GetAccountPublicAccessBlockCommand, S3ControlServiceException } from '@aws-sdk/client-s3-control';
import {
  DescribeDBClusterSnapshotAttributesCommand,
  DescribeDBClusterSnapshotsCommand,
  DescribeDBClustersCommand,
  DescribeDBInstancesCommand,
  DescribeDBSnapshotAttributesCommand,
  DescribeDBSnapshotsCommand,
  RDSServiceException,
} from '@aws-sdk/client-rds';
import { DescribeFileSystemsCommand, EFSServiceException } from '@aws-sdk/client-efs';
import { DescribeKeyCommand, GetKeyRotationStatusCommand, KMSServiceException, ListAliasesCommand, ListKeysCommand } from '@aws-sdk/client-kms';
import { rotatesAutomatically } from '../src/rules/kms-keys.js';
import { ListDistributionsCommand } from '@aws-sdk/client-cloudfront';
import {
  DescribeLoadBalancerPoliciesCommand,
  DescribeLoadBalancersCommand as DescribeClassicLoadBalancersCommand,
} from '@aws-sdk/client-elastic-load-balancing';
import { DescribeListenersCommand, DescribeLoadBalancersCommand, DescribeTagsCommand } from '@aws-sdk/client-elastic-load-balancing-v2';
import { ListHostedZonesCommand, ListResourceRecordSetsCommand } from '@aws-sdk/client-route-53';
import { NOW, credentialReportCsv, emptyRegion, enabledRegions, type SyntheticAccount, type SyntheticBucket, type SyntheticUser } from './synthetic.js';

const EMPTY_REGION = emptyRegion();
const CERTIFICATE_BODY = readFileSync(new URL('../test/fixtures/certificates/rsa-2048.pem', import.meta.url), 'utf8');

// Handlers are typed per command: its input in, its output out.
export type CommandClass = abstract new (...args: never[]) => { readonly input: object };
export type InputOf<C extends CommandClass> = InstanceType<C>['input'];
export type OutputOf<C extends CommandClass> =
  InstanceType<C> extends { resolveMiddleware(...args: never[]): (...args: never[]) => Promise<{ output: infer O }> } ? Omit<O, '$metadata'> : never;
type Handler<C extends CommandClass> = (input: InputOf<C>, region: string) => OutputOf<C> | Promise<OutputOf<C>>;

let requestCounter = 0;
export function metadata(httpStatusCode: number) {
  return { httpStatusCode, requestId: `bench-${(++requestCounter).toString(16).padStart(8, '0')}`, attempts: 1, totalRetryDelay: 0 };
}

function iamError(name: string, message: string): Error {
  if (name === 'NoSuchEntityException') return new NoSuchEntityException({ message, $metadata: metadata(404) });
  if (name === 'CredentialReportNotReadyException') return new CredentialReportNotReadyException({ message, $metadata: metadata(410) });
  if (name === 'CredentialReportNotPresentException') return new CredentialReportNotPresentException({ message, $metadata: metadata(410) });
  return new IAMServiceException({ name, $fault: 'client', message, $metadata: metadata(400) });
}

function ec2Error(code: string, message: string): Error {
  return new EC2ServiceException({ name: code, $fault: 'client', message, $metadata: metadata(400) });
}

function s3Error(code: string, message: string, status = 400): Error {
  if (code === 'NoSuchBucket') return new NoSuchBucket({ message, $metadata: metadata(404) });
  return new S3ServiceException({ name: code, $fault: 'client', message, $metadata: metadata(status) });
}

function rdsError(code: string, message: string, status = 400): Error {
  return new RDSServiceException({ name: code, $fault: 'client', message, $metadata: metadata(status) });
}

function efsError(code: string, message: string, status = 400): Error {
  return new EFSServiceException({ name: code, $fault: 'client', message, $metadata: metadata(status) });
}

function kmsError(code: string, message: string): Error {
  return new KMSServiceException({ name: code, $fault: 'client', message, $metadata: metadata(400) });
}

/** A mock the fake does not model well enough for a check: fix bench/, not the check. */
function s3ControlError(code: string, message: string, status: number): Error {
  return new S3ControlServiceException({ name: code, $fault: 'client', message, $metadata: metadata(status) });
}

function unsupported(what: string): Error {
  return Object.assign(new Error(`bench mock does not model ${what}; extend bench/fake-aws.ts`), { name: 'BenchMockUnsupported' });
}

/** Opaque pagination tokens, bound to one operation and one audit (AWS rejects a foreign token too). */
class Tokens {
  private static issued = 0;
  private readonly nonce = `t${++Tokens.issued}`;

  encode(operation: string, offset: number): string {
    return Buffer.from(`${this.nonce}:${operation}:${offset}`).toString('base64url');
  }

  decode(operation: string, token: string | undefined, invalid: () => Error): number {
    if (token === undefined) return 0;
    const [nonce, op, offset] = Buffer.from(token, 'base64url').toString().split(':');
    const n = Number(offset);
    if (nonce !== this.nonce || op !== operation || !Number.isInteger(n) || n < 0) throw invalid();
    return n;
  }
}

function globMatch(pattern: string, value: string): boolean {
  if (!/[*?]/.test(pattern)) return pattern === value;
  const re = new RegExp(
    `^${pattern
      .replace(/[.+^${}()|[\]\\]/g, '\\$&')
      .replace(/\*/g, '.*')
      .replace(/\?/g, '.')}$`,
  );
  return re.test(value);
}

type FilterFields<T> = Record<string, (item: T) => readonly (string | undefined)[]>;

/** EC2 `Filters`: AND across filters, OR across one filter's values, * and ? wildcards, tag:<key> and tag-key. */
function applyFilters<T extends object>(items: T[], filters: Filter[] | undefined, fields: FilterFields<T>, operation: string): T[] {
  if (!filters?.length) return items;
  const tagsOf = (item: T) => (item as { Tags?: { Key?: string; Value?: string }[] }).Tags ?? [];
  const predicates = filters.map((f) => {
    const name = f.Name ?? '';
    const values = f.Values ?? [];
    let get: (item: T) => readonly (string | undefined)[];
    if (name.startsWith('tag:'))
      get = (item) =>
        tagsOf(item)
          .filter((t) => t.Key === name.slice(4))
          .map((t) => t.Value);
    else if (name === 'tag-key') get = (item) => tagsOf(item).map((t) => t.Key);
    else if (fields[name]) get = fields[name];
    else throw unsupported(`the ${operation} filter "${name}"`);
    return (item: T) => get(item).some((v) => v !== undefined && values.some((p) => globMatch(p, v)));
  });
  return items.filter((item) => predicates.every((p) => p(item)));
}

function byIds<T>(items: T[], ids: string[] | undefined, idOf: (item: T) => string | undefined, notFound: string, what: string): T[] {
  if (!ids?.length) return items;
  const found = items.filter((item) => ids.includes(idOf(item) ?? ''));
  const missing = ids.filter((id) => !found.some((item) => idOf(item) === id));
  if (missing.length) throw ec2Error(notFound, `The ${what} '${missing.join(', ')}' does not exist`);
  return found;
}

/**
 * One synthetic account's AWS, as a function of each call: answers as the
 * real APIs do (pagination rules, the credential report's states, errors by
 * name). The in-process benchmark serves it through SDK mocks, the process
 * benchmark through the HTTP stand-in (bench/aws-server.ts).
 */
export class FakeAws {
  private readonly tokens = new Tokens();
  private readonly handlers = new Map<string, Handler<CommandClass>>();
  private generateCalls = 0;
  /** Built up front: the fake's own work must not count as the audit's time. */
  private readonly report: Uint8Array;
  private readonly enabled: Set<string>;
  private readonly usersByName: Map<string, SyntheticUser>;
  private readonly bucketsByName: Map<string, SyntheticBucket>;

  constructor(private readonly account: SyntheticAccount) {
    this.enabled = new Set(enabledRegions(account));
    this.usersByName = new Map(account.iam.users.map((u) => [u.detail.UserName!, u]));
    this.bucketsByName = new Map(account.buckets.map((b) => [b.name, b]));
    this.report = new TextEncoder().encode(credentialReportCsv(account));
    this.installIam();
    this.installEc2();
    this.installS3();
    this.installCloudTrail();
    this.installRds();
    this.installEfs();
    this.installKms();
    this.installLoadBalancers();
    this.installEdge();
    this.installSts();
  }

  /** The service of each modelled operation (`iam:ListUsers` → its handler). */
  get operations(): string[] {
    return [...this.handlers.keys()];
  }

  get enabledRegions(): ReadonlySet<string> {
    return this.enabled;
  }

  /**
   * One call, `service:Operation` in `region`: the modelled answer (without
   * `$metadata`), an empty one for an operation nothing models (so checks
   * added later still run), or AWS's error, thrown as the SDK names it.
   * A regional call to a region that is not enabled fails as AWS's does.
   */
  async respond(operation: string, input: object, region: string): Promise<object> {
    const service = operation.slice(0, operation.indexOf(':'));
    if (service !== 'iam' && service !== 'sts' && !this.enabled.has(region)) {
      throw ec2Error('AuthFailure', `AWS was not able to validate the provided access credentials (region ${region} is not enabled for this account)`);
    }
    const handler = this.handlers.get(operation);
    return handler ? await handler(input, region) : {};
  }

  private serve<C extends CommandClass>(service: string, command: C, handler: Handler<C>): void {
    this.handlers.set(`${service}:${command.name.replace(/Command$/, '')}`, handler as Handler<CommandClass>);
  }

  // ------------------------------------------------------------ IAM

  private iamPage<T>(operation: string, items: readonly T[], input: { Marker?: string | undefined; MaxItems?: number | undefined }) {
    const max = input.MaxItems ?? 100;
    if (!Number.isInteger(max) || max < 1 || max > 1000)
      throw iamError(
        'ValidationError',
        `1 validation error detected: Value '${max}' at 'maxItems' failed to satisfy constraint: Member must have value between 1 and 1000`,
      );
    const offset = this.tokens.decode(operation, input.Marker, () => iamError('ValidationError', 'Invalid Marker'));
    const page = items.slice(offset, offset + max);
    const truncated = offset + max < items.length;
    return { page, IsTruncated: truncated, ...(truncated ? { Marker: this.tokens.encode(operation, offset + max) } : {}) };
  }

  private user(name: string | undefined): SyntheticUser {
    // Without a user name IAM means the caller, and an assumed-role session is no user.
    if (!name) throw iamError('ValidationError', 'Must specify userName when calling with non-User credentials');
    const user = this.usersByName.get(name);
    if (!user) throw iamError('NoSuchEntityException', `The user with name ${name} cannot be found.`);
    return user;
  }

  private installIam(): void {
    const { iam } = this.account;
    const accountId = this.account.accountId;

    this.serve('iam', GenerateCredentialReportCommand, () => {
      this.generateCalls++;
      if (this.generateCalls >= iam.reportReadyAfterCalls) return { State: 'COMPLETE' as const };
      if (this.generateCalls === 1) return { State: 'STARTED' as const, Description: 'No report exists. Starting a new report generation task' };
      return { State: 'INPROGRESS' as const, Description: 'Report generation in progress' };
    });
    this.serve('iam', GetCredentialReportCommand, () => {
      if (this.generateCalls === 0) throw iamError('CredentialReportNotPresentException', 'Credential report not present');
      if (this.generateCalls < iam.reportReadyAfterCalls) throw iamError('CredentialReportNotReadyException', 'Credential report is being generated');
      return { Content: this.report, ReportFormat: 'text/csv' as const, GeneratedTime: NOW };
    });

    // One sequence across the four lists: every item, of any kind, counts toward MaxItems.
    type Item = { users: SyntheticUser } | { groups: (typeof iam.groups)[number] } | { roles: (typeof iam.roles)[number] } | { policies: ManagedPolicyDetail };
    const sequences = new Map<string, Item[]>(); // by filter, built once: the fake's own work must stay out of the figures
    this.serve('iam', GetAccountAuthorizationDetailsCommand, (input) => {
      const filter = new Set<EntityType>(input.Filter?.length ? input.Filter : ['User', 'Group', 'Role', 'LocalManagedPolicy', 'AWSManagedPolicy']);
      const key = [...filter].sort().join(',');
      let items = sequences.get(key);
      if (!items) {
        items = [
          ...(filter.has('User') ? iam.users.map((u) => ({ users: u })) : []),
          ...(filter.has('Group') ? iam.groups.map((g) => ({ groups: g })) : []),
          ...(filter.has('Role') ? iam.roles.map((r) => ({ roles: r })) : []),
          ...(filter.has('LocalManagedPolicy') ? iam.policies.map((p) => ({ policies: p })) : []),
          ...(filter.has('AWSManagedPolicy') ? iam.awsManagedPolicies.map((p) => ({ policies: p })) : []),
        ];
        sequences.set(key, items);
      }
      const { page, ...rest } = this.iamPage('GetAccountAuthorizationDetails', items, input);
      return {
        UserDetailList: page.flatMap((i) => ('users' in i ? [i.users.detail] : [])),
        GroupDetailList: page.flatMap((i) => ('groups' in i ? [i.groups] : [])),
        RoleDetailList: page.flatMap((i) => ('roles' in i ? [i.roles] : [])),
        Policies: page.flatMap((i) => ('policies' in i ? [i.policies] : [])),
        ...rest,
      };
    });

    this.serve('iam', ListServerCertificatesCommand, (input) => {
      const certs = iam.serverCertificates.filter((c) => c.Path!.startsWith(input.PathPrefix ?? '/'));
      const { page, ...rest } = this.iamPage('ListServerCertificates', certs, input);
      return { ServerCertificateMetadataList: page, ...rest };
    });
    this.serve('iam', GetAccountPasswordPolicyCommand, () => {
      if (!iam.passwordPolicy) throw iamError('NoSuchEntityException', `The Password Policy with domain name ${accountId} cannot be found.`);
      return { PasswordPolicy: iam.passwordPolicy };
    });

    // Per-user and listing APIs: not what the engine should use at scale, but served so a check that does shows its cost.
    this.serve('iam', ListUsersCommand, (input) => {
      const users = iam.users.map((u) => u.detail).filter((u) => u.Path!.startsWith(input.PathPrefix ?? '/'));
      const { page, ...rest } = this.iamPage('ListUsers', users, input);
      return {
        Users: page.map((u) => ({
          Path: u.Path,
          UserName: u.UserName,
          UserId: u.UserId,
          Arn: u.Arn,
          CreateDate: u.CreateDate,
          PasswordLastUsed: this.usersByName.get(u.UserName!)?.password?.lastUsed ?? undefined,
        })),
        ...rest,
      };
    });
    this.serve('iam', ListAccessKeysCommand, (input) => {
      const user = this.user(input.UserName);
      const { page, ...rest } = this.iamPage(`ListAccessKeys/${user.detail.UserName}`, user.accessKeys, input);
      return {
        AccessKeyMetadata: page.map((k) => ({
          UserName: user.detail.UserName,
          AccessKeyId: k.id,
          Status: k.active ? ('Active' as const) : ('Inactive' as const),
          CreateDate: k.created,
        })),
        ...rest,
      };
    });
    this.serve('iam', GetAccessKeyLastUsedCommand, (input) => {
      for (const user of iam.users) {
        const key = user.accessKeys.find((k) => k.id === input.AccessKeyId);
        if (key) {
          return {
            UserName: user.detail.UserName,
            AccessKeyLastUsed: key.lastUsed
              ? { LastUsedDate: key.lastUsed.date, Region: key.lastUsed.region, ServiceName: key.lastUsed.service }
              : { Region: 'N/A', ServiceName: 'N/A' },
          };
        }
      }
      throw iamError('AccessDenied', `User is not authorized to access key ${input.AccessKeyId ?? ''}`);
    });
    this.serve('iam', ListMFADevicesCommand, (input) => {
      const user = this.user(input.UserName);
      const { page, ...rest } = this.iamPage(`ListMFADevices/${user.detail.UserName}`, user.mfaDevices, input);
      return { MFADevices: page.map((d) => ({ UserName: user.detail.UserName, SerialNumber: d.serialNumber, EnableDate: d.enabled })), ...rest };
    });
    this.serve('iam', GetLoginProfileCommand, (input) => {
      const user = this.user(input.UserName);
      if (!user.password) throw iamError('NoSuchEntityException', `Login Profile for User ${user.detail.UserName} cannot be found.`);
      return { LoginProfile: { UserName: user.detail.UserName, CreateDate: user.password.lastChanged, PasswordResetRequired: false } };
    });
    this.serve('iam', ListAttachedUserPoliciesCommand, (input) => {
      const user = this.user(input.UserName);
      const { page, ...rest } = this.iamPage(`ListAttachedUserPolicies/${user.detail.UserName}`, user.detail.AttachedManagedPolicies ?? [], input);
      return { AttachedPolicies: page, ...rest };
    });
    this.serve('iam', ListUserPoliciesCommand, (input) => {
      const user = this.user(input.UserName);
      const { page, ...rest } = this.iamPage(
        `ListUserPolicies/${user.detail.UserName}`,
        (user.detail.UserPolicyList ?? []).map((p) => p.PolicyName!),
        input,
      );
      return { PolicyNames: page, ...rest };
    });
    this.serve('iam', ListGroupsForUserCommand, (input) => {
      const user = this.user(input.UserName);
      const groups = iam.groups.filter((g) => user.detail.GroupList?.includes(g.GroupName!));
      const { page, ...rest } = this.iamPage(`ListGroupsForUser/${user.detail.UserName}`, groups, input);
      return { Groups: page.map((g) => ({ Path: g.Path, GroupName: g.GroupName, GroupId: g.GroupId, Arn: g.Arn, CreateDate: g.CreateDate })), ...rest };
    });
    this.serve('iam', ListRolesCommand, (input) => {
      const roles = iam.roles.filter((r) => r.Path!.startsWith(input.PathPrefix ?? '/'));
      const { page, ...rest } = this.iamPage('ListRoles', roles, input);
      return {
        Roles: page.map((r) => ({
          Path: r.Path,
          RoleName: r.RoleName,
          RoleId: r.RoleId,
          Arn: r.Arn,
          CreateDate: r.CreateDate,
          AssumeRolePolicyDocument: r.AssumeRolePolicyDocument,
          MaxSessionDuration: 3600,
        })),
        ...rest,
      };
    });
    this.serve('iam', ListPoliciesCommand, (input) => {
      const scope = input.Scope ?? 'All';
      let policies = [...(scope !== 'AWS' ? iam.policies : []), ...(scope !== 'Local' ? iam.awsManagedPolicies : [])];
      if (input.OnlyAttached) policies = policies.filter((p) => (p.AttachmentCount ?? 0) > 0);
      const { page, ...rest } = this.iamPage('ListPolicies', policies, input);
      return {
        Policies: page.map((p) => ({
          PolicyName: p.PolicyName,
          PolicyId: p.PolicyId,
          Arn: p.Arn,
          Path: p.Path,
          DefaultVersionId: p.DefaultVersionId,
          AttachmentCount: p.AttachmentCount,
          PermissionsBoundaryUsageCount: p.PermissionsBoundaryUsageCount,
          IsAttachable: p.IsAttachable,
          CreateDate: p.CreateDate,
          UpdateDate: p.UpdateDate,
        })),
        ...rest,
      };
    });
    this.serve('iam', GetPolicyVersionCommand, (input) => {
      const policy = [...iam.policies, ...iam.awsManagedPolicies].find((p) => p.Arn === input.PolicyArn);
      const version = policy?.PolicyVersionList?.find((v) => v.VersionId === input.VersionId);
      if (!version)
        throw iamError('NoSuchEntityException', `Policy ${input.PolicyArn ?? ''} version ${input.VersionId ?? ''} does not exist or is not attachable.`);
      return { PolicyVersion: version };
    });
    this.serve('iam', GetAccountSummaryCommand, () => {
      const mfaInUse = iam.users.filter((u) => u.mfaDevices.length > 0).length;
      return {
        SummaryMap: {
          Users: iam.users.length,
          Groups: iam.groups.length,
          Roles: iam.roles.length,
          Policies: iam.policies.length,
          ServerCertificates: iam.serverCertificates.length,
          MFADevices: mfaInUse,
          MFADevicesInUse: mfaInUse,
          AccountMFAEnabled: iam.root.mfa ? 1 : 0,
          AccountAccessKeysPresent: iam.root.accessKeys.length > 0 ? 1 : 0,
          AccountSigningCertificatesPresent: 0,
        },
      };
    });
  }

  // ------------------------------------------------------------ EC2

  private ec2Page<T>(
    operation: string,
    items: T[],
    input: { MaxResults?: number | undefined; NextToken?: string | undefined },
    min: number,
    max: number,
    ids?: string[],
  ) {
    if (input.MaxResults !== undefined && ids?.length)
      throw ec2Error('InvalidParameterCombination', `The parameter ids cannot be used with the parameter maxResults (${operation})`);
    if (input.MaxResults !== undefined && (input.MaxResults < min || input.MaxResults > max)) {
      throw ec2Error(
        'InvalidParameterValue',
        `Value ( ${input.MaxResults} ) for parameter maxResults is invalid. Expecting a value between ${min} and ${max}.`,
      );
    }
    const offset = this.tokens.decode(operation, input.NextToken, () =>
      ec2Error('InvalidPaginationToken', `Invalid pagination token: ${input.NextToken ?? ''}`),
    );
    // Without MaxResults EC2 returns everything left in one answer.
    const size = input.MaxResults ?? items.length;
    const page = items.slice(offset, offset + size);
    return { page, ...(offset + size < items.length ? { NextToken: this.tokens.encode(operation, offset + size) } : {}) };
  }

  private region(region: string) {
    return this.account.regional[region] ?? EMPTY_REGION;
  }

  private installEc2(): void {
    const accountId = this.account.accountId;
    this.serve('ec2', DescribeRegionsCommand, (input) => {
      let regions = input.AllRegions ? this.account.regions : this.account.regions.filter((r) => this.enabled.has(r.RegionName!));
      if (input.RegionNames?.length) regions = regions.filter((r) => input.RegionNames!.includes(r.RegionName!));
      regions = applyFilters(
        regions,
        input.Filters,
        { 'region-name': (r) => [r.RegionName], 'opt-in-status': (r) => [r.OptInStatus], endpoint: (r) => [r.Endpoint] },
        'DescribeRegions',
      );
      return { Regions: regions };
    });

    this.serve('ec2', DescribeSecurityGroupsCommand, (input, region) => {
      let groups = byIds(this.region(region).securityGroups, input.GroupIds, (g) => g.GroupId, 'InvalidGroup.NotFound', 'security group');
      if (input.GroupNames?.length) groups = groups.filter((g) => input.GroupNames!.includes(g.GroupName!));
      groups = applyFilters(
        groups,
        input.Filters,
        {
          'group-id': (g) => [g.GroupId],
          'group-name': (g) => [g.GroupName],
          'vpc-id': (g) => [g.VpcId],
          'owner-id': (g) => [g.OwnerId],
          description: (g) => [g.Description],
        },
        'DescribeSecurityGroups',
      );
      const { page, ...rest } = this.ec2Page('DescribeSecurityGroups', groups, input, 5, 1000, input.GroupIds);
      return { SecurityGroups: page, ...rest };
    });

    this.serve('ec2', DescribeInstancesCommand, (input, region) => {
      let reservations = this.region(region).reservations;
      if (input.InstanceIds?.length) {
        const all = reservations.flatMap((r) => r.Instances ?? []);
        byIds(all, input.InstanceIds, (i) => i.InstanceId, 'InvalidInstanceID.NotFound', 'instance ID');
        reservations = reservations.filter((r) => r.Instances?.some((i) => input.InstanceIds!.includes(i.InstanceId!)));
      }
      const filtered = applyFilters(
        reservations.flatMap((r) => (r.Instances ?? []).map((i) => ({ ...i, reservation: r }))),
        input.Filters,
        {
          'instance-state-name': (i) => [i.State?.Name],
          'instance-id': (i) => [i.InstanceId],
          'vpc-id': (i) => [i.VpcId],
          'instance.group-id': (i) => (i.SecurityGroups ?? []).map((g) => g.GroupId),
          'metadata-options.http-tokens': (i) => [i.MetadataOptions?.HttpTokens],
          'iam-instance-profile.arn': (i) => [i.IamInstanceProfile?.Arn],
        },
        'DescribeInstances',
      );
      const kept = new Set(filtered.map((i) => i.reservation));
      const { page, ...rest } = this.ec2Page(
        'DescribeInstances',
        reservations.filter((r) => kept.has(r)),
        input,
        5,
        1000,
        input.InstanceIds,
      );
      return { Reservations: page, ...rest };
    });

    this.serve('ec2', DescribeVolumesCommand, (input, region) => {
      let volumes = byIds(this.region(region).volumes, input.VolumeIds, (v) => v.VolumeId, 'InvalidVolume.NotFound', 'volume');
      volumes = applyFilters(
        volumes,
        input.Filters,
        {
          status: (v) => [v.State],
          encrypted: (v) => [String(v.Encrypted)],
          'volume-id': (v) => [v.VolumeId],
          'attachment.instance-id': (v) => (v.Attachments ?? []).map((a) => a.InstanceId),
          'attachment.status': (v) => (v.Attachments ?? []).map((a) => a.State),
        },
        'DescribeVolumes',
      );
      const { page, ...rest } = this.ec2Page('DescribeVolumes', volumes, input, 5, 500, input.VolumeIds);
      return { Volumes: page, ...rest };
    });

    this.serve('ec2', DescribeVpcsCommand, (input, region) => {
      let vpcs = byIds(this.region(region).vpcs, input.VpcIds, (v) => v.VpcId, 'InvalidVpcID.NotFound', 'vpc ID');
      vpcs = applyFilters(
        vpcs,
        input.Filters,
        {
          isDefault: (v) => [String(v.IsDefault)],
          'is-default': (v) => [String(v.IsDefault)],
          'vpc-id': (v) => [v.VpcId],
          state: (v) => [v.State],
          'owner-id': (v) => [v.OwnerId],
        },
        'DescribeVpcs',
      );
      const { page, ...rest } = this.ec2Page('DescribeVpcs', vpcs, input, 5, 1000, input.VpcIds);
      return { Vpcs: page, ...rest };
    });

    this.serve('ec2', DescribeSnapshotsCommand, (input, region) => {
      // Only the account's own snapshots are modelled: without OwnerIds AWS would also list every public snapshot.
      if (!input.OwnerIds?.length && !input.SnapshotIds?.length && !input.Filters?.some((f) => f.Name === 'owner-id'))
        throw unsupported('DescribeSnapshots without OwnerIds (it lists every public snapshot in AWS)');
      const own = !input.OwnerIds?.length || input.OwnerIds.some((o) => o === 'self' || o === accountId);
      let snapshots = byIds(own ? this.region(region).snapshots : [], input.SnapshotIds, (s) => s.SnapshotId, 'InvalidSnapshot.NotFound', 'snapshot');
      if (input.RestorableByUserIds?.length) {
        // Only group `all` is modelled (no snapshot is shared with single accounts).
        if (input.RestorableByUserIds.some((u) => u !== 'all')) throw unsupported('DescribeSnapshots RestorableByUserIds other than all');
        const isPublic = new Set(this.region(region).publicSnapshotIds);
        snapshots = snapshots.filter((s) => isPublic.has(s.SnapshotId!));
      }
      snapshots = applyFilters(
        snapshots,
        input.Filters,
        { status: (s) => [s.State], 'owner-id': (s) => [s.OwnerId], 'volume-id': (s) => [s.VolumeId], encrypted: (s) => [String(s.Encrypted)] },
        'DescribeSnapshots',
      );
      const { page, ...rest } = this.ec2Page('DescribeSnapshots', snapshots, input, 5, 1000, input.SnapshotIds);
      return { Snapshots: page, ...rest };
    });

    this.serve('ec2', DescribeFlowLogsCommand, (input, region) => {
      let flowLogs = byIds(this.region(region).flowLogs, input.FlowLogIds, (f) => f.FlowLogId, 'InvalidFlowLogId.NotFound', 'flow log');
      flowLogs = applyFilters(
        flowLogs,
        input.Filter,
        {
          'resource-id': (f) => [f.ResourceId],
          'flow-log-id': (f) => [f.FlowLogId],
          'traffic-type': (f) => [f.TrafficType],
          'log-destination-type': (f) => [f.LogDestinationType],
          'deliver-log-status': (f) => [f.DeliverLogsStatus],
        },
        'DescribeFlowLogs',
      );
      const { page, ...rest } = this.ec2Page('DescribeFlowLogs', flowLogs, input, 1, 1000, input.FlowLogIds);
      return { FlowLogs: page, ...rest };
    });

    this.serve('ec2', DescribeNetworkInterfacesCommand, (input, region) => {
      let enis = byIds(
        this.region(region).networkInterfaces,
        input.NetworkInterfaceIds,
        (n) => n.NetworkInterfaceId,
        'InvalidNetworkInterfaceID.NotFound',
        'network interface',
      );
      enis = applyFilters(
        enis,
        input.Filters,
        {
          'group-id': (n) => (n.Groups ?? []).map((g) => g.GroupId),
          'vpc-id': (n) => [n.VpcId],
          status: (n) => [n.Status],
          'attachment.instance-id': (n) => [n.Attachment?.InstanceId],
        },
        'DescribeNetworkInterfaces',
      );
      const { page, ...rest } = this.ec2Page('DescribeNetworkInterfaces', enis, input, 5, 1000, input.NetworkInterfaceIds);
      return { NetworkInterfaces: page, ...rest };
    });

    this.serve('ec2', DescribeNetworkAclsCommand, (input, region) => {
      let acls = byIds(this.region(region).networkAcls, input.NetworkAclIds, (a) => a.NetworkAclId, 'InvalidNetworkAclID.NotFound', 'network ACL');
      acls = applyFilters(
        acls,
        input.Filters,
        { 'vpc-id': (a) => [a.VpcId], default: (a) => [String(a.IsDefault)], 'network-acl-id': (a) => [a.NetworkAclId] },
        'DescribeNetworkAcls',
      );
      const { page, ...rest } = this.ec2Page('DescribeNetworkAcls', acls, input, 5, 1000, input.NetworkAclIds);
      return { NetworkAcls: page, ...rest };
    });

    this.serve('ec2', GetSnapshotBlockPublicAccessStateCommand, (_input, region) => ({ State: this.region(region).snapshotBlockPublicAccess }));

    this.serve('ec2', GetEbsEncryptionByDefaultCommand, (_input, region) => ({
      EbsEncryptionByDefault: this.region(region).ebsEncryptionByDefault,
      SseType: 'sse-ebs' as const,
    }));
  }

  // ------------------------------------------------------------ S3

  /** A bucket, asked from its own region (S3 answers 301 PermanentRedirect otherwise; the SDK does not follow it by default). */
  private bucket(name: string | undefined, region: string, anyRegion = false): SyntheticBucket {
    const bucket = name ? this.bucketsByName.get(name) : undefined;
    if (!bucket) throw s3Error('NoSuchBucket', 'The specified bucket does not exist');
    if (!anyRegion && bucket.region !== region) {
      throw s3Error(
        'PermanentRedirect',
        `The bucket you are attempting to access must be addressed using the specified endpoint (bucket in ${bucket.region}, asked from ${region}).`,
        301,
      );
    }
    return bucket;
  }

  private installS3(): void {
    const owner = { DisplayName: 'platform-team', ID: `${'c0ffee'.repeat(10)}abcd` };
    this.serve('s3', ListBucketsCommand, (input) => {
      let buckets = this.account.buckets.filter(
        (b) => (!input.Prefix || b.name.startsWith(input.Prefix)) && (!input.BucketRegion || b.region === input.BucketRegion),
      );
      buckets = [...buckets].sort((a, b) => a.name.localeCompare(b.name));
      const offset = this.tokens.decode('ListBuckets', input.ContinuationToken, () =>
        s3Error('InvalidArgument', 'The continuation token provided is incorrect'),
      );
      const size = input.MaxBuckets ?? 10_000;
      const page = buckets.slice(offset, offset + size);
      return {
        Buckets: page.map((b) => ({ Name: b.name, CreationDate: b.created, BucketRegion: b.region, BucketArn: `arn:aws:s3:::${b.name}` })),
        Owner: owner,
        ...(offset + size < buckets.length ? { ContinuationToken: this.tokens.encode('ListBuckets', offset + size) } : {}),
        ...(input.Prefix ? { Prefix: input.Prefix } : {}),
      };
    });
    this.serve('s3', GetBucketLocationCommand, (input, region) => {
      const b = this.bucket(input.Bucket, region, true);
      return b.region === 'us-east-1' ? {} : { LocationConstraint: b.region as BucketLocationConstraint };
    });
    this.serve('s3', GetPublicAccessBlockCommand, (input, region) => ({ PublicAccessBlockConfiguration: this.bucket(input.Bucket, region).publicAccessBlock }));
    this.serve('s3', GetBucketPolicyCommand, (input, region) => ({ Policy: this.bucket(input.Bucket, region).policy }));
    this.serve('s3', GetBucketPolicyStatusCommand, (input, region) => ({ PolicyStatus: { IsPublic: this.bucket(input.Bucket, region).policyIsPublic } }));
    this.serve('s3', GetBucketEncryptionCommand, (input, region) => {
      const b = this.bucket(input.Bucket, region);
      return {
        ServerSideEncryptionConfiguration: {
          Rules: [{ ApplyServerSideEncryptionByDefault: { SSEAlgorithm: b.encryption }, BucketKeyEnabled: b.encryption === 'aws:kms' }],
        },
      };
    });
    this.serve('s3', GetBucketVersioningCommand, (input, region) => {
      const b = this.bucket(input.Bucket, region);
      return b.versioning ? { Status: b.versioning, MFADelete: 'Disabled' as const } : {};
    });
    this.serve('s3', GetBucketLoggingCommand, (input, region) => {
      const b = this.bucket(input.Bucket, region);
      return b.loggingTarget ? { LoggingEnabled: { TargetBucket: b.loggingTarget, TargetPrefix: `${b.name}/` } } : {};
    });
    this.serve('s3', GetBucketAclCommand, (input, region) => ({ Owner: owner, Grants: this.bucket(input.Bucket, region).grants }));
    this.serve('s3', GetBucketOwnershipControlsCommand, (input, region) => ({
      OwnershipControls: { Rules: [{ ObjectOwnership: this.bucket(input.Bucket, region).ownership }] },
    }));
    this.serve('s3', GetBucketTaggingCommand, (input, region) => ({ TagSet: this.bucket(input.Bucket, region).tags }));

    this.serve('s3control', GetAccountPublicAccessBlockCommand, (input) => {
      if (input.AccountId !== this.account.accountId) throw s3ControlError('AccessDenied', `Access Denied for account ${input.AccountId ?? '(none)'}`, 403);
      const config = this.account.accountPublicAccessBlock;
      if (!config) throw s3ControlError('NoSuchPublicAccessBlockConfiguration', 'The public access block configuration was not found', 404);
      return { PublicAccessBlockConfiguration: config };
    });
  }

  // ------------------------------------------------------------ CloudTrail

  private trail(nameOrArn: string | undefined, region: string) {
    const found = this.account.trails.find((t) => t.trail.TrailARN === nameOrArn || (t.trail.Name === nameOrArn && t.trail.HomeRegion === region));
    if (!found)
      throw new TrailNotFoundException({ message: `Unknown trail: ${nameOrArn ?? ''} for the user: ${this.account.accountId}`, $metadata: metadata(400) });
    return found;
  }

  private installCloudTrail(): void {
    this.serve('cloudtrail', DescribeTrailsCommand, (input, region) => {
      const shadows = input.includeShadowTrails ?? true;
      const listed = this.account.trails.filter((t) => t.trail.HomeRegion === region || (shadows && t.trail.IsMultiRegionTrail));
      return { trailList: listed.map((t) => t.trail) };
    });
    this.serve('cloudtrail', GetTrailStatusCommand, (input, region) => {
      const t = this.trail(input.Name, region);
      return { IsLogging: t.isLogging, LatestDeliveryTime: NOW, StartLoggingTime: new Date('2024-01-01T00:00:00Z') };
    });
    this.serve('cloudtrail', GetEventSelectorsCommand, (input, region) => {
      const t = this.trail(input.TrailName, region);
      return { TrailARN: t.trail.TrailARN, EventSelectors: t.selectors };
    });
  }

  // ------------------------------------------------------------ RDS, EFS, KMS

  /** Marker pagination as RDS does it: MaxRecords 20-100 (default 100). */
  private rdsPage<T>(operation: string, items: readonly T[], input: { Marker?: string | undefined; MaxRecords?: number | undefined }) {
    const max = input.MaxRecords ?? 100;
    if (!Number.isInteger(max) || max < 20 || max > 100)
      throw rdsError('InvalidParameterValue', `Invalid value ${max} for MaxRecords. Must be between 20 and 100`);
    const offset = this.tokens.decode(operation, input.Marker, () => rdsError('InvalidParameterValue', 'Invalid marker'));
    const page = items.slice(offset, offset + max);
    return { page, ...(offset + max < items.length ? { Marker: this.tokens.encode(operation, offset + max) } : {}) };
  }

  private installRds(): void {
    /** Only this account's own resources are modelled: filters and other accounts' shared or public snapshots are not. */
    const plain = (
      operation: string,
      input: { Filters?: unknown[] | undefined; IncludeShared?: boolean | undefined; IncludePublic?: boolean | undefined; SnapshotType?: string | undefined },
    ) => {
      if (input.Filters?.length) throw unsupported(`${operation} Filters`);
      if (input.IncludeShared || input.IncludePublic || input.SnapshotType === 'shared' || input.SnapshotType === 'public')
        throw unsupported(`${operation} of snapshots other accounts share`);
    };
    /** One named resource (its NotFound fault when absent), or all. */
    const named = <T>(items: readonly T[], id: string | undefined, idOf: (item: T) => string | undefined, fault: string, what: string): readonly T[] => {
      if (id === undefined) return items;
      const found = items.filter((item) => idOf(item) === id);
      if (!found.length) throw rdsError(fault, `${what} ${id} not found.`, 404);
      return found;
    };
    // Without SnapshotType RDS lists manual and automated ones together.
    const type = (input: { SnapshotType?: string | undefined }, t: string | undefined) => !input.SnapshotType || input.SnapshotType === t;
    this.serve('rds', DescribeDBInstancesCommand, (input, region) => {
      plain('DescribeDBInstances', input);
      const items = named(this.region(region).dbInstances, input.DBInstanceIdentifier, (i) => i.DBInstanceIdentifier, 'DBInstanceNotFound', 'DBInstance');
      const { page, ...rest } = this.rdsPage('DescribeDBInstances', items, input);
      return { DBInstances: page, ...rest };
    });
    this.serve('rds', DescribeDBClustersCommand, (input, region) => {
      plain('DescribeDBClusters', input);
      const items = named(this.region(region).dbClusters, input.DBClusterIdentifier, (c) => c.DBClusterIdentifier, 'DBClusterNotFoundFault', 'DBCluster');
      const { page, ...rest } = this.rdsPage('DescribeDBClusters', items, input);
      return { DBClusters: page, ...rest };
    });
    this.serve('rds', DescribeDBSnapshotsCommand, (input, region) => {
      plain('DescribeDBSnapshots', input);
      const items = named(
        this.region(region).dbSnapshots,
        input.DBSnapshotIdentifier,
        (x) => x.DBSnapshotIdentifier,
        'DBSnapshotNotFound',
        'DBSnapshot',
      ).filter((x) => type(input, x.SnapshotType) && (!input.DBInstanceIdentifier || x.DBInstanceIdentifier === input.DBInstanceIdentifier));
      const { page, ...rest } = this.rdsPage('DescribeDBSnapshots', items, input);
      return { DBSnapshots: page, ...rest };
    });
    this.serve('rds', DescribeDBClusterSnapshotsCommand, (input, region) => {
      plain('DescribeDBClusterSnapshots', input);
      const items = named(
        this.region(region).clusterSnapshots,
        input.DBClusterSnapshotIdentifier,
        (x) => x.DBClusterSnapshotIdentifier,
        'DBClusterSnapshotNotFoundFault',
        'DBClusterSnapshot',
      ).filter((x) => type(input, x.SnapshotType) && (!input.DBClusterIdentifier || x.DBClusterIdentifier === input.DBClusterIdentifier));
      const { page, ...rest } = this.rdsPage('DescribeDBClusterSnapshots', items, input);
      return { DBClusterSnapshots: page, ...rest };
    });
    const restore = (region: string, id: string | undefined, exists: boolean, fault: string) => {
      if (!id || !exists) throw rdsError(fault, `${id ?? ''} not found.`, 404);
      return [{ AttributeName: 'restore', AttributeValues: this.region(region).snapshotRestore[id] ?? [] }];
    };
    this.serve('rds', DescribeDBSnapshotAttributesCommand, (input, region) => {
      const id = input.DBSnapshotIdentifier;
      const exists = this.region(region).dbSnapshots.some((x) => x.DBSnapshotIdentifier === id);
      return { DBSnapshotAttributesResult: { DBSnapshotIdentifier: id, DBSnapshotAttributes: restore(region, id, exists, 'DBSnapshotNotFound') } };
    });
    this.serve('rds', DescribeDBClusterSnapshotAttributesCommand, (input, region) => {
      const id = input.DBClusterSnapshotIdentifier;
      const exists = this.region(region).clusterSnapshots.some((x) => x.DBClusterSnapshotIdentifier === id);
      return {
        DBClusterSnapshotAttributesResult: {
          DBClusterSnapshotIdentifier: id,
          DBClusterSnapshotAttributes: restore(region, id, exists, 'DBClusterSnapshotNotFoundFault'),
        },
      };
    });
  }

  private installEfs(): void {
    this.serve('efs', DescribeFileSystemsCommand, (input, region) => {
      const max = input.MaxItems ?? 100;
      if (!Number.isInteger(max) || max < 1)
        throw efsError(
          'ValidationException',
          `1 validation error detected: Value '${max}' at 'maxItems' failed to satisfy constraint: Member must have value greater than or equal to 1`,
        );
      let items = this.region(region).fileSystems;
      if (input.FileSystemId !== undefined) {
        items = items.filter((f) => f.FileSystemId === input.FileSystemId);
        if (!items.length) throw efsError('FileSystemNotFound', `File system '${input.FileSystemId}' does not exist.`, 404);
      }
      if (input.CreationToken !== undefined) items = items.filter((f) => f.CreationToken === input.CreationToken);
      const offset = this.tokens.decode('DescribeFileSystems', input.Marker, () => efsError('BadRequest', 'Invalid Marker'));
      return {
        FileSystems: items.slice(offset, offset + max),
        ...(offset + max < items.length ? { NextMarker: this.tokens.encode('DescribeFileSystems', offset + max) } : {}),
      };
    });
  }

  /** Marker pagination as KMS does it: Truncated and NextMarker. */
  private kmsPage<T>(operation: string, items: readonly T[], input: { Marker?: string | undefined; Limit?: number | undefined }, most: number) {
    const max = input.Limit ?? 100;
    if (!Number.isInteger(max) || max < 1 || max > most)
      throw kmsError(
        'ValidationException',
        `1 validation error detected: Value '${max}' at 'limit' failed to satisfy constraint: Member must have value less than or equal to ${most}`,
      );
    const offset = this.tokens.decode(operation, input.Marker, () => kmsError('InvalidMarkerException', 'Invalid marker'));
    const truncated = offset + max < items.length;
    return { page: items.slice(offset, offset + max), Truncated: truncated, ...(truncated ? { NextMarker: this.tokens.encode(operation, offset + max) } : {}) };
  }

  private installKms(): void {
    /** A key by id, key ARN, alias name or alias ARN, as KMS accepts them. */
    const keyOf = (region: string, id: string | undefined) => {
      const { kmsKeys, kmsAliases } = this.region(region);
      const alias = id?.startsWith('alias/') || id?.includes(':alias/') ? kmsAliases.find((a) => a.AliasName === id || a.AliasArn === id) : undefined;
      const keyId = alias ? alias.TargetKeyId : id;
      const meta = kmsKeys.find((k) => k.KeyId === keyId || k.Arn === keyId);
      if (!meta) throw kmsError('NotFoundException', alias || id?.includes('alias/') ? `Alias ${id ?? ''} is not found.` : `Key '${id ?? ''}' does not exist`);
      return meta;
    };
    this.serve('kms', ListKeysCommand, (input, region) => {
      const { page, ...rest } = this.kmsPage('ListKeys', this.region(region).kmsKeys, input, 1000);
      return { Keys: page.map((k) => ({ KeyId: k.KeyId, KeyArn: k.Arn })), ...rest };
    });
    this.serve('kms', ListAliasesCommand, (input, region) => {
      const aliases = this.region(region).kmsAliases;
      const listed = input.KeyId === undefined ? aliases : aliases.filter((a) => a.TargetKeyId === keyOf(region, input.KeyId).KeyId);
      const { page, ...rest } = this.kmsPage(`ListAliases/${input.KeyId ?? ''}`, listed, input, 100);
      return { Aliases: page, ...rest };
    });
    this.serve('kms', DescribeKeyCommand, (input, region) => ({ KeyMetadata: keyOf(region, input.KeyId) }));
    // As the API reference says: a disabled key keeps its status, one pending deletion reads false; asymmetric, HMAC and imported keys are refused.
    this.serve('kms', GetKeyRotationStatusCommand, (input, region) => {
      const meta = keyOf(region, input.KeyId);
      if (meta.KeyState !== 'Enabled' && meta.KeyState !== 'Disabled' && meta.KeyState !== 'PendingDeletion')
        throw kmsError('KMSInvalidStateException', `${meta.Arn} is ${meta.KeyState}.`);
      if (meta.KeyManager !== 'AWS' && !rotatesAutomatically({ ...meta, KeyState: 'Enabled' })) {
        const why = meta.KeySpec !== 'SYMMETRIC_DEFAULT' ? `key spec is ${meta.KeySpec}` : `origin is ${meta.Origin}`;
        throw kmsError('UnsupportedOperationException', `${meta.Arn} ${why} which is not valid for this operation.`);
      }
      const enabled = meta.KeyState !== 'PendingDeletion' && (meta.KeyManager === 'AWS' || this.region(region).kmsRotation[meta.KeyId!] === true);
      return { KeyRotationEnabled: enabled, KeyId: meta.Arn, ...(enabled ? { RotationPeriodInDays: 365 } : {}) };
    });
  }

  // ------------------------------------------------------------ load balancers, Route 53, CloudFront

  /** Marker pagination as Elastic Load Balancing does it: PageSize 1-400. */
  private elbPage<T>(operation: string, items: readonly T[], input: { Marker?: string | undefined; PageSize?: number | undefined }) {
    const size = input.PageSize ?? 400;
    if (!Number.isInteger(size) || size < 1 || size > 400) throw unsupported(`${operation} PageSize ${size}`);
    const offset = this.tokens.decode(operation, input.Marker, () => unsupported(`${operation} with a marker it did not give`));
    const page = items.slice(offset, offset + size);
    return { page, ...(offset + size < items.length ? { NextMarker: this.tokens.encode(operation, offset + size) } : {}) };
  }

  private installLoadBalancers(): void {
    this.serve('elb', DescribeClassicLoadBalancersCommand, (input, region) => {
      if (input.LoadBalancerNames?.length) throw unsupported('DescribeLoadBalancers (Classic) by name');
      const { page, ...rest } = this.elbPage(`classic:${region}`, this.region(region).classicLoadBalancers, input);
      return { LoadBalancerDescriptions: page, ...rest };
    });
    this.serve('elb', DescribeLoadBalancerPoliciesCommand, (input, region) => {
      const policies = this.region(region).classicPolicies[input.LoadBalancerName ?? ''];
      if (!policies) throw unsupported(`DescribeLoadBalancerPolicies of ${input.LoadBalancerName ?? 'no load balancer'}`);
      return { PolicyDescriptions: policies.filter((p) => !input.PolicyNames?.length || input.PolicyNames.includes(p.PolicyName!)) };
    });
    this.serve('elbv2', DescribeLoadBalancersCommand, (input, region) => {
      if (input.LoadBalancerArns?.length || input.Names?.length) throw unsupported('DescribeLoadBalancers by ARN or name');
      const { page, ...rest } = this.elbPage(`v2:${region}`, this.region(region).loadBalancers, input);
      return { LoadBalancers: page, ...rest };
    });
    this.serve('elbv2', DescribeListenersCommand, (input, region) => {
      const listeners = this.region(region).listeners[input.LoadBalancerArn ?? ''];
      if (!listeners) throw unsupported(`DescribeListeners of ${input.LoadBalancerArn ?? 'no load balancer'}`);
      const { page, ...rest } = this.elbPage(`listeners:${input.LoadBalancerArn}`, listeners, input);
      return { Listeners: page, ...rest };
    });
    this.serve('elbv2', DescribeTagsCommand, (input, region) => {
      const arns = input.ResourceArns ?? [];
      if (arns.length < 1 || arns.length > 20) throw unsupported(`DescribeTags of ${arns.length} resources (1-20)`);
      const tags = this.region(region).loadBalancerTags;
      return { TagDescriptions: arns.map((arn) => ({ ResourceArn: arn, Tags: tags[arn] ?? [] })) };
    });
  }

  /** The audit role's session: the process benchmark's CLI assumes it as users' do (the in-process one injects its own). */
  private installSts(): void {
    this.serve('sts', AssumeRoleCommand, (input) => ({
      Credentials: { AccessKeyId: 'ASIABENCHBENCHBENCH0', SecretAccessKey: 'secret', SessionToken: 'token', Expiration: new Date(Date.now() + 3_600_000) },
      AssumedRoleUser: {
        Arn: `arn:aws:sts::${this.account.accountId}:assumed-role/AuditReadOnly/${input.RoleSessionName ?? 'session'}`,
        AssumedRoleId: 'AROABENCHBENCHBENCH:session',
      },
    }));
  }

  private installEdge(): void {
    const zones = this.account.hostedZones;
    this.serve('route53', ListHostedZonesCommand, (input) => {
      const max = input.MaxItems ?? 100;
      if (max < 1 || max > 100) throw unsupported(`ListHostedZones MaxItems ${max}`);
      const offset = this.tokens.decode('ListHostedZones', input.Marker, () => unsupported('ListHostedZones with a marker it did not give'));
      const more = offset + max < zones.length;
      return {
        HostedZones: zones.slice(offset, offset + max).map((z) => z.zone),
        Marker: input.Marker ?? '',
        IsTruncated: more,
        MaxItems: max,
        ...(more ? { NextMarker: this.tokens.encode('ListHostedZones', offset + max) } : {}),
      };
    });
    // Route 53 starts a page at the record set named by name and type (the next page's first), MaxItems 1-300.
    this.serve('route53', ListResourceRecordSetsCommand, (input) => {
      const zone = zones.find((z) => z.zone.Id === `/hostedzone/${input.HostedZoneId}`);
      if (!zone) throw unsupported(`ListResourceRecordSets of zone ${input.HostedZoneId}`);
      const max = input.MaxItems ?? 300;
      if (max < 1 || max > 300) throw unsupported(`ListResourceRecordSets MaxItems ${max}`);
      if (input.StartRecordType && !input.StartRecordName) throw unsupported('StartRecordType without StartRecordName');
      const offset = input.StartRecordName
        ? zone.records.findIndex((r) => r.Name === input.StartRecordName && (!input.StartRecordType || r.Type === input.StartRecordType))
        : 0;
      if (offset < 0) throw unsupported(`a start record that is not in zone ${input.HostedZoneId}`);
      const next = zone.records[offset + max];
      return {
        ResourceRecordSets: zone.records.slice(offset, offset + max),
        IsTruncated: next !== undefined,
        MaxItems: max,
        ...(next ? { NextRecordName: next.Name, NextRecordType: next.Type } : {}),
      };
    });
    this.serve('cloudfront', ListDistributionsCommand, (input) => {
      const max = input.MaxItems ?? 100;
      const offset = this.tokens.decode('ListDistributions', input.Marker || undefined, () => unsupported('ListDistributions with a marker it did not give'));
      const items = this.account.distributions.slice(offset, offset + max);
      const more = offset + max < this.account.distributions.length;
      return {
        DistributionList: {
          Marker: input.Marker ?? '',
          MaxItems: max,
          IsTruncated: more,
          Quantity: items.length,
          Items: items,
          ...(more ? { NextMarker: this.tokens.encode('ListDistributions', offset + max) } : {}),
        },
      };
    });
    // The bodies of IAM server certificates: a 2048-bit RSA one for every certificate.
    this.serve('iam', GetServerCertificateCommand, (input) => {
      const meta = this.account.iam.serverCertificates.find((c) => c.ServerCertificateName === input.ServerCertificateName);
      if (!meta) throw iamError('NoSuchEntityException', `The Server Certificate with name ${input.ServerCertificateName} cannot be found.`);
      return { ServerCertificate: { ServerCertificateMetadata: meta, CertificateBody: CERTIFICATE_BODY } };
    });
  }
}
