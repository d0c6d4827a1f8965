/**
 * `audit --security-hub`: BatchImportFindings in batches of 100 with partial
 * failures reported, the resolved findings of earlier runs archived (only
 * where this run judged them), the credentials used, against
 * aws-sdk-client-mock.
 */
import { BatchImportFindingsCommand, GetFindingsCommand, SecurityHubClient, type AwsSecurityFinding } from '@aws-sdk/client-securityhub';
import { type AssumeRoleCommand, GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ALL_CHECKS } from '../../checks/index.js';
import type { AuditResult, Finding } from '../../src/audit/types.js';
import { RoleSessions } from '../../src/aws/session.js';
import { DEFAULT_TIMEOUTS } from '../../src/aws/timeouts.js';
import { checkSecurityHubAccount, sendToSecurityHub, type SecurityHubOptions } from '../../src/cli/security-hub.js';
import { FIELD, toAsff } from '../../src/terminal/asff.js';
import { ACCOUNT, awsError, fakeSessions } from '../helpers/aws.js';

const hub = mockClient(SecurityHubClient);
const sts = mockClient(STSClient);
const checks = new Map(ALL_CHECKS.map((c) => [c.id, c]));

const finding = (checkId: string, id: string, region = 'global'): Finding => ({
  checkId,
  severity: 'medium',
  accountId: ACCOUNT.accountId,
  region,
  resource: { type: 'AWS::IAM::User', id },
  message: `${id} is wrong`,
  fingerprint: `${checkId}/${region}/${id}`,
  details: {},
});

const audit = (findings: Finding[], errors: AuditResult['errors'] = [], checkIds = ['iam.user-console-mfa', 'ec2.security-group-ssh']): AuditResult =>
  ({
    account: { alias: ACCOUNT.alias, accountId: ACCOUNT.accountId },
    startedAt: '2026-12-03T09:00:00.000Z',
    findings,
    errors,
    scope: { checkIds, regions: ['global', 'us-east-1'], skippedRegions: [] },
    stats: { durationMs: 1, apiCalls: 1, apiCallsByOperation: {}, httpAttempts: 1, retries: 0, checksRun: 3, byCheck: {} },
  }) as AuditResult;

const options = (extra: Partial<SecurityHubOptions> = {}): SecurityHubOptions => ({
  account: { ...ACCOUNT, securityHubRoleArn: 'arn:aws:iam::123456789012:role/AuditFindingsImport' },
  partition: 'aws',
  sessions: fakeSessions(),
  sessionName: 'aws-audit-bot-test',
  env: {},
  timeouts: DEFAULT_TIMEOUTS,
  toolVersion: '0.1.0',
  now: () => new Date('2026-12-03T09:05:00.000Z'),
  ...extra,
});

/** What earlier runs sent, as Security Hub gives it back (with the fields it adds). */
function held(f: Finding, createdAt = '2026-11-01T00:00:00.000Z'): AwsSecurityFinding {
  const [asff] = toAsff(audit([f]), checks, { partition: 'aws', toolVersion: '0.0.9', now: createdAt, globalRegion: 'us-east-1' });
  return {
    ...asff!,
    ProductFields: { ...asff!.ProductFields, 'aws/securityhub/FindingId': 'arn:aws:securityhub:…', 'aws/securityhub/ProductName': 'Default' },
    Workflow: { Status: 'NOTIFIED' },
    ProcessedAt: createdAt,
  };
}

function stderr() {
  const lines: string[] = [];
  return { lines, write: (text: string) => void lines.push(...text.trimEnd().split('\n')) };
}

const imported = () => hub.commandCalls(BatchImportFindingsCommand).flatMap((c) => c.args[0].input.Findings ?? []);

beforeEach(() => {
  hub.reset();
  sts.reset();
  hub.on(GetFindingsCommand).resolves({ Findings: [] });
  hub
    .on(BatchImportFindingsCommand)
    .callsFake((input: { Findings: AwsSecurityFinding[] }) => ({ SuccessCount: input.Findings.length, FailedCount: 0, FailedFindings: [] }));
});
afterEach(() => {
  hub.reset();
  sts.reset();
});

