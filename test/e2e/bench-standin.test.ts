/**
 * The performance benchmark's AWS stand-in (bench/aws-server.ts) keeps
 * serving what the audit asks: the built CLI audits a synthetic account
 * through it, every service in its own protocol, with no error and nothing
 * the stand-in could not decode. A figure measured over error answers would
 * understate what an audit costs.
 */
import { mkdtemp, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AwsStandIn } from '../../bench/aws-server.js';
import { FakeAws } from '../../bench/fake-aws.js';
import { smallAccount } from '../../bench/synthetic.js';
import { PROCESS_TEST_TIMEOUT_MS, runCliProcess } from '../helpers/cli-process.js';

const aws = new AwsStandIn(0);
beforeAll(() => aws.start());
afterAll(() => aws.stop());

describe('the benchmark stand-in for AWS', () => {
  it(
    'serves a whole audit of a synthetic account to the built CLI, in every protocol, without an error',
    async () => {
      const account = smallAccount();
      aws.serve(new FakeAws(account));
      const dir = await mkdtemp(path.join(os.tmpdir(), 'bench-standin-'));
      const config = path.join(dir, 'audit.config.yml');
      await writeFile(
        config,
        `accounts:\n  - alias: ${account.name}\n    accountId: "${account.accountId}"\n    roleArn: arn:aws:iam::${account.accountId}:role/AuditReadOnly\n`,
      );
      const run = await runCliProcess(['audit', account.name, '--format', 'json'], {
        env: { ...process.env, AUDIT_CONFIG: config, AWS_ENDPOINT_URL: aws.endpoint, AWS_MAX_ATTEMPTS: '1' },
      });
      expect(run.stderr).toBe('');
      const json = JSON.parse(run.stdout) as { findings: { checkId: string }[]; errors: unknown[]; stats: { apiCalls: number } };
      expect(json.errors).toEqual([]);
      const stats = aws.stats();
      expect(stats.problems).toEqual([]);
      expect(stats.calls).toBe(json.stats.apiCalls);
      // Query (IAM, STS, RDS, ELB), EC2 query, JSON (CloudTrail, KMS, Config), REST-XML (S3, Route 53, CloudFront), REST-JSON (EFS, Security Hub).
      for (const operation of [
        'iam:GetAccountAuthorizationDetails',
        'sts:AssumeRole',
        'rds:DescribeDBInstances',
        'elbv2:DescribeListeners',
        'ec2:DescribeSecurityGroups',
        'cloudtrail:DescribeTrails',
        'kms:DescribeKey',
        'config:DescribeConfigurationRecorders',
        's3:GetBucketAcl',
        'route53:ListResourceRecordSets',
        'cloudfront:ListDistributions',
        'efs:DescribeFileSystems',
        'securityhub:DescribeHub',
      ]) {
        expect(stats.byOperation[operation], operation).toBeGreaterThan(0);
      }
      // The synthetic account's problems come through the wire, one service of each protocol at least.
      expect(json.findings.length).toBeGreaterThan(100);
      expect(json.findings.map((f) => f.checkId)).toEqual(
        expect.arrayContaining([
          'iam.root-mfa',
          'ec2.public-snapshot',
          's3.public-acl',
          'rds.deletion-protection',
          'elb.listener-insecure',
          'kms.key-rotation',
          'efs.encryption',
          'cloudfront.viewer-tls',
          'route53.dmarc',
        ]),
      );
    },
    PROCESS_TEST_TIMEOUT_MS,
  );
});
