/**
 * The terminal audit end to end through the real SDK HTTP stack: the built
 * CLI runs as a process, AWS_ENDPOINT_URL points it at the local stand-in
 * (test/helpers/local-aws.ts).
 */
import { mkdtemp, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { PROCESS_TEST_TIMEOUT_MS, runCliProcess } from '../helpers/cli-process.js';
import { LocalAws } from '../helpers/local-aws.js';

const aws = new LocalAws();
const { actions, unanswered } = aws;
let configPath: string;

beforeAll(async () => {
  await aws.start();
  const dir = await mkdtemp(path.join(os.tmpdir(), 'audit-e2e-'));
  configPath = path.join(dir, 'audit.config.yml');
  await writeFile(configPath, 'accounts:\n  - alias: local\n    accountId: "123456789012"\n    roleArn: arn:aws:iam::123456789012:role/AuditReadOnly\n    regions: [us-east-1]\n');
});

afterAll(() => aws.stop());
beforeEach(() => aws.reset());

function runCli(args: string[]) {
  return runCliProcess(args, {
    env: {
      ...process.env,
      AUDIT_CONFIG: configPath,
      AWS_ENDPOINT_URL: aws.endpoint,
      AWS_ACCESS_KEY_ID: 'AKIABOTBOTBOTBOTBOTB',
      AWS_SECRET_ACCESS_KEY: 'secret',
      AWS_REGION: 'us-east-1',
      AWS_MAX_ATTEMPTS: '1',
    },
  });
}

describe('audit against a local AWS stand-in', () => {
  it('finds the problems through real SDK requests and prints the JSON contract', async () => {
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
  }, PROCESS_TEST_TIMEOUT_MS);

  it('exits 2 with one clear line when the audit role cannot be assumed', async () => {
    aws.failAssumeRole = true;
    const { code, stdout, stderr } = await runCli(['audit', 'local']);
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr.trim().split('\n')).toHaveLength(1);
    expect(stderr).toContain('Cannot assume arn:aws:iam::123456789012:role/AuditReadOnly for account "local": AccessDenied: User: arn:aws:iam::111111111111:user/bot');
    expect(stderr).not.toMatch(/\n\s+at /);
  }, PROCESS_TEST_TIMEOUT_MS);
});
