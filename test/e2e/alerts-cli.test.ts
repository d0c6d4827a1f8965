/**
 * `aws-audit-bot alerts` as a process, twice and three times, against the
 * local AWS stand-in and the local Slack stub: the first run sets the
 * cursor and posts nothing; a later one posts only what appeared since (a
 * security group opened to the world), with its Mute menu; one where nothing
 * appeared posts nothing. The digest's cursor is never touched.
 */
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PROCESS_TEST_TIMEOUT_MS, runCliProcess } from '../helpers/cli-process.js';
import { LocalAws } from '../helpers/local-aws.js';
import { menuEntries, SlackStub } from '../helpers/slack.js';

const aws = new LocalAws();
const stub = new SlackStub();
let dir: string;

beforeAll(async () => {
  await Promise.all([aws.start(), stub.start()]);
  dir = await mkdtemp(path.join(os.tmpdir(), 'audit-alerts-cli-'));
  await writeFile(
    path.join(dir, 'audit.config.yml'),
    'accounts:\n  - alias: local\n    accountId: "123456789012"\n    roleArn: arn:aws:iam::123456789012:role/AuditReadOnly\n    regions: [us-east-1]\nalerts:\n  channel: C0ALERTS1\n  minSeverity: critical\nstore:\n  path: db.json\n',
  );
});

afterAll(async () => {
  await Promise.all([aws.stop(), stub.stop()]);
});

function alerts() {
  return runCliProcess(['alerts'], {
    env: {
      PATH: process.env.PATH ?? '',
      AUDIT_CONFIG: path.join(dir, 'audit.config.yml'),
      SLACK_BOT_TOKEN: 'xoxb-1-2-abc',
      SLACK_API_URL: stub.apiUrl,
      AWS_ENDPOINT_URL: aws.endpoint,
      AWS_ACCESS_KEY_ID: 'AKIABOTBOTBOTBOTBOTB',
      AWS_SECRET_ACCESS_KEY: 'secret',
      AWS_REGION: 'us-east-1',
      AWS_MAX_ATTEMPTS: '1',
    },
  });
}

const OPENED = 'sg-0a1e47000000000001';
const openedGroup = `<item><ownerId>123456789012</ownerId><groupId>${OPENED}</groupId><groupName>opened-today</groupName><groupDescription>x</groupDescription><vpcId>vpc-0123456789abcdef0</vpcId><ipPermissions><item><ipProtocol>tcp</ipProtocol><fromPort>22</fromPort><toPort>22</toPort><groups/><ipRanges><item><cidrIp>0.0.0.0/0</cidrIp></item></ipRanges><ipv6Ranges/><prefixListIds/></item></ipPermissions><ipPermissionsEgress/></item>`;

describe('aws-audit-bot alerts', () => {
  it(
    'posts nothing on its first run, then only the finding that appeared, then nothing again',
    async () => {
      const first = await alerts();
      expect(first.stderr).toContain('First run: the alerts cursor is set');
      expect(first.code).toBe(0);
      expect(stub.callsOf('chat.postMessage')).toEqual([]);

      aws.intercept = ({ action, res }) => {
        if (action !== 'DescribeSecurityGroups') return false;
        res.writeHead(200, { 'content-type': 'text/xml' });
        res.end(
          `<DescribeSecurityGroupsResponse xmlns="http://ec2.amazonaws.com/doc/2016-11-15/"><requestId>r</requestId><securityGroupInfo>${openedGroup}</securityGroupInfo></DescribeSecurityGroupsResponse>`,
        );
        return true;
      };
      const second = await alerts();
      expect(second.code).toBe(0);
      expect(second.stderr).toContain('Posted the alert in C0ALERTS1');
      const posts = stub.callsOf('chat.postMessage');
      expect(posts).toHaveLength(1);
      expect(posts[0]!.args.channel).toBe('C0ALERTS1');
      expect(String(posts[0]!.args.text)).toMatch(/^\d+ new at or above critical in local$/);
      const blocks = posts[0]!.args.blocks as Record<string, unknown>[];
      expect(JSON.stringify(blocks)).toContain(OPENED);
      // Only what appeared: the root user's findings were there at the first run.
      expect(JSON.stringify(blocks)).not.toContain('iam.root-mfa');
      expect(blocks.flatMap(menuEntries).some((e) => e.group === 'Mute')).toBe(true);

      const third = await alerts();
      expect(third.code).toBe(0);
      expect(third.stderr).toContain('Nothing appeared at or above critical: nothing was posted.');
      expect(stub.callsOf('chat.postMessage')).toHaveLength(1);
      const db = JSON.parse(await readFile(path.join(dir, 'db.json'), 'utf8')) as { digest: { cursor: string | null }; alerts: { cursor: string | null } };
      expect(db.digest.cursor).toBeNull();
      expect(db.alerts.cursor).not.toBeNull();
    },
    PROCESS_TEST_TIMEOUT_MS * 2,
  );
});
