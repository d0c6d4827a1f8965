/**
 * The terminal audit end to end through the real SDK HTTP stack: the CLI runs
 * as a process, AWS_ENDPOINT_URL points it at a stand-in for STS, IAM and EC2
 * on 127.0.0.1 that answers in AWS's query-protocol XML.
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

let server: http.Server;
let endpoint: string;
let configPath: string;
const actions: string[] = [];

beforeAll(async () => {
  server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString()));
    req.on('end', () => {
      const action = new URLSearchParams(body).get('Action') ?? '';
      actions.push(action);
      const answer = handlers[action]?.() ?? error('InvalidAction', `no ${action} here`);
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
      ]),
    );
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
