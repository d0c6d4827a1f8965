/**
 * The terminal audit end to end through the real SDK HTTP stack: the CLI runs
 * as a process, AWS_ENDPOINT_URL points it at a stand-in on 127.0.0.1 that
 * answers each service in its own protocol: STS, IAM and EC2 in query XML,
 * S3 and S3 Control in REST XML (path-style; S3 Control without the account
 * prefix an IP host cannot take), CloudTrail in JSON.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, writeFile } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { credentialReportCsv, rootReportRow, userReportRow, daysAgo } from '../helpers/aws.js';

const adminDoc = encodeURIComponent(JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] }));

function iso(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

const report = Buffer.from(
  credentialReportCsv([
    rootReportRow({ mfa_active: 'false' }),
    userReportRow('<!channel>', { mfa_active: 'false' }),
  ]),
).toString('base64');

type Handler = () => { status?: number; body: string };

const ok = (action: string, result: string) => ({ body: `<${action}Response><${action}Result>${result}</${action}Result></${action}Response>` });
const error = (code: string, message: string, status = 400) => ({
  status,
  body: `<ErrorResponse><Error><Type>Sender</Type><Code>${code}</Code><Message>${message}</Message></Error><RequestId>r</RequestId></ErrorResponse>`,
});

let failAssumeRole = false;
const handlers: Record<string, Handler> = {
  AssumeRole: () =>
    failAssumeRole
      ? error('AccessDenied', 'User: arn:aws:iam::111111111111:user/bot is not authorized to perform: sts:AssumeRole', 403)
      : ok(
          'AssumeRole',
          `<Credentials><AccessKeyId>ASIALOCALLOCALLOCAL</AccessKeyId><SecretAccessKey>s</SecretAccessKey><SessionToken>t</SessionToken><Expiration>${iso(new Date(Date.now() + 3_600_000))}</Expiration></Credentials><AssumedRoleUser><Arn>arn:aws:sts::123456789012:assumed-role/AuditReadOnly/aws-audit-bot</Arn><AssumedRoleId>AROA:x</AssumedRoleId></AssumedRoleUser>`,
        ),
  GenerateCredentialReport: () => ok('GenerateCredentialReport', '<State>COMPLETE</State>'),
  GetCredentialReport: () => ok('GetCredentialReport', `<Content>${report}</Content><ReportFormat>text/csv</ReportFormat><GeneratedTime>${iso(daysAgo(0, new Date()))}</GeneratedTime>`),
  GetAccountAuthorizationDetails: () =>
    ok(
      'GetAccountAuthorizationDetails',
      `<UserDetailList><member><UserName>alice</UserName><UserId>AIDA1</UserId><Arn>arn:aws:iam::123456789012:user/alice</Arn><Path>/</Path>
       <UserPolicyList><member><PolicyName>everything</PolicyName><PolicyDocument>${adminDoc}</PolicyDocument></member></UserPolicyList>
       </member></UserDetailList><GroupDetailList/><RoleDetailList/><Policies/><IsTruncated>false</IsTruncated>`,
    ),
  GetAccountPasswordPolicy: () => error('NoSuchEntity', 'The Password Policy with domain name 123456789012 cannot be found.', 404),
  ListServerCertificates: () => ok('ListServerCertificates', '<ServerCertificateMetadataList/><IsTruncated>false</IsTruncated>'),
};

const EC2_XMLNS = 'http://ec2.amazonaws.com/doc/2016-11-15/';
const ec2Ok = (action: string, result: string) => ({ body: `<${action}Response xmlns="${EC2_XMLNS}"><requestId>r</requestId>${result}</${action}Response>` });
const ec2Handlers: Record<string, Handler> = {
  DescribeRegions: () => ec2Ok('DescribeRegions', '<regionInfo><item><regionName>us-east-1</regionName><regionEndpoint>ec2.us-east-1.amazonaws.com</regionEndpoint><optInStatus>opt-in-not-required</optInStatus></item></regionInfo>'),
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
const s3Error = (code: string, message: string, status: number) => ({ status, body: `<?xml version="1.0" encoding="UTF-8"?><Error><Code>${code}</Code><Message>${message}</Message></Error>` });
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
  'GET /v20180820/configuration/publicAccessBlock': () => s3Error('NoSuchPublicAccessBlockConfiguration', 'The public access block configuration was not found', 404),
};

/** CloudTrail speaks JSON 1.1, the operation in X-Amz-Target. */
const cloudTrailHandlers: Record<string, () => unknown> = {
  DescribeTrails: () => ({ trailList: [] }),
};

let server: http.Server;
let endpoint: string;
let configPath: string;
const actions: string[] = [];
/** Calls the stand-in had no answer for: the bot asked something unexpected. */
const unanswered: string[] = [];

