import { IAMClient, ListAccessKeysCommand, UpdateAccessKeyCommand } from '@aws-sdk/client-iam';
import { EC2Client } from '@aws-sdk/client-ec2';
import { S3Client } from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { ALL_CHECKS } from '../../checks/index.js';
import { findingFingerprint } from '../../src/audit/fingerprint.js';
import { parseConfig } from '../../src/config.js';
import { History } from '../../src/history/history.js';
import { findingRef } from '../../src/history/mutes.js';
import { createLogger } from '../../src/log.js';
import { RemediationService, type ActionRecord } from '../../src/remediation/service.js';
import { fakeSessions } from '../helpers/aws.js';
import { tempStore } from '../helpers/store.js';

const CONFIG = parseConfig(
  `accounts:
  - alias: prod
    accountId: "123456789012"
    roleArn: arn:aws:iam::123456789012:role/AuditReadOnly
    remediationRoleArn: arn:aws:iam::123456789012:role/AuditRemediation
access:
  remediators: [U0ALICE01]
remediation:
  mode: apply
`,
  '/x/audit.config.yml',
);
const KEY = 'AKIAIOSFODNN7EXAMPLE';
const CREATED = new Date('2024-01-02T03:04:05.000Z');
const iam = mockClient(IAMClient);
let status: 'Active' | 'Inactive' = 'Active';
const clients = () => ({ iam: () => new IAMClient({ region: 'us-east-1' }), ec2: (r: string) => new EC2Client({ region: r }), s3: (r: string) => new S3Client({ region: r }) });

beforeEach(() => {
  iam.reset();
  status = 'Active';
  iam.on(ListAccessKeysCommand).callsFake(() => ({ AccessKeyMetadata: [{ UserName: 'deploy-bot', AccessKeyId: KEY, Status: status, CreateDate: CREATED }], IsTruncated: false }));
});

describe('RemediationService', () => {
  it('a bot that stops between the AWS write and its outcome leaves an "applying" entry: no second write, and it can still be undone', async () => {
    const { store } = await tempStore();
    const history = new History(store, { now: () => new Date('2026-11-23T12:00:00.000Z') });
    const fingerprint = findingFingerprint({ checkId: 'iam.access-key-rotation', accountId: '123456789012', region: 'global', resourceId: 'deploy-bot/access-key-1' });
    const { scanId } = await history.record(
      {
        account: { alias: 'prod', accountId: '123456789012' },
        startedAt: '2026-11-23T12:00:00.000Z',
        findings: [
          {
            checkId: 'iam.access-key-rotation',
            severity: 'high',
            accountId: '123456789012',
            region: 'global',
            resource: { type: 'AWS::IAM::AccessKey', id: 'deploy-bot/access-key-1' },
            message: 'old key',
            fingerprint,
            details: { userName: 'deploy-bot', keySlot: 1, keyCreatedAt: CREATED.toISOString(), ageDays: 1056, lastUsedAt: null },
          },
        ],
        errors: [],
        scope: { checkIds: ['iam.access-key-rotation'], regions: ['global'], skippedRegions: [] },
        stats: { durationMs: 1, apiCalls: 1, apiCallsByOperation: {}, checksRun: 1, byCheck: {} },
      },
      'prod',
    );
    const logger = createLogger({ format: 'json', level: 'silent' });
    const make = () => new RemediationService({ config: CONFIG, checks: ALL_CHECKS, store, sessions: fakeSessions(), logger, now: () => new Date('2026-11-23T12:05:00.000Z'), clients });
    // AWS takes the write, and the bot never hears back (it stops).
    iam.on(UpdateAccessKeyCommand).callsFakeOnce(() => {
      status = 'Inactive';
      return new Promise(() => undefined);
    });
    void make().execute({ user: 'U0ALICE01', ref: findingRef(scanId, fingerprint), requestId: '11111111-1111-4111-8111-111111111111' });
    const log = () => store.data.actions as unknown as ActionRecord[];
    const end = Date.now() + 2_000;
    while (iam.commandCalls(UpdateAccessKeyCommand).length === 0 && Date.now() < end) await new Promise((r) => setTimeout(r, 10));
    expect(log().map((r) => r.result)).toEqual(['applying']);
    expect(log()[0]!.state).toEqual({ userName: 'deploy-bot', accessKeyIds: [KEY] });

    // The restarted bot: another click finds the fix under way or done, and writes nothing.
    const restarted = make();
    const again = await restarted.execute({ user: 'U0ALICE01', ref: findingRef(scanId, fingerprint), requestId: '22222222-2222-4222-8222-222222222222' });
    expect(again.kind).toBe('already');
    expect(iam.commandCalls(UpdateAccessKeyCommand)).toHaveLength(1);
    // Undo still works from the recorded state.
    iam.on(UpdateAccessKeyCommand).callsFake((input: { Status: 'Active' | 'Inactive' }) => ((status = input.Status), {}));
    const undone = await restarted.undo({ recordId: log()[0]!.id, user: 'U0ALICE01', requestId: 'undo-1' });
    expect(undone.kind).toBe('undone');
    expect(iam.commandCalls(UpdateAccessKeyCommand).at(-1)!.args[0].input).toEqual({ UserName: 'deploy-bot', AccessKeyId: KEY, Status: 'Active' });
    expect(log().map((r) => r.result)).toEqual(['applying', 'undone']);
    await store.close();
  });
});
