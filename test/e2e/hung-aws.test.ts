/**
 * No AWS call may hang an audit: the built CLI as a process, against the
 * local stand-in made to misbehave the way real networks do: a server that
 * takes the request and never answers, one that resets the connection, an
 * STS that never answers. Each audit ends, with the report and error
 * entries saying what happened.
 */
import { mkdtemp, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { PROCESS_TEST_TIMEOUT_MS, runCliProcess } from '../helpers/cli-process.js';
import { LocalAws } from '../helpers/local-aws.js';

const aws = new LocalAws();
let dir: string;

beforeAll(async () => {
  await aws.start();
  dir = await mkdtemp(path.join(os.tmpdir(), 'audit-hung-'));
});
afterAll(() => aws.stop());
beforeEach(() => aws.reset());

async function audit(auditSettings: string) {
  const configPath = path.join(dir, `audit-${Math.random().toString(36).slice(2)}.config.yml`);
  await writeFile(
    configPath,
    `accounts:\n  - alias: local\n    accountId: "123456789012"\n    roleArn: arn:aws:iam::123456789012:role/AuditReadOnly\n    regions: [us-east-1]\naudit:\n${auditSettings}`,
  );
  const run = await runCliProcess(['audit', 'local', '--format', 'json'], {
    env: {
      PATH: process.env.PATH ?? '',
      AUDIT_CONFIG: configPath,
      AWS_ENDPOINT_URL: aws.endpoint,
      AWS_ACCESS_KEY_ID: 'AKIABOTBOTBOTBOTBOTB',
      AWS_SECRET_ACCESS_KEY: 'secret',
      AWS_REGION: 'us-east-1',
    },
  });
  const json = run.stdout
    ? (JSON.parse(run.stdout) as {
        findings: { checkId: string }[];
        errors: { checkId: string; code: string; message: string }[];
        stats: { retries: number; durationMs: number; apiCallsByOperation: Record<string, number> };
      })
    : undefined;
  return { ...run, json };
}

/** The EC2 checks that read security groups. */
const SG_CHECKS = ['ec2.sg-open-all', 'ec2.sg-risky-ports', 'ec2.sg-open-other', 'ec2.default-sg-traffic'];

describe('an AWS endpoint that never answers', () => {
  it(
    'fails that call after the request timeout and its retries; the rest of the audit is reported',
    async () => {
      aws.intercept = ({ action }) => action === 'DescribeSecurityGroups'; // taken, never answered
      const run = await audit('  requestTimeoutSeconds: 1\n');
      expect(run.signal).toBeNull();
      expect(run.code).toBe(1);
      const stuck = run.json!.errors.filter((e) => SG_CHECKS.includes(e.checkId));
      expect(stuck.length).toBeGreaterThan(0);
      for (const e of stuck) {
        expect(e.code).toBe('RequestTimeout');
        expect(e.message).toBe('no answer within 1 s (audit.requestTimeoutSeconds) (after 5 attempts)');
      }
      // Retried like every call (5 attempts), and counted.
      expect(aws.actions.filter((a) => a === 'DescribeSecurityGroups')).toHaveLength(5);
      expect(run.json!.stats.retries).toBeGreaterThanOrEqual(4);
      expect(run.json!.findings.map((f) => f.checkId)).toContain('iam.root-mfa');
    },
    PROCESS_TEST_TIMEOUT_MS,
  );

  it(
    'ends at the audit deadline with error entries naming what it still waited for, and the report',
    async () => {
      aws.intercept = ({ action }) => action === 'DescribeSecurityGroups';
      const run = await audit('  requestTimeoutSeconds: 600\n  timeoutSeconds: 2\n');
      expect(run.signal).toBeNull();
      expect(run.code).toBe(1);
      const late = run.json!.errors.filter((e) => e.code === 'AuditDeadline');
      expect(late.map((e) => e.checkId).sort()).toEqual(expect.arrayContaining(SG_CHECKS.filter((c) => c !== 'ec2.sg-open-other')));
      expect(late[0]!.message).toBe(
        'Not finished: the audit reached its deadline of 2 s (audit.timeoutSeconds). Still waiting for ec2:DescribeSecurityGroups@us-east-1.',
      );
      expect(run.json!.findings.map((f) => f.checkId)).toContain('iam.root-mfa');
      expect(run.json!.stats.durationMs).toBeGreaterThanOrEqual(2_000);
    },
    PROCESS_TEST_TIMEOUT_MS,
  );

  it(
    'reports a connection reset as ECONNRESET after the retries',
    async () => {
      aws.intercept = ({ action, req }) => {
        if (action !== 'DescribeSecurityGroups') return false;
        req.socket.destroy();
        return true;
      };
      const run = await audit('  requestTimeoutSeconds: 5\n');
      expect(run.code).toBe(1);
      const reset = run.json!.errors.filter((e) => SG_CHECKS.includes(e.checkId));
      expect(reset.length).toBeGreaterThan(0);
      for (const e of reset) {
        expect(e.code).toBe('ECONNRESET');
        expect(e.message).toMatch(/^the connection was reset by the other end \(after 5 attempts\)/);
      }
    },
    PROCESS_TEST_TIMEOUT_MS,
  );

  it(
    'gives up on an STS that never answers, with one line naming the timeout',
    async () => {
      aws.intercept = ({ action }) => action === 'AssumeRole';
      const run = await audit('  requestTimeoutSeconds: 1\n');
      expect(run.signal).toBeNull();
      expect(run.code).toBe(2);
      expect(run.stderr.trim()).toBe(
        'Cannot assume arn:aws:iam::123456789012:role/AuditReadOnly for account "local": RequestTimeout: no answer within 1 s (audit.requestTimeoutSeconds) (after 5 attempts).',
      );
      expect(aws.actions.filter((a) => a === 'AssumeRole')).toHaveLength(5);
    },
    PROCESS_TEST_TIMEOUT_MS,
  );

  it(
    'retries a throttled AssumeRole like every other call: throttling is not a denial',
    async () => {
      let throttled = 0;
      aws.intercept = ({ action, res }) => {
        if (action !== 'AssumeRole' || throttled >= 4) return false;
        throttled++;
        res.writeHead(400, { 'content-type': 'text/xml' });
        res.end(LocalAws.queryError('Throttling', 'Rate exceeded').body);
        return true;
      };
      const run = await audit('  requestTimeoutSeconds: 5\n');
      expect(run.stderr).toBe('');
      expect(run.code).toBe(1);
      expect(aws.actions.filter((a) => a === 'AssumeRole')).toHaveLength(5);
      expect(run.json!.stats.apiCallsByOperation).toMatchObject({ 'sts:AssumeRole': 1 });
      expect(run.json!.stats.retries).toBeGreaterThanOrEqual(4);
    },
    PROCESS_TEST_TIMEOUT_MS,
  );
});
