/**
 * What AWS says is untrusted where the terminal shows it: a trail name and an
 * error code and message carrying terminal controls (a screen clear, an OSC
 * title with BEL, a bidi override, a line separator) reach the built CLI
 * through the real SDK, and come out in table, CSV and JSON as visible
 * escapes, never raw.
 */
import { mkdtemp, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PROCESS_TEST_TIMEOUT_MS, runCliProcess } from '../helpers/cli-process.js';
import { LocalAws } from '../helpers/local-aws.js';

const UNSAFE = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/;
const HOSTILE_NAME = 'trail\u001b[2J\u001b]0;pwned\u0007\u202egol\u2028forged line';
const HOSTILE_CODE = 'AccessDeniedException\u001b[31m';
const HOSTILE_MESSAGE = 'denied \u202eyb\u0007 \u2029 \u009b2J';

const aws = new LocalAws();
let configPath: string;

beforeAll(async () => {
  await aws.start();
  const dir = await mkdtemp(path.join(os.tmpdir(), 'audit-hostile-'));
  configPath = path.join(dir, 'audit.config.yml');
  await writeFile(
    configPath,
    'accounts:\n  - alias: local\n    accountId: "123456789012"\n    roleArn: arn:aws:iam::123456789012:role/AuditReadOnly\n    regions: [us-east-1]\n',
  );
  aws.intercept = ({ action, res }) => {
    if (!action.startsWith('cloudtrail:')) return false;
    res.writeHead(action === 'cloudtrail:DescribeTrails' ? 200 : 400, { 'content-type': 'application/x-amz-json-1.1' });
    res.end(
      JSON.stringify(
        action === 'cloudtrail:DescribeTrails'
          ? {
              trailList: [
                {
                  Name: HOSTILE_NAME,
                  TrailARN: `arn:aws:cloudtrail:us-east-1:123456789012:trail/${HOSTILE_NAME}`,
                  HomeRegion: 'us-east-1',
                  IsMultiRegionTrail: true,
                  S3BucketName: 'logs',
                  LogFileValidationEnabled: false,
                },
              ],
            }
          : { __type: HOSTILE_CODE, message: HOSTILE_MESSAGE },
      ),
    );
    return true;
  };
});
afterAll(() => aws.stop());

function audit(format: string) {
  return runCliProcess(['audit', 'local', '--format', format, '--check', 'cloudtrail.*'], {
    env: {
      PATH: process.env.PATH ?? '',
      AUDIT_CONFIG: configPath,
      AWS_ENDPOINT_URL: aws.endpoint,
      AWS_ACCESS_KEY_ID: 'AKIABOTBOTBOTBOTBOTB',
      AWS_SECRET_ACCESS_KEY: 'x',
      AWS_REGION: 'us-east-1',
    },
  });
}

describe('hostile AWS strings in terminal output', () => {
  it(
    'table: names, error codes and messages are shown escaped',
    async () => {
      const run = await audit('table');
      expect(run.code).toBe(1);
      expect(run.stdout).not.toMatch(UNSAFE);
      expect(run.stdout).toContain('trail\\x1b[2J\\x1b]0;pwned\\x07\\u202egol\\u2028forged line');
      expect(run.stdout).toContain('AccessDeniedException\\x1b[31m: denied \\u202eyb\\x07 \\u2029 \\x9b2J');
    },
    PROCESS_TEST_TIMEOUT_MS,
  );

  it(
    'csv: cells and the could-not-check lines on stderr are escaped',
    async () => {
      const run = await audit('csv');
      expect(run.stdout).not.toMatch(UNSAFE);
      expect(run.stderr).not.toMatch(UNSAFE);
      expect(run.stdout).toContain('\\x1b]0;pwned\\x07');
      expect(run.stderr).toContain('could not check cloudtrail.');
      expect(run.stderr).toContain('AccessDeniedException\\x1b[31m: denied \\u202eyb\\x07');
    },
    PROCESS_TEST_TIMEOUT_MS,
  );

  it(
    'json: nothing raw reaches the terminal, and the data parses back unchanged',
    async () => {
      const run = await audit('json');
      expect(run.stdout).not.toMatch(UNSAFE);
      const json = JSON.parse(run.stdout) as { findings: { resource: { id: string } }[]; errors: { code: string; message: string }[] };
      expect(json.findings.some((f) => f.resource.id.includes(HOSTILE_NAME))).toBe(true);
      expect(json.errors.some((e) => e.code === HOSTILE_CODE && e.message === HOSTILE_MESSAGE)).toBe(true);
    },
    PROCESS_TEST_TIMEOUT_MS,
  );
});