describe('audit --security-hub', () => {
  it('imports in batches of 100 and reports each finding Security Hub refused', async () => {
    const findings = Array.from({ length: 250 }, (_, i) => finding('iam.user-console-mfa', `user-${String(i).padStart(3, '0')}`));
    let call = 0;
    hub.on(BatchImportFindingsCommand).callsFake((input: { Findings: AwsSecurityFinding[] }) => {
      call++;
      if (call !== 2) return { SuccessCount: input.Findings.length, FailedCount: 0, FailedFindings: [] };
      const refused = input.Findings.slice(0, 2).map((f) => ({ Id: f.Id, ErrorCode: 'InvalidInput', ErrorMessage: 'Finding does not adhere to ASFF' }));
      return { SuccessCount: input.Findings.length - 2, FailedCount: 2, FailedFindings: refused };
    });
    const err = stderr();
    const outcome = await sendToSecurityHub(audit(findings), audit(findings), checks, options(), err);
    expect(hub.commandCalls(BatchImportFindingsCommand).map((c) => c.args[0].input.Findings?.length)).toEqual([100, 100, 50]);
    expect(outcome.complete).toBe(false);
    expect(err.lines[0]).toBe('Security Hub (123456789012): us-east-1: 248 of 250 taken, 2 not taken');
    // One line per reason, naming the first finding.
    expect(err.lines.slice(1)).toEqual([
      expect.stringMatching(
        /^Security Hub: 2 findings not taken \(aws-audit-bot\/123456789012\/iam\.user-console-mfa\/.*user-100, …\): InvalidInput: Finding does not adhere to ASFF$/,
      ),
    ]);
  });

  it('archives what this run judged and no longer found, keeps what it could not judge, and keeps each finding’s CreatedAt', async () => {
    const stillThere = finding('iam.user-console-mfa', 'alice');
    const fixed = finding('iam.user-console-mfa', 'bob');
    const hidden = finding('ec2.security-group-ssh', 'sg-1', 'us-east-1'); // its check failed there this time
    const otherCheck = finding('iam.root-mfa', 'root'); // not run this time
    hub.on(GetFindingsCommand).resolves({ Findings: [held(stillThere), held(fixed), held(hidden), held(otherCheck)] });
    const now = audit([stillThere], [{ checkId: 'ec2.security-group-ssh', region: 'us-east-1', code: 'Throttling', message: 'Rate exceeded' }]);
    const err = stderr();
    const outcome = await sendToSecurityHub(now, now, checks, options(), err);
    expect(outcome.complete).toBe(true);
    const sent = imported();
    const byResource = (id: string) => sent.filter((f) => f.ProductFields?.[FIELD.resourceId] === id);
    expect(byResource('alice')).toMatchObject([{ RecordState: 'ACTIVE', CreatedAt: '2026-11-01T00:00:00.000Z', UpdatedAt: '2026-12-03T09:05:00.000Z' }]);
    const [archived] = byResource('bob');
    expect(archived).toMatchObject({ RecordState: 'ARCHIVED', UpdatedAt: '2026-12-03T09:05:00.000Z', Title: held(fixed).Title });
    // Only what a provider may send: not Security Hub's own fields, not the workflow its users own.
    expect(Object.keys(archived!.ProductFields ?? {}).some((k) => k.startsWith('aws/'))).toBe(false);
    expect(archived).not.toHaveProperty('Workflow');
    expect(byResource('sg-1').filter((f) => f.RecordState === 'ARCHIVED')).toEqual([]);
    expect(byResource('root')).toEqual([]);
    // What could not be checked goes in too, as NOT_AVAILABLE.
    expect(sent.filter((f) => f.Compliance?.Status === 'NOT_AVAILABLE')).toHaveLength(1);
    expect(err.lines).toEqual(['Security Hub (123456789012): us-east-1: 3 of 3 taken (1 archived: no longer found)']);
    // What it asked Security Hub for: our active findings on this account, in its default product.
    expect(hub.commandCalls(GetFindingsCommand)[0]!.args[0].input.Filters).toEqual({
      ProductArn: [{ Value: 'arn:aws:securityhub:us-east-1:123456789012:product/123456789012/default', Comparison: 'EQUALS' }],
      AwsAccountId: [{ Value: '123456789012', Comparison: 'EQUALS' }],
      GeneratorId: [{ Value: 'aws-audit-bot/', Comparison: 'PREFIX' }],
      RecordState: [{ Value: 'ACTIVE', Comparison: 'EQUALS' }],
    });
  });

  it('a finding left out by --severity is neither sent nor archived', async () => {
    const low = finding('iam.user-console-mfa', 'carol');
    hub.on(GetFindingsCommand).resolves({ Findings: [held(low)] });
    const full = audit([low]);
    await sendToSecurityHub(full, { ...full, findings: [] }, checks, options(), stderr());
    expect(hub.commandCalls(BatchImportFindingsCommand)).toHaveLength(0);
  });

  it('a region where Security Hub is off: its findings are reported refused with AWS’s reason, the other regions still get theirs', async () => {
    hub.on(GetFindingsCommand).rejects(awsError('InvalidAccessException', 'Account 123456789012 is not subscribed to AWS Security Hub'));
    hub.on(BatchImportFindingsCommand).callsFake((input: { Findings: AwsSecurityFinding[] }) => {
      if (input.Findings[0]!.ProductArn!.includes(':eu-west-1:'))
        throw awsError('InvalidAccessException', 'Account 123456789012 is not subscribed to AWS Security Hub');
      return { SuccessCount: input.Findings.length, FailedCount: 0 };
    });
    const result = { ...audit([finding('iam.user-console-mfa', 'dave'), finding('ec2.security-group-ssh', 'sg-2', 'eu-west-1')]) };
    result.scope = { ...result.scope, regions: ['global', 'eu-west-1'] };
    const err = stderr();
    const outcome = await sendToSecurityHub(result, result, checks, options(), err);
    expect(outcome.complete).toBe(false);
    expect(err.lines[0]).toBe('Security Hub (123456789012): eu-west-1: 0 of 1 taken, 1 not taken; us-east-1: 1 of 1 taken');
    expect(err.lines).toContainEqual(
      expect.stringMatching(
        /^Security Hub: could not read what Security Hub holds in eu-west-1 \(InvalidAccessException: .*not subscribed.*\): nothing was archived there$/,
      ),
    );
    expect(err.lines).toContainEqual(expect.stringMatching(/^Security Hub: not taken .*sg-2: InvalidAccessException: Account 123456789012 is not subscribed/));
  });

  it('assumes securityHubRoleArn (with the account’s external id); without it, only the account’s own credentials are used', async () => {
    const assumed: string[] = [];
    const sessions = new RoleSessions(
      () =>
        ({
          send: async (command: AssumeRoleCommand) => {
            assumed.push(`${command.input.RoleArn} ${command.input.ExternalId}`);
            return { Credentials: { AccessKeyId: 'ASIA', SecretAccessKey: 's', SessionToken: 't', Expiration: new Date(Date.now() + 3_600_000) } };
          },
        }) as never,
    );
    const role = options({ sessions, account: { ...options().account, externalId: 'ext-1' } });
    // The mock answers without resolving credentials; ask the provider the client was given.
    hub.on(BatchImportFindingsCommand).callsFake(async (input: { Findings: AwsSecurityFinding[] }, getClient: () => SecurityHubClient) => {
      await getClient().config.credentials();
      return { SuccessCount: input.Findings.length, FailedCount: 0 };
    });
    await sendToSecurityHub(audit([finding('iam.user-console-mfa', 'erin')]), audit([finding('iam.user-console-mfa', 'erin')]), checks, role, stderr());
    expect(assumed).toEqual(['arn:aws:iam::123456789012:role/AuditFindingsImport ext-1']);

    sts.on(GetCallerIdentityCommand).resolves({ Account: '111111111111' });
    const own = options({ account: ACCOUNT });
    await expect(checkSecurityHubAccount(own)).rejects.toMatchObject({
      code: 'NO_CREDENTIALS',
      message: expect.stringContaining('takes findings on account 123456789012 only from that account, and your credentials are in 111111111111'),
    });
    sts.on(GetCallerIdentityCommand).resolves({ Account: '123456789012' });
    await expect(checkSecurityHubAccount(own)).resolves.toBeUndefined();
    // With a role of its own, nobody asks STS who the caller is.
    sts.reset();
    await checkSecurityHubAccount(options());
    expect(sts.commandCalls(GetCallerIdentityCommand)).toHaveLength(0);
    hub.on(BatchImportFindingsCommand).resolves({ SuccessCount: 1, FailedCount: 0 });
    expect(
      (await sendToSecurityHub(audit([finding('iam.user-console-mfa', 'erin')]), audit([finding('iam.user-console-mfa', 'erin')]), checks, own, stderr()))
        .complete,
    ).toBe(true);
  });
});
