/**
 * A stand-in for AWS on 127.0.0.1 that answers each service in its own
 * protocol through the real SDK HTTP stack: STS, IAM, EC2 and RDS in query
 * XML, S3 and S3 Control in REST XML (path-style; S3 Control without the
 * account prefix an IP host cannot take), EFS in REST JSON, CloudTrail, KMS
 * and Config in JSON. A small account with
 * one finding of most kinds. `intercept` lets a test misbehave per request
 * (hang, reset the connection, throttle) before the normal answer.
 */
import { readFileSync } from 'node:fs';
import http from 'node:http';
import { credentialReportCsv, rootReportRow, userReportRow, daysAgo } from './aws.js';
import { listenOnLoopback, type Loopback } from './loopback.js';

const adminDoc = encodeURIComponent(JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] }));

function iso(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

const report = Buffer.from(credentialReportCsv([rootReportRow({ mfa_active: 'false' }), userReportRow('<!channel>', { mfa_active: 'false' })])).toString(
  'base64',
);

const weakCertificate = readFileSync(new URL('../fixtures/certificates/rsa-1024.pem', import.meta.url), 'utf8');

export type Handler = () => { status?: number; body: string };

const ok = (action: string, result: string) => ({ body: `<${action}Response><${action}Result>${result}</${action}Result></${action}Response>` });
const error = (code: string, message: string, status = 400) => ({
  status,
  body: `<ErrorResponse><Error><Type>Sender</Type><Code>${code}</Code><Message>${message}</Message></Error><RequestId>r</RequestId></ErrorResponse>`,
});

const handlers: Record<string, Handler> = {
  AssumeRole: () =>
    state.failAssumeRole
      ? error('AccessDenied', 'User: arn:aws:iam::111111111111:user/bot is not authorized to perform: sts:AssumeRole', 403)
      : ok(
          'AssumeRole',
          `<Credentials><AccessKeyId>ASIALOCALLOCALLOCAL</AccessKeyId><SecretAccessKey>s</SecretAccessKey><SessionToken>t</SessionToken><Expiration>${iso(new Date(Date.now() + 3_600_000))}</Expiration></Credentials><AssumedRoleUser><Arn>arn:aws:sts::123456789012:assumed-role/AuditReadOnly/aws-audit-bot</Arn><AssumedRoleId>AROA:x</AssumedRoleId></AssumedRoleUser>`,
        ),
  GetCallerIdentity: () => ok('GetCallerIdentity', '<Arn>arn:aws:iam::123456789012:user/ci</Arn><UserId>AIDALOCAL</UserId><Account>123456789012</Account>'),
  GenerateCredentialReport: () => ok('GenerateCredentialReport', '<State>COMPLETE</State>'),
  GetCredentialReport: () =>
    ok('GetCredentialReport', `<Content>${report}</Content><ReportFormat>text/csv</ReportFormat><GeneratedTime>${iso(daysAgo(0, new Date()))}</GeneratedTime>`),
  GetAccountAuthorizationDetails: () =>
    ok(
      'GetAccountAuthorizationDetails',
      `<UserDetailList><member><UserName>alice</UserName><UserId>AIDA1</UserId><Arn>arn:aws:iam::123456789012:user/alice</Arn><Path>/</Path>
       <UserPolicyList><member><PolicyName>everything</PolicyName><PolicyDocument>${adminDoc}</PolicyDocument></member></UserPolicyList>
       </member></UserDetailList><GroupDetailList/><RoleDetailList/><Policies/><IsTruncated>false</IsTruncated>`,
    ),
  GetAccountPasswordPolicy: () => error('NoSuchEntity', 'The Password Policy with domain name 123456789012 cannot be found.', 404),
  // One certificate uploaded for CloudFront: expired, with a 1024-bit RSA key.
  ListServerCertificates: () =>
    ok(
      'ListServerCertificates',
      `<ServerCertificateMetadataList><member><Path>/cloudfront/</Path><ServerCertificateName>legacy-shop</ServerCertificateName><ServerCertificateId>ASCALOCALLEGACY</ServerCertificateId><Arn>arn:aws:iam::123456789012:server-certificate/cloudfront/legacy-shop</Arn><UploadDate>2024-01-01T00:00:00Z</UploadDate><Expiration>2025-01-01T00:00:00Z</Expiration></member></ServerCertificateMetadataList><IsTruncated>false</IsTruncated>`,
    ),
  GetServerCertificate: () =>
    ok(
      'GetServerCertificate',
      `<ServerCertificate><ServerCertificateMetadata><Path>/cloudfront/</Path><ServerCertificateName>legacy-shop</ServerCertificateName><ServerCertificateId>ASCALOCALLEGACY</ServerCertificateId><Arn>arn:aws:iam::123456789012:server-certificate/cloudfront/legacy-shop</Arn></ServerCertificateMetadata><CertificateBody>${weakCertificate}</CertificateBody></ServerCertificate>`,
    ),
};

const EC2_XMLNS = 'http://ec2.amazonaws.com/doc/2016-11-15/';
const ec2Ok = (action: string, result: string) => ({ body: `<${action}Response xmlns="${EC2_XMLNS}"><requestId>r</requestId>${result}</${action}Response>` });
const ec2Handlers: Record<string, Handler> = {
  DescribeRegions: () =>
    ec2Ok(
      'DescribeRegions',
      '<regionInfo><item><regionName>us-east-1</regionName><regionEndpoint>ec2.us-east-1.amazonaws.com</regionEndpoint><optInStatus>opt-in-not-required</optInStatus></item></regionInfo>',
    ),
  DescribeSecurityGroups: () =>
    ec2Ok(
      'DescribeSecurityGroups',
      `<securityGroupInfo><item><ownerId>123456789012</ownerId><groupId>sg-0123456789abcdef0</groupId><groupName>bastion</groupName><groupDescription>&lt;!here&gt; ssh</groupDescription><vpcId>vpc-0123456789abcdef0</vpcId>
       <ipPermissions><item><ipProtocol>tcp</ipProtocol><fromPort>22</fromPort><toPort>22</toPort><groups/><ipRanges><item><cidrIp>0.0.0.0/0</cidrIp></item></ipRanges><ipv6Ranges/><prefixListIds/></item></ipPermissions>
       <ipPermissionsEgress/></item></securityGroupInfo>`,
    ),
  DescribeNetworkInterfaces: () => ec2Ok('DescribeNetworkInterfaces', '<networkInterfaceSet/>'),
  DescribeNetworkAcls: () => ec2Ok('DescribeNetworkAcls', '<networkAclSet/>'),
  DescribeSnapshots: () => ec2Ok('DescribeSnapshots', '<snapshotSet/>'),
  GetSnapshotBlockPublicAccessState: () => ec2Ok('GetSnapshotBlockPublicAccessState', '<state>unblocked</state>'),
  GetEbsEncryptionByDefault: () => ec2Ok('GetEbsEncryptionByDefault', '<ebsEncryptionByDefault>true</ebsEncryptionByDefault>'),
  DescribeInstances: () => ec2Ok('DescribeInstances', '<reservationSet/>'),
  DescribeVolumes: () => ec2Ok('DescribeVolumes', '<volumeSet/>'),
  DescribeVpcs: () => ec2Ok('DescribeVpcs', '<vpcSet/>'),
  DescribeFlowLogs: () => ec2Ok('DescribeFlowLogs', '<flowLogSet/>'),
};

const S3_XMLNS = 'http://s3.amazonaws.com/doc/2006-03-01/';
const s3Error = (code: string, message: string, status: number) => ({
  status,
  body: `<?xml version="1.0" encoding="UTF-8"?><Error><Code>${code}</Code><Message>${message}</Message></Error>`,
});
/** REST calls by method, path and sub-resource (`GET /bucket?acl`). */
const restHandlers: Record<string, Handler> = {
  // No BucketRegion (older endpoints, emulators): the bot asks GetBucketLocation.
  'GET /': () => ({
    body: `<ListAllMyBucketsResult xmlns="${S3_XMLNS}"><Owner><ID>owner</ID></Owner><Buckets><Bucket><Name>public-site</Name><CreationDate>2024-01-01T00:00:00.000Z</CreationDate></Bucket></Buckets></ListAllMyBucketsResult>`,
  }),
  'GET /public-site?location': () => ({ body: `<LocationConstraint xmlns="${S3_XMLNS}"/>` }),
  'GET /public-site?acl': () => ({
    body: `<AccessControlPolicy xmlns="${S3_XMLNS}"><Owner><ID>owner</ID></Owner><AccessControlList>
      <Grant><Grantee xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:type="CanonicalUser"><ID>owner</ID></Grantee><Permission>FULL_CONTROL</Permission></Grant>
      <Grant><Grantee xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:type="Group"><URI>http://acs.amazonaws.com/groups/global/AllUsers</URI></Grantee><Permission>READ</Permission></Grant>
      </AccessControlList></AccessControlPolicy>`,
  }),
  'GET /public-site?policy': () => s3Error('NoSuchBucketPolicy', 'The bucket policy does not exist', 404),
  'GET /public-site?publicAccessBlock': () => s3Error('NoSuchPublicAccessBlockConfiguration', 'The public access block configuration was not found', 404),
  'GET /public-site?encryption': () => ({
    body: `<ServerSideEncryptionConfiguration xmlns="${S3_XMLNS}"><Rule><ApplyServerSideEncryptionByDefault><SSEAlgorithm>AES256</SSEAlgorithm></ApplyServerSideEncryptionByDefault><BucketKeyEnabled>false</BucketKeyEnabled></Rule></ServerSideEncryptionConfiguration>`,
  }),
  'GET /v20180820/configuration/publicAccessBlock': () =>
    s3Error('NoSuchPublicAccessBlockConfiguration', 'The public access block configuration was not found', 404),
  // Route 53 is REST XML: one public zone whose mail name has SPF but no DMARC.
  'GET /2013-04-01/hostedzone': () => ({
    body: `<ListHostedZonesResponse xmlns="https://route53.amazonaws.com/doc/2013-04-01/"><HostedZones><HostedZone><Id>/hostedzone/Z0LOCAL</Id><Name>example.com.</Name><CallerReference>r</CallerReference><Config><PrivateZone>false</PrivateZone></Config></HostedZone></HostedZones><IsTruncated>false</IsTruncated><MaxItems>100</MaxItems></ListHostedZonesResponse>`,
  }),
  'GET /2013-04-01/hostedzone/Z0LOCAL/rrset': () => ({
    body: `<ListResourceRecordSetsResponse xmlns="https://route53.amazonaws.com/doc/2013-04-01/"><ResourceRecordSets>
      <ResourceRecordSet><Name>example.com.</Name><Type>MX</Type><TTL>300</TTL><ResourceRecords><ResourceRecord><Value>10 mx.example.com.</Value></ResourceRecord></ResourceRecords></ResourceRecordSet>
      <ResourceRecordSet><Name>example.com.</Name><Type>TXT</Type><TTL>300</TTL><ResourceRecords><ResourceRecord><Value>"v=spf1 include:_spf.example.net" " -all"</Value></ResourceRecord></ResourceRecords></ResourceRecordSet>
      </ResourceRecordSets><IsTruncated>false</IsTruncated><MaxItems>300</MaxItems></ListResourceRecordSetsResponse>`,
  }),
  // CloudFront is REST XML: one distribution on HTTPS, serving the IAM certificate above.
  'GET /2020-05-31/distribution': () => ({
    body: `<DistributionList xmlns="http://cloudfront.amazonaws.com/doc/2020-05-31/"><Marker></Marker><MaxItems>100</MaxItems><IsTruncated>false</IsTruncated><Quantity>1</Quantity><Items><DistributionSummary>
      <Id>E1LOCAL</Id><ARN>arn:aws:cloudfront::123456789012:distribution/E1LOCAL</ARN><Status>Deployed</Status><LastModifiedTime>2025-06-01T00:00:00Z</LastModifiedTime><DomainName>d1local.cloudfront.net</DomainName>
      <Aliases><Quantity>1</Quantity><Items><CNAME>shop.example.com</CNAME></Items></Aliases>
      <Origins><Quantity>1</Quantity><Items><Origin><Id>web</Id><DomainName>web.example.com</DomainName><CustomOriginConfig><HTTPPort>80</HTTPPort><HTTPSPort>443</HTTPSPort><OriginProtocolPolicy>https-only</OriginProtocolPolicy><OriginSslProtocols><Quantity>1</Quantity><Items><SslProtocol>TLSv1.2</SslProtocol></Items></OriginSslProtocols></CustomOriginConfig></Origin></Items></Origins>
      <DefaultCacheBehavior><TargetOriginId>web</TargetOriginId><ViewerProtocolPolicy>redirect-to-https</ViewerProtocolPolicy></DefaultCacheBehavior><CacheBehaviors><Quantity>0</Quantity></CacheBehaviors>
      <Comment></Comment><Enabled>true</Enabled>
      <ViewerCertificate><IAMCertificateId>ASCALOCALLEGACY</IAMCertificateId><SSLSupportMethod>sni-only</SSLSupportMethod><MinimumProtocolVersion>TLSv1.2_2021</MinimumProtocolVersion><CertificateSource>iam</CertificateSource></ViewerCertificate>
    </DistributionSummary></Items></DistributionList>`,
  }),
  // Security Hub and Access Analyzer are REST JSON: the hub is on, no analyzer exists.
  'GET /accounts': () => ({
    body: JSON.stringify({
      HubArn: 'arn:aws:securityhub:us-east-1:123456789012:hub/default',
      SubscribedAt: '2025-03-01T10:00:00.000Z',
      AutoEnableControls: true,
    }),
  }),
  'GET /analyzer': () => ({ body: JSON.stringify({ analyzers: [] }) }),
  // EFS is REST JSON: one unencrypted file system.
  'GET /2015-02-01/file-systems': () => ({
    body: JSON.stringify({
      FileSystems: [
        {
          OwnerId: '123456789012',
          CreationToken: 'shared',
          FileSystemId: 'fs-0123456789abcdef0',
          FileSystemArn: 'arn:aws:elasticfilesystem:us-east-1:123456789012:file-system/fs-0123456789abcdef0',
          CreationTime: 1735689600,
          LifeCycleState: 'available',
          Name: 'shared',
          NumberOfMountTargets: 2,
          SizeInBytes: { Value: 6144 },
          PerformanceMode: 'generalPurpose',
          Encrypted: false,
          ThroughputMode: 'bursting',
          Tags: [{ Key: 'Name', Value: 'shared' }],
        },
      ],
    }),
  }),
};

/**
 * RDS (query XML): a public, unencrypted PostgreSQL instance without backups
 * (no KmsKeyId, no DBSubnetGroup, as emulators answer) and a public manual
 * snapshot of it.
 */
const rdsHandlers: Record<string, Handler> = {
  DescribeDBInstances: () =>
    ok(
      'DescribeDBInstances',
      `<DBInstances><DBInstance><DBInstanceIdentifier>legacy-db</DBInstanceIdentifier><DBInstanceArn>arn:aws:rds:us-east-1:123456789012:db:legacy-db</DBInstanceArn>
       <DBInstanceClass>db.t3.micro</DBInstanceClass><Engine>postgres</Engine><EngineVersion>13.4</EngineVersion><DBInstanceStatus>available</DBInstanceStatus>
       <Endpoint><Address>legacy-db.c1a2b3c4d5e6.us-east-1.rds.amazonaws.com</Address><Port>5432</Port></Endpoint>
       <BackupRetentionPeriod>0</BackupRetentionPeriod><PubliclyAccessible>true</PubliclyAccessible><StorageEncrypted>false</StorageEncrypted>
       <AutoMinorVersionUpgrade>true</AutoMinorVersionUpgrade><DeletionProtection>false</DeletionProtection>
       <VpcSecurityGroups><VpcSecurityGroupMembership><VpcSecurityGroupId>sg-0123456789abcdef0</VpcSecurityGroupId><Status>active</Status></VpcSecurityGroupMembership></VpcSecurityGroups>
       <TagList/></DBInstance></DBInstances>`,
    ),
  DescribeDBClusters: () => ok('DescribeDBClusters', '<DBClusters/>'),
  DescribeDBSnapshots: () =>
    ok(
      'DescribeDBSnapshots',
      `<DBSnapshots><DBSnapshot><DBSnapshotIdentifier>legacy-db-dump</DBSnapshotIdentifier><DBSnapshotArn>arn:aws:rds:us-east-1:123456789012:snapshot:legacy-db-dump</DBSnapshotArn>
       <DBInstanceIdentifier>legacy-db</DBInstanceIdentifier><Engine>postgres</Engine><SnapshotType>manual</SnapshotType><Status>available</Status><Encrypted>false</Encrypted>
       <SnapshotCreateTime>2026-10-01T02:00:00.000Z</SnapshotCreateTime></DBSnapshot></DBSnapshots>`,
    ),
  DescribeDBSnapshotAttributes: () =>
    ok(
      'DescribeDBSnapshotAttributes',
      `<DBSnapshotAttributesResult><DBSnapshotIdentifier>legacy-db-dump</DBSnapshotIdentifier><DBSnapshotAttributes><DBSnapshotAttribute><AttributeName>restore</AttributeName>
       <AttributeValues><AttributeValue>all</AttributeValue></AttributeValues></DBSnapshotAttribute></DBSnapshotAttributes></DBSnapshotAttributesResult>`,
    ),
  DescribeDBClusterSnapshots: () => ok('DescribeDBClusterSnapshots', '<DBClusterSnapshots/>'),
};

/**
 * Classic and v2 load balancing share a host and the action name
 * DescribeLoadBalancers: the API version tells them apart. An internet-facing
 * ALB with a plain HTTP listener that forwards.
 */
const ALB_ARN = 'arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/app/web/50dc6c495c0c9188';
const versionedHandlers: Record<string, Handler> = {
  'DescribeLoadBalancers@2012-06-01': () => ok('DescribeLoadBalancers', '<LoadBalancerDescriptions/>'),
  'DescribeLoadBalancers@2015-12-01': () =>
    ok(
      'DescribeLoadBalancers',
      `<LoadBalancers><member><LoadBalancerArn>${ALB_ARN}</LoadBalancerArn><LoadBalancerName>web</LoadBalancerName><Scheme>internet-facing</Scheme><Type>application</Type><VpcId>vpc-0123456789abcdef0</VpcId><SecurityGroups><member>sg-0123456789abcdef0</member></SecurityGroups></member></LoadBalancers>`,
    ),
  'DescribeListeners@2015-12-01': () =>
    ok(
      'DescribeListeners',
      `<Listeners><member><ListenerArn>${ALB_ARN.replace(':loadbalancer/', ':listener/')}/80</ListenerArn><LoadBalancerArn>${ALB_ARN}</LoadBalancerArn><Port>80</Port><Protocol>HTTP</Protocol><DefaultActions><member><Type>forward</Type><TargetGroupArn>tg</TargetGroupArn></member></DefaultActions></member></Listeners>`,
    ),
  // Tagged with a Name, not an Owner.
  'DescribeTags@2015-12-01': () =>
    ok(
      'DescribeTags',
      `<TagDescriptions><member><ResourceArn>${ALB_ARN}</ResourceArn><Tags><member><Key>Name</Key><Value>web</Value></member></Tags></member></TagDescriptions>`,
    ),
};

const KEY_ID = '1234abcd-12ab-34cd-56ef-1234567890ab';
const KEY_ARN = `arn:aws:kms:us-east-1:123456789012:key/${KEY_ID}`;

/** CloudTrail, KMS and Config speak JSON 1.1, the operation in X-Amz-Target. */
const jsonHandlers: Record<string, (body?: string) => unknown> = {
  DescribeTrails: () => ({ trailList: [] }),
  // A customer-managed key that does not rotate.
  ListKeys: () => ({ Keys: [{ KeyId: KEY_ID, KeyArn: KEY_ARN }], Truncated: false }),
  ListAliases: () => ({
    Aliases: [{ AliasName: 'alias/payments', AliasArn: 'arn:aws:kms:us-east-1:123456789012:alias/payments', TargetKeyId: KEY_ID }],
    Truncated: false,
  }),
  DescribeKey: () => ({
    KeyMetadata: {
      AWSAccountId: '123456789012',
      KeyId: KEY_ID,
      Arn: KEY_ARN,
      CreationDate: 1735689600,
      Enabled: true,
      Description: '<!here> payments',
      KeyUsage: 'ENCRYPT_DECRYPT',
      KeyState: 'Enabled',
      Origin: 'AWS_KMS',
      KeyManager: 'CUSTOMER',
      KeySpec: 'SYMMETRIC_DEFAULT',
      CustomerMasterKeySpec: 'SYMMETRIC_DEFAULT',
      EncryptionAlgorithms: ['SYMMETRIC_DEFAULT'],
      MultiRegion: false,
    },
  }),
  GetKeyRotationStatus: () => ({ KeyRotationEnabled: false, KeyId: KEY_ARN }),
  // AWS Config: a recorder that was stopped.
  DescribeConfigurationRecorders: () => ({
    ConfigurationRecorders: [
      { name: 'default', roleARN: 'arn:aws:iam::123456789012:role/config', recordingGroup: { allSupported: true, includeGlobalResourceTypes: true } },
    ],
  }),
  DescribeConfigurationRecorderStatus: () => ({ ConfigurationRecordersStatus: [{ name: 'default', recording: false, lastStatus: 'Success' }] }),
  // AWS Organizations: the management account, a member, a suspended one; two pages.
  ListAccounts: (body?: string) =>
    (JSON.parse(body || '{}') as { NextToken?: string }).NextToken === 'page-2'
      ? { Accounts: [{ Id: '444444444444', Name: 'Old Sandbox', State: 'SUSPENDED' }] }
      : {
          Accounts: [
            { Id: '123456789012', Name: 'Management', State: 'ACTIVE' },
            { Id: '222222222222', Name: 'Payments <Prod>', State: 'ACTIVE' },
          ],
          NextToken: 'page-2',
        },
  ListTagsForResource: () => ({ Tags: [{ Key: 'Team', Value: 'payments' }] }),
};

/** The service a JSON 1.1 X-Amz-Target names. */
const JSON_SERVICES: Record<string, string> = { TrentService: 'kms', StarlingDoveService: 'config', AWSOrganizationsV20161128: 'organizations' };

/** What a test can change between runs. */
const state = { failAssumeRole: false };

/** A finding as Security Hub holds it (the stand-in keeps what it was sent). */
export type HubFinding = Record<string, unknown> & { Id: string; RecordState?: string };

/** A request as the stand-in names it: the query action (`AssumeRole`), `cloudtrail:<Operation>`, or `GET <path>?<sub>`. */
export interface LocalAwsRequest {
  action: string;
  req: http.IncomingMessage;
  res: http.ServerResponse;
}

/** Return true when the interceptor has answered (or will never answer) the request itself. */
export type Interceptor = (request: LocalAwsRequest) => boolean;

export class LocalAws {
  private server?: http.Server;
  private loopback?: Loopback;
  endpoint = '';
  /** Every request, in order of arrival. */
  readonly actions: string[] = [];
  /** Calls the stand-in had no answer for: the bot asked something unexpected. */
  readonly unanswered: string[] = [];
  intercept: Interceptor | undefined;
  /** Security Hub's findings by Id: what BatchImportFindings was sent, and what a test put there. */
  readonly hubFindings = new Map<string, HubFinding>();
  /** Findings BatchImportFindings answers as failed (InvalidInput), the rest are taken. */
  refuseFinding: ((finding: HubFinding) => boolean) | undefined;

  set failAssumeRole(value: boolean) {
    state.failAssumeRole = value;
  }

  /** The error answer of the query protocol (STS, IAM, EC2). */
  static queryError = error;

  async start(): Promise<void> {
    this.server = http.createServer((req, res) => {
      let body = '';
      req.on('data', (chunk: Buffer) => (body += chunk.toString()));
      req.on('end', () => this.answer(req, res, body));
    });
    this.loopback = await listenOnLoopback(this.server);
    this.endpoint = this.loopback.endpoint;
  }

  async stop(): Promise<void> {
    await this.loopback?.stop();
  }

  reset(): void {
    this.actions.length = 0;
    this.unanswered.length = 0;
    this.intercept = undefined;
    this.hubFindings.clear();
    this.refuseFinding = undefined;
    state.failAssumeRole = false;
  }

  /** Security Hub is REST JSON: BatchImportFindings (POST /findings/import) keeps what it takes; GetFindings (POST /findings) gives the active ones. */
  private securityHub(path: string, body: string): { status?: number; body: string } {
    const input = JSON.parse(body || '{}') as { Findings?: HubFinding[] };
    if (path === '/findings/import') {
      const failed = (input.Findings ?? []).filter((f) => this.refuseFinding?.(f));
      for (const f of input.Findings ?? []) if (!failed.includes(f)) this.hubFindings.set(f.Id, f);
      const FailedFindings = failed.map((f) => ({ Id: f.Id, ErrorCode: 'InvalidInput', ErrorMessage: 'Finding does not adhere to ASFF' }));
      return { body: JSON.stringify({ SuccessCount: (input.Findings?.length ?? 0) - failed.length, FailedCount: failed.length, FailedFindings }) };
    }
    return { body: JSON.stringify({ Findings: [...this.hubFindings.values()].filter((f) => (f.RecordState ?? 'ACTIVE') === 'ACTIVE') }) };
  }

  private answer(req: http.IncomingMessage, res: http.ServerResponse, body: string): void {
    const target = req.headers['x-amz-target'];
    let action: string;
    let reply: () => void;
    if (typeof target === 'string') {
      const operation = target.split('.').pop() ?? '';
      action = `${JSON_SERVICES[target.split('.')[0] ?? ''] ?? 'cloudtrail'}:${operation}`;
      reply = () => {
        const answer = jsonHandlers[operation];
        if (!answer) this.unanswered.push(action);
        res.writeHead(answer ? 200 : 400, { 'content-type': 'application/x-amz-json-1.1' });
        res.end(JSON.stringify(answer ? answer(body) : { __type: 'UnknownOperationException', message: `no ${operation} here` }));
      };
    } else if (req.method === 'GET') {
      const url = new URL(req.url ?? '/', 'http://local');
      // A sub-resource (?acl, ?policy) has no value; parameters (max-buckets=1000, x-id=…) do.
      const sub = [...url.searchParams].find(([, value]) => value === '')?.[0];
      const pathname = url.pathname.length > 1 ? url.pathname.replace(/\/$/, '') : url.pathname; // path-style: /bucket/?acl
      action = `GET ${pathname}${sub ? `?${sub}` : ''}`;
      reply = () => {
        const handler = restHandlers[action];
        if (!handler) this.unanswered.push(action);
        const answer = handler?.() ?? s3Error('NotImplemented', `no ${action} here`, 501);
        res.writeHead(answer.status ?? 200, { 'content-type': answer.body.startsWith('{') ? 'application/json' : 'application/xml' });
        res.end(answer.body);
      };
    } else if (req.method === 'POST' && (req.url ?? '').startsWith('/findings')) {
      const path = new URL(req.url ?? '/', 'http://local').pathname;
      action = `securityhub:${path === '/findings/import' ? 'BatchImportFindings' : 'GetFindings'}`;
      reply = () => {
        const answer = this.securityHub(path, body);
        res.writeHead(answer.status ?? 200, { 'content-type': 'application/json' });
        res.end(answer.body);
      };
    } else {
      const params = new URLSearchParams(body);
      action = params.get('Action') ?? '';
      const versioned = versionedHandlers[`${action}@${params.get('Version') ?? ''}`];
      reply = () => {
        const handler = versioned ?? handlers[action] ?? ec2Handlers[action] ?? rdsHandlers[action];
        if (!handler) this.unanswered.push(action);
        const answer = handler?.() ?? error('InvalidAction', `no ${action} here`);
        res.writeHead(answer.status ?? 200, { 'content-type': 'text/xml' });
        res.end(answer.body);
      };
    }
    this.actions.push(action);
    if (this.intercept?.({ action, req, res })) return;
    reply();
  }
}