beforeAll(async () => {
  server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString()));
    req.on('end', () => {
      const target = req.headers['x-amz-target'];
      if (typeof target === 'string') {
        const operation = target.split('.').pop() ?? '';
        actions.push(`cloudtrail:${operation}`);
        const answer = cloudTrailHandlers[operation];
        if (!answer) unanswered.push(`cloudtrail:${operation}`);
        res.writeHead(answer ? 200 : 400, { 'content-type': 'application/x-amz-json-1.1' });
        res.end(JSON.stringify(answer ? answer() : { __type: 'UnknownOperationException', message: `no ${operation} here` }));
        return;
      }
      if (req.method === 'GET') {
        const url = new URL(req.url ?? '/', 'http://local');
        // A sub-resource (?acl, ?policy) has no value; parameters (max-buckets=1000, x-id=…) do.
        const sub = [...url.searchParams].find(([, value]) => value === '')?.[0];
        const pathname = url.pathname.length > 1 ? url.pathname.replace(/\/$/, '') : url.pathname; // path-style: /bucket/?acl
        const key = `GET ${pathname}${sub ? `?${sub}` : ''}`;
        actions.push(key);
        const handler = restHandlers[key];
        if (!handler) unanswered.push(key);
        const answer = handler?.() ?? s3Error('NotImplemented', `no ${key} here`, 501);
        res.writeHead(answer.status ?? 200, { 'content-type': 'application/xml' });
        res.end(answer.body);
        return;
      }
      const action = new URLSearchParams(body).get('Action') ?? '';
      actions.push(action);
      const handler = handlers[action] ?? ec2Handlers[action];
      if (!handler) unanswered.push(action);
      const answer = handler?.() ?? error('InvalidAction', `no ${action} here`);
      res.writeHead(answer.status ?? 200, { 'content-type': 'text/xml' });
      res.end(answer.body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const dir = await mkdtemp(path.join(os.tmpdir(), 'audit-e2e-'));
  configPath = path.join(dir, 'audit.config.yml');
  await writeFile(configPath, 'accounts:\n  - alias: local\n    accountId: "123456789012"\n    roleArn: arn:aws:iam::123456789012:role/AuditReadOnly\n    regions: [us-east-1]\n');
});

afterAll(() => server.close());

function runCli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['--import', 'tsx', path.resolve('src/cli.ts'), ...args],
      {
        env: {
          ...process.env,
          AUDIT_CONFIG: configPath,
          AWS_ENDPOINT_URL: endpoint,
          AWS_ACCESS_KEY_ID: 'AKIABOTBOTBOTBOTBOTB',
          AWS_SECRET_ACCESS_KEY: 'secret',
          AWS_REGION: 'us-east-1',
          AWS_MAX_ATTEMPTS: '1',
        },
        timeout: 30_000,
      },
      (err, stdout, stderr) => resolve({ code: err ? ((err as { code?: number }).code ?? -1) : 0, stdout, stderr }),
    );
  });
}

describe('audit against a local AWS stand-in', () => {
  it('finds the problems through real SDK requests and prints the JSON contract', async () => {
    failAssumeRole = false;
    const { code, stdout, stderr } = await runCli(['audit', 'local', '--format', 'json']);
    expect(stderr).toBe('');
    expect(code).toBe(1);
    const json = JSON.parse(stdout) as { findings: { checkId: string; resource: { id: string } }[]; errors: unknown[]; stats: { apiCalls: number } };
    expect(json.errors).toEqual([]);
    const found = json.findings.map((f) => `${f.checkId}:${f.resource.id}`);
    expect(found).toEqual(
      expect.arrayContaining([
        'iam.root-mfa:root',
        'iam.user-console-mfa:<!channel>',
        'iam.admin-policy:alice/everything',
        'iam.user-direct-policies:alice',
        'iam.password-policy:password-policy',
        'iam.support-role:123456789012',
        'ec2.sg-risky-ports:sg-0123456789abcdef0',
        's3.public-acl:public-site',
        's3.block-public-access:public-site',
        's3.secure-transport:public-site',
        's3.account-block-public-access:123456789012',
        'cloudtrail.enabled:123456789012',
      ]),
    );
    // Every service's answer was understood: nothing the stand-in does not serve was asked for.
    expect(unanswered).toEqual([]);
    expect(actions).toEqual(expect.arrayContaining(['GET /public-site?location', 'GET /v20180820/configuration/publicAccessBlock', 'cloudtrail:DescribeTrails', 'DescribeSecurityGroups']));
    const sg = json.findings.find((f) => f.checkId === 'ec2.sg-risky-ports') as unknown as { severity: string; details: Record<string, unknown> };
    expect(sg.severity).toBe('critical');
    expect(sg.details).toMatchObject({ cidr: '0.0.0.0/0', fromPort: 22, inUse: false });
    expect(actions.filter((a) => a === 'GetCredentialReport')).toHaveLength(1);
    expect(actions.filter((a) => a === 'GetAccountAuthorizationDetails')).toHaveLength(1);
    expect(json.stats.apiCalls).toBe(actions.length);
  }, 40_000);

  it('exits 2 with one clear line when the audit role cannot be assumed', async () => {
    failAssumeRole = true;
    const { code, stdout, stderr } = await runCli(['audit', 'local']);
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr.trim().split('\n')).toHaveLength(1);
    expect(stderr).toContain('Cannot assume arn:aws:iam::123456789012:role/AuditReadOnly for account "local": AccessDenied: User: arn:aws:iam::111111111111:user/bot');
    expect(stderr).not.toMatch(/\n\s+at /);
  }, 40_000);
});
