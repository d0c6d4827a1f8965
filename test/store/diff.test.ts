import { DescribeTrailsCommand } from '@aws-sdk/client-cloudtrail';
import { beforeEach, describe, expect, it } from 'vitest';
import kms from '../../checks/cloudtrail/kms.js';
import { ALL_CHECKS } from '../../checks/index.js';
import { findingFingerprint } from '../../src/audit/fingerprint.js';
import type { AuditResult, CheckError, Finding, Severity } from '../../src/audit/types.js';
import { REGION_DISCOVERY } from '../../src/audit/regions.js';
import { applyScan as applyScanAt, coverage, inScope, perTrailChecks, type FindingState } from '../../src/store/diff.js';
import { audit, awsError } from '../helpers/aws.js';
import { cloudtrail, ec2, multiRegionTrail, serveRegions, serveTrails, trail } from '../checks/cloudtrail/trail-fixtures.js';

const ACCOUNT_ID = '123456789012';
const OTHER_ACCOUNT = '210987654321';
const T0 = '2026-11-02T09:00:00.000Z';
const T1 = '2026-11-09T09:00:00.000Z';
const T2 = '2026-11-16T09:00:00.000Z';

const ACCESS_KEY = 'iam.access-key-rotation';
const CONSOLE_MFA = 'iam.user-console-mfa';
const IMDSV2 = 'ec2.imdsv2';
const ENCRYPTION = 's3.default-encryption';
const TRAIL_KMS = 'cloudtrail.kms';
const TRAIL_BUCKET = 'cloudtrail.bucket-public';
const TRAIL_ENABLED = 'cloudtrail.enabled';
const TRAIL_ARN = 'arn:aws:cloudtrail:us-east-1:123456789012:trail/audit';

interface FindingInput {
  severity?: Severity;
  message?: string;
  accountId?: string;
  details?: Finding['details'];
}

function finding(checkId: string, region: string, resourceId: string, input: FindingInput = {}): Finding {
  const accountId = input.accountId ?? ACCOUNT_ID;
  return {
    checkId,
    severity: input.severity ?? 'medium',
    accountId,
    region,
    resource: { type: 'AWS::Test::Resource', id: resourceId },
    message: input.message ?? `${checkId} fails on ${resourceId}`,
    fingerprint: findingFingerprint({ checkId, accountId, region, resourceId }),
    ...(input.details ? { details: input.details } : {}),
  };
}

/** A per-trail finding on the trail `audit` (home us-east-1), as the cloudtrail checks make it. */
function trailFinding(checkId: string, multiRegion: boolean): Finding {
  return finding(checkId, 'us-east-1', TRAIL_ARN, { details: { trailArn: TRAIL_ARN, homeRegion: 'us-east-1', isMultiRegion: multiRegion } });
}

interface ScanInput {
  checkIds: string[];
  regions: string[];
  findings?: Finding[];
  errors?: CheckError[];
  accountId?: string;
}

/** Applies a scan that started at `at` and is recorded at `at` (the history's own time is tested in history.test.ts). */
function applyScan(previous: readonly FindingState[], result: AuditResult, at: string) {
  return applyScanAt(previous, { ...result, startedAt: at }, at);
}

function scan(input: ScanInput): AuditResult {
  return {
    account: { alias: 'sandbox', accountId: input.accountId ?? ACCOUNT_ID },
    startedAt: T0,
    findings: input.findings ?? [],
    errors: input.errors ?? [],
    scope: { checkIds: input.checkIds, regions: input.regions, skippedRegions: [] },
    stats: { durationMs: 1, apiCalls: 1, apiCallsByOperation: {}, httpAttempts: 0, retries: 0, checksRun: 1, byCheck: {} },
  };
}

/** The states a first scan that found these would leave. */
function history(findings: Finding[], at = T0): FindingState[] {
  const checkIds = [...new Set(findings.map((f) => f.checkId))];
  const regions = [...new Set(findings.map((f) => f.region))];
  return applyScan([], scan({ checkIds, regions, findings }), at).states;
}

function state(states: readonly FindingState[], f: { fingerprint: string }): FindingState | undefined {
  return states.find((s) => s.fingerprint === f.fingerprint);
}

const fps = (list: readonly { fingerprint: string }[]) => list.map((x) => x.fingerprint).sort();

const denied = (checkId: string, region: string, resource?: string): CheckError => ({
  checkId,
  region,
  code: 'AccessDenied',
  message: 'User is not authorized to perform this action',
  ...(resource !== undefined ? { resource } : {}),
});

describe('applyScan: new, still open, resolved, reopened', () => {
  const alice = finding(ACCESS_KEY, 'global', 'alice', { severity: 'high', message: 'key 120 days old' });
  const bob = finding(ACCESS_KEY, 'global', 'bob');
  const carol = finding(CONSOLE_MFA, 'global', 'carol', { severity: 'critical' });
  const checkIds = [ACCESS_KEY, CONSOLE_MFA];
  const regions = ['global'];

  it('opens every finding of a first scan, first and last seen now', () => {
    const outcome = applyScan([], scan({ checkIds, regions, findings: [bob, alice, carol] }), T0);
    expect(outcome.opened).toEqual([carol, alice, bob]); // by severity, then check, region, resource
    expect(outcome).toMatchObject({ reopened: [], resolved: [], stillOpen: [], untouched: [] });
    expect(outcome.states).toHaveLength(3);
    expect(state(outcome.states, alice)).toEqual({
      fingerprint: alice.fingerprint,
      checkId: ACCESS_KEY,
      accountId: ACCOUNT_ID,
      region: 'global',
      resourceId: 'alice',
      severity: 'high',
      message: 'key 120 days old',
      firstSeen: T0,
      lastSeen: T0,
      resolvedAt: null,
      reopenedAt: null,
      fix: null,
    });
    // The fix the audit offered is kept with the state (what the menus offer, and what a fix may do).
    const withFix = applyScan([], scan({ checkIds, regions, findings: [{ ...alice, fix: 'iam.deactivate-access-key' }] }), T0);
    expect(withFix.states[0]!.fix).toBe('iam.deactivate-access-key');
  });

  it('keeps what is seen again open (latest severity and message), resolves what is gone, opens what is new', () => {
    const before = history([alice, bob]);
    const aliceNow = { ...alice, severity: 'critical' as const, message: 'key 400 days old' };
    const outcome = applyScan(before, scan({ checkIds, regions, findings: [aliceNow, carol] }), T1);

    expect(outcome.stillOpen).toEqual([aliceNow]);
    expect(outcome.opened).toEqual([carol]);
    expect(outcome.resolved).toEqual([{ ...state(before, bob)!, resolvedAt: T1, resolvedScanAt: T1 }]);
    expect(outcome.reopened).toEqual([]);
    expect(outcome.untouched).toEqual([]);

    expect(state(outcome.states, alice)).toMatchObject({ firstSeen: T0, lastSeen: T1, severity: 'critical', message: 'key 400 days old', resolvedAt: null });
    // A resolved finding stays in the history.
    expect(state(outcome.states, bob)).toMatchObject({ firstSeen: T0, lastSeen: T0, resolvedAt: T1, reopenedAt: null });
    expect(state(outcome.states, carol)).toMatchObject({ firstSeen: T1, lastSeen: T1, resolvedAt: null });
    expect(outcome.states).toHaveLength(3);
  });

  it('reopens a resolved finding that came back, keeping when it was first seen', () => {
    const resolved = applyScan(history([alice, bob]), scan({ checkIds, regions, findings: [alice] }), T1).states;
    const bobBack = { ...bob, message: 'key 200 days old' };
    const outcome = applyScan(resolved, scan({ checkIds, regions, findings: [alice, bobBack] }), T2);
    expect(outcome.reopened).toEqual([bobBack]);
    expect(outcome.stillOpen).toEqual([alice]);
    expect(outcome).toMatchObject({ opened: [], resolved: [], untouched: [] });
    expect(state(outcome.states, bob)).toMatchObject({ firstSeen: T0, lastSeen: T2, resolvedAt: null, reopenedAt: T2, message: 'key 200 days old' });

    // Still there the week after: still open, not reopened again; the reopening time stays.
    const after = applyScan(outcome.states, scan({ checkIds, regions, findings: [alice, bobBack] }), '2026-11-23T09:00:00.000Z');
    expect(after.stillOpen).toEqual([alice, bobBack]);
    expect(after.reopened).toEqual([]);
    expect(state(after.states, bob)).toMatchObject({ reopenedAt: T2, lastSeen: '2026-11-23T09:00:00.000Z' });
  });

  it('leaves a resolved finding that is still gone as it was', () => {
    const resolved = applyScan(history([alice, bob]), scan({ checkIds, regions, findings: [alice] }), T1).states;
    const outcome = applyScan(resolved, scan({ checkIds, regions, findings: [alice] }), T2);
    expect(outcome.resolved).toEqual([]);
    expect(outcome.untouched).toEqual([]);
    expect(state(outcome.states, bob)).toEqual(state(resolved, bob));
  });

  it('is idempotent: the same scan applied twice opens, resolves and reopens nothing the second time', () => {
    const before = history([alice, bob]);
    const result = scan({ checkIds, regions, findings: [alice, carol] });
    const first = applyScan(before, result, T1);
    expect(first.opened).toHaveLength(1);
    expect(first.resolved).toHaveLength(1);

    const again = applyScan(first.states, result, T1);
    expect(again).toMatchObject({ opened: [], reopened: [], resolved: [], untouched: [] });
    expect(again.stillOpen).toEqual([carol, alice]);
    expect(again.states).toEqual(first.states);

    // Applied later: only lastSeen moves.
    const later = applyScan(first.states, result, T2);
    expect(later).toMatchObject({ opened: [], reopened: [], resolved: [] });
    expect(later.states).toEqual(first.states.map((s) => (s.resolvedAt === null ? { ...s, lastSeen: T2 } : s)));
  });

  it('orders its output the same whatever the order of its input', () => {
    const findings = [alice, bob, carol];
    const prev = history([alice, bob, carol]);
    const a = applyScan(prev, scan({ checkIds, regions, findings }), T1);
    const b = applyScan([...prev].reverse(), scan({ checkIds, regions, findings: [...findings].reverse() }), T1);
    expect(b).toEqual(a);
    expect(a.states.map((s) => s.fingerprint)).toEqual(fps(a.states));

    const gone = applyScan(prev, scan({ checkIds, regions }), T1);
    expect(gone.resolved.map((s) => s.resourceId)).toEqual(['carol', 'alice', 'bob']);
  });

  it('does not mutate the previous states it is given', () => {
    const before = history([alice, bob]);
    const copy = structuredClone(before);
    applyScan(before, scan({ checkIds, regions, findings: [carol] }), T1);
    expect(before).toEqual(copy);
  });
});

describe('applyScan: scans that finish out of order', () => {
  const T3 = '2026-11-16T09:30:00.000Z';
  const alice = finding(CONSOLE_MFA, 'global', 'alice');
  const bob = finding(CONSOLE_MFA, 'global', 'bob');
  const iam = { checkIds: [CONSOLE_MFA], regions: ['global'] };
  const at = (result: AuditResult, startedAt: string): AuditResult => ({ ...result, startedAt });

  it('stamps changes with the time they are recorded, and lastSeen with when the scan looked', () => {
    const { states } = applyScanAt([], at(scan({ ...iam, findings: [alice] }), T1), T3);
    expect(state(states, alice)).toMatchObject({ firstSeen: T3, lastSeen: T1 });
    const { states: later, resolved } = applyScanAt(states, at(scan({ ...iam, findings: [] }), T2), T3);
    expect(resolved).toHaveLength(1);
    expect(state(later, alice)).toMatchObject({ resolvedAt: T3, resolvedScanAt: T2 });
  });

  it('an older scan recorded after a newer one neither resolves what the newer one saw nor lowers lastSeen', () => {
    const newer = applyScanAt([], at(scan({ ...iam, findings: [alice, bob] }), T2), T2).states;
    const older = applyScanAt(newer, at(scan({ ...iam, findings: [alice] }), T1), T3);
    expect(older.resolved).toEqual([]);
    expect(fps(older.untouched)).toEqual(fps([bob]));
    expect(state(older.states, bob)).toMatchObject({ resolvedAt: null, lastSeen: T2 });
    expect(state(older.states, alice)).toMatchObject({ lastSeen: T2 });
  });

  it('an older scan that still saw a finding a newer scan found fixed does not reopen it', () => {
    const seen = applyScanAt([], at(scan({ ...iam, findings: [alice] }), T0), T0).states;
    const fixed = applyScanAt(seen, at(scan({ ...iam, findings: [] }), T2), T2).states;
    const stale = applyScanAt(fixed, at(scan({ ...iam, findings: [alice] }), T1), T3);
    expect(stale.reopened).toEqual([]);
    expect(state(stale.states, alice)).toMatchObject({ resolvedAt: T2, reopenedAt: null });
    // A scan that started after the fix does reopen it.
    const back = applyScanAt(fixed, at(scan({ ...iam, findings: [alice] }), T3), T3);
    expect(fps(back.reopened)).toEqual(fps([alice]));
    expect(state(back.states, alice)).toMatchObject({ resolvedAt: null, reopenedAt: T3, lastSeen: T3 });
    expect(state(back.states, alice)!.resolvedScanAt).toBeUndefined();
  });
});

describe('applyScan: only what the scan covered resolves', () => {
  const aliceKey = finding(ACCESS_KEY, 'global', 'alice');
  const webUsEast = finding(IMDSV2, 'us-east-1', 'i-0aaa');
  const webEuWest = finding(IMDSV2, 'eu-west-1', 'i-0bbb');

  it('an audit of the iam checks resolves nothing of ec2, in any region', () => {
    const before = history([aliceKey, webUsEast, webEuWest]);
    // What the runner reports for iam checks only: global checks ran, no region was audited.
    const result = scan({ checkIds: [ACCESS_KEY, CONSOLE_MFA], regions: ['global'] });
    const outcome = applyScan(before, result, T1);
    expect(fps(outcome.resolved)).toEqual(fps([aliceKey]));
    expect(fps(outcome.untouched)).toEqual(fps([webUsEast, webEuWest]));
    expect(state(outcome.states, webUsEast)).toEqual(state(before, webUsEast));
    expect(coverage(state(before, webUsEast)!, result)).toEqual({ covered: false, reason: 'check-not-run' });
    expect(inScope(state(before, aliceKey)!, result)).toBe(true);
  });

  it('an audit of us-east-1 resolves nothing of eu-west-1', () => {
    const before = history([aliceKey, webUsEast, webEuWest]);
    const result = scan({ checkIds: [ACCESS_KEY, IMDSV2], regions: ['global', 'us-east-1'] });
    const outcome = applyScan(before, result, T1);
    expect(fps(outcome.resolved)).toEqual(fps([aliceKey, webUsEast]));
    expect(fps(outcome.untouched)).toEqual(fps([webEuWest]));
    expect(coverage(state(before, webEuWest)!, result)).toEqual({ covered: false, reason: 'region-not-audited' });
  });

  it('an audit of iam in us-east-1 resolves only iam, and only what is global or in us-east-1', () => {
    const iamRegional = finding('iam.access-analyzer', 'eu-west-1', 'analyzer'); // a regional check of the same service
    const before = history([aliceKey, webUsEast, webEuWest, iamRegional]);
    const result = scan({ checkIds: [ACCESS_KEY, 'iam.access-analyzer'], regions: ['global', 'us-east-1'] });
    const outcome = applyScan(before, result, T1);
    expect(fps(outcome.resolved)).toEqual(fps([aliceKey]));
    expect(fps(outcome.untouched)).toEqual(fps([webUsEast, webEuWest, iamRegional]));
  });

  it('an AccessDenied for a check in a region resolves nothing of that check there', () => {
    const before = history([webUsEast, webEuWest, aliceKey]);
    const error = denied(IMDSV2, 'eu-west-1');
    const result = scan({ checkIds: [IMDSV2, ACCESS_KEY], regions: ['global', 'us-east-1', 'eu-west-1'], errors: [error] });
    const outcome = applyScan(before, result, T1);
    expect(fps(outcome.resolved)).toEqual(fps([webUsEast, aliceKey]));
    expect(outcome.untouched).toEqual([state(before, webEuWest)]);
    expect(coverage(state(before, webEuWest)!, result)).toEqual({ covered: false, reason: 'check-error', error });
  });

  it('a global check that failed resolves none of its findings', () => {
    const before = history([aliceKey]);
    const outcome = applyScan(before, scan({ checkIds: [ACCESS_KEY], regions: ['global'], errors: [denied(ACCESS_KEY, 'global')] }), T1);
    expect(outcome.resolved).toEqual([]);
    expect(fps(outcome.untouched)).toEqual(fps([aliceKey]));
  });

  it('an error for one resource (a bucket) blocks only that resource', () => {
    const logs = finding(ENCRYPTION, 'global', 'logs-bucket');
    const assets = finding(ENCRYPTION, 'global', 'assets-bucket');
    const before = history([logs, assets]);
    const error = denied(ENCRYPTION, 'global', 'logs-bucket');
    const result = scan({ checkIds: [ENCRYPTION], regions: ['global'], errors: [error] });
    const outcome = applyScan(before, result, T1);
    expect(fps(outcome.resolved)).toEqual(fps([assets]));
    expect(fps(outcome.untouched)).toEqual(fps([logs]));
    expect(coverage(state(before, logs)!, result)).toEqual({ covered: false, reason: 'check-error', error });
  });

  it('an error for one resource of a check blocks nothing of another check, nor the same resource in another region', () => {
    const sgUs = finding('ec2.sg-risky-ports', 'us-east-1', 'sg-1');
    const sgEu = finding('ec2.sg-risky-ports', 'eu-west-1', 'sg-1');
    const other = finding('ec2.sg-open-all', 'us-east-1', 'sg-1');
    const before = history([sgUs, sgEu, other]);
    const result = scan({
      checkIds: ['ec2.sg-risky-ports', 'ec2.sg-open-all'],
      regions: ['us-east-1', 'eu-west-1'],
      errors: [denied('ec2.sg-risky-ports', 'us-east-1', 'sg-1')],
    });
    const outcome = applyScan(before, result, T1);
    expect(fps(outcome.untouched)).toEqual(fps([sgUs]));
    expect(fps(outcome.resolved)).toEqual(fps([sgEu, other]));
  });

  it('an account-wide verdict is not resolved while its check could not read one of its resources', () => {
    // cloudtrail.enabled reports an unreadable trail instead of a verdict on the account.
    const noTrail = finding(TRAIL_ENABLED, 'global', ACCOUNT_ID);
    const before = history([noTrail]);
    const result = scan({ checkIds: [TRAIL_ENABLED], regions: ['global'], errors: [denied(TRAIL_ENABLED, 'global', TRAIL_ARN)] });
    const outcome = applyScan(before, result, T1);
    expect(outcome.resolved).toEqual([]);
    expect(fps(outcome.untouched)).toEqual(fps([noTrail]));
    // Without the error, the account-wide finding resolves.
    expect(fps(applyScan(before, scan({ checkIds: [TRAIL_ENABLED], regions: ['global'] }), T1).resolved)).toEqual(fps([noTrail]));
  });

  it('a failed region discovery blocks nothing by itself: the regions it cost are not in the scope', () => {
    const before = history([aliceKey, webUsEast]);
    const discovery: CheckError = { checkId: REGION_DISCOVERY, region: 'global', code: 'AccessDenied', message: 'Could not list regions' };
    const outcome = applyScan(before, scan({ checkIds: [ACCESS_KEY, IMDSV2], regions: ['global'], errors: [discovery] }), T1);
    expect(fps(outcome.resolved)).toEqual(fps([aliceKey]));
    expect(fps(outcome.untouched)).toEqual(fps([webUsEast]));
  });

  it('passes the states of other accounts through untouched, never resolving them', () => {
    const theirs = finding(ACCESS_KEY, 'global', 'alice', { accountId: OTHER_ACCOUNT });
    const theirsResolved = { ...history([finding(ACCESS_KEY, 'global', 'dave', { accountId: OTHER_ACCOUNT })])[0]!, resolvedAt: T0 };
    const before = [...history([theirs]), theirsResolved, ...history([aliceKey])];
    const result = scan({ checkIds: [ACCESS_KEY], regions: ['global'] });
    const outcome = applyScan(before, result, T1);
    expect(fps(outcome.resolved)).toEqual(fps([aliceKey]));
    expect(outcome.untouched).toEqual([]); // this account's only
    expect(state(outcome.states, theirs)).toEqual(state(before, theirs));
    expect(state(outcome.states, theirsResolved)).toEqual(theirsResolved);
    expect(outcome.states).toHaveLength(3);
    expect(coverage(state(before, theirs)!, result)).toEqual({ covered: false, reason: 'other-account' });

    // The other account's own scan resolves its finding and leaves ours alone.
    const theirScan = applyScan(outcome.states, scan({ checkIds: [ACCESS_KEY], regions: ['global'], accountId: OTHER_ACCOUNT }), T2);
    expect(fps(theirScan.resolved)).toEqual(fps([theirs]));
    expect(state(theirScan.states, aliceKey)).toEqual(state(outcome.states, aliceKey));
  });
});

describe('applyScan: per-trail CloudTrail findings belong to the home region, wherever the trail was judged', () => {
  it('knows which checks are per-trail: what the scan says its checks declare, else (older scans) the CloudTrail checks but cloudtrail.enabled', () => {
    const ids = [TRAIL_KMS, TRAIL_BUCKET, 'cloudtrail.log-validation', 'cloudtrail.cloudwatch-logs', TRAIL_ENABLED, IMDSV2];
    const older = perTrailChecks({ scope: { checkIds: ids, regions: [], skippedRegions: [] } });
    expect(ids.map((id) => older.has(id))).toEqual([true, true, true, true, false, false]);
    const declared = perTrailChecks({
      scope: { checkIds: [...ids, 'custom.trail-tags'], regions: [], skippedRegions: [], perTrailChecks: [TRAIL_KMS, 'custom.trail-tags'] },
    });
    expect([...declared].sort()).toEqual([TRAIL_KMS, 'custom.trail-tags'].sort());
  });

  it('the CloudTrail checks declare it, and the runner carries it in the scan', async () => {
    serveRegions();
    serveTrails({});
    expect((await audit([kms])).scope.perTrailChecks).toEqual(['cloudtrail.kms']);
    expect(
      ALL_CHECKS.filter((c) => c.judgedPer === 'trail')
        .map((c) => c.id)
        .sort(),
    ).toEqual(['cloudtrail.bucket-logging', 'cloudtrail.bucket-public', 'cloudtrail.cloudwatch-logs', 'cloudtrail.kms', 'cloudtrail.log-validation'].sort());
  });

  it('records whether the trail is multi-region', () => {
    const states = history([
      trailFinding(TRAIL_KMS, true),
      trailFinding(TRAIL_BUCKET, false),
      finding(IMDSV2, 'us-east-1', 'i-0aaa', { details: { isMultiRegion: true } }),
    ]);
    expect(states.map((s) => [s.checkId, s.multiRegionTrail]).sort()).toEqual([
      [TRAIL_BUCKET, false],
      [TRAIL_KMS, true],
      [IMDSV2, undefined],
    ]);
  });

  it('resolves a multi-region trail finding of home us-east-1 by an audit of eu-west-1 only', () => {
    const kmsFinding = trailFinding(TRAIL_KMS, true);
    const before = history([kmsFinding]);
    const result = scan({ checkIds: [TRAIL_KMS], regions: ['eu-west-1'] });
    expect(inScope(before[0]!, result)).toBe(true);
    const outcome = applyScan(before, result, T1);
    expect(fps(outcome.resolved)).toEqual(fps([kmsFinding]));
  });

  it('resolves a per-trail finding written without the multi-region flag the same way', () => {
    const { multiRegionTrail: _, ...bare } = history([trailFinding(TRAIL_KMS, true)])[0]!;
    expect(applyScan([bare], scan({ checkIds: [TRAIL_KMS], regions: ['eu-west-1'] }), T1).resolved).toHaveLength(1);
  });

  it('leaves a single-region trail of us-east-1 to an audit that covers us-east-1: eu-west-1 does not list it', () => {
    const kmsFinding = trailFinding(TRAIL_KMS, false);
    const before = history([kmsFinding]);
    expect(applyScan(before, scan({ checkIds: [TRAIL_KMS], regions: ['eu-west-1'] }), T1).untouched).toEqual(before);
    expect(fps(applyScan(before, scan({ checkIds: [TRAIL_KMS], regions: ['us-east-1'] }), T1).resolved)).toEqual(fps([kmsFinding]));
  });

  it('needs a region to have been audited: global checks alone do not cover a trail', () => {
    const before = history([trailFinding(TRAIL_KMS, true)]);
    const result = scan({ checkIds: [TRAIL_KMS, ACCESS_KEY], regions: ['global'] });
    expect(coverage(before[0]!, result)).toEqual({ covered: false, reason: 'region-not-audited' });
  });

  it('resolves nothing of a trail judged from a region where its check failed', () => {
    const before = history([trailFinding(TRAIL_KMS, true)]);
    const outcome = applyScan(before, scan({ checkIds: [TRAIL_KMS], regions: ['eu-west-1', 'ap-south-1'], errors: [denied(TRAIL_KMS, 'ap-south-1')] }), T1);
    expect(outcome.resolved).toEqual([]);
    expect(outcome.untouched).toEqual(before);
    // In its audited home region only an error there counts.
    const fromHome = applyScan(before, scan({ checkIds: [TRAIL_KMS], regions: ['us-east-1', 'ap-south-1'], errors: [denied(TRAIL_KMS, 'ap-south-1')] }), T1);
    expect(fromHome.resolved).toHaveLength(1);
  });

  it('matches an error on one trail by the trail, whichever region reported it', () => {
    const bucketFinding = trailFinding(TRAIL_BUCKET, true);
    const before = history([bucketFinding]);
    const error = denied(TRAIL_BUCKET, 'eu-west-1', TRAIL_ARN);
    const result = scan({ checkIds: [TRAIL_BUCKET], regions: ['us-east-1', 'eu-west-1'], errors: [error] });
    expect(coverage(before[0]!, result)).toEqual({ covered: false, reason: 'check-error', error });
    const otherTrail = denied(TRAIL_BUCKET, 'eu-west-1', 'arn:aws:cloudtrail:eu-west-1:123456789012:trail/other');
    expect(inScope(before[0]!, scan({ checkIds: [TRAIL_BUCKET], regions: ['us-east-1', 'eu-west-1'], errors: [otherTrail] }))).toBe(true);
  });

  describe('through the real runner', () => {
    beforeEach(() => {
      cloudtrail.reset();
      ec2.reset();
      serveRegions(['us-east-1', 'eu-west-1']);
    });

    it('a multi-region trail fixed since: an audit of eu-west-1 only resolves its finding', async () => {
      serveTrails({
        'us-east-1': [multiRegionTrail('audit', 'us-east-1', { KmsKeyId: undefined })],
        'eu-west-1': [multiRegionTrail('audit', 'us-east-1', { KmsKeyId: undefined })],
      });
      const first = applyScan([], await audit([kms], { account: { regions: ['us-east-1', 'eu-west-1'] } }), T0);
      expect(first.opened.map((f) => [f.region, f.resource.id])).toEqual([['us-east-1', TRAIL_ARN]]);

      cloudtrail.reset();
      serveTrails({ 'us-east-1': [multiRegionTrail('audit', 'us-east-1')], 'eu-west-1': [multiRegionTrail('audit', 'us-east-1')] });
      const euOnly = await audit([kms], { account: { regions: ['us-east-1', 'eu-west-1'] }, onlyRegions: ['eu-west-1'] });
      expect(euOnly.scope.regions).toEqual(['eu-west-1']);
      const outcome = applyScan(first.states, euOnly, T1);
      expect(fps(outcome.resolved)).toEqual(fps(first.opened));
      expect(outcome.untouched).toEqual([]);
    });

    it('a multi-region trail still wrong: an audit of eu-west-1 only keeps it open, same fingerprint', async () => {
      const wrong = multiRegionTrail('audit', 'us-east-1', { KmsKeyId: undefined });
      serveTrails({ 'us-east-1': [wrong], 'eu-west-1': [wrong] });
      const first = applyScan([], await audit([kms], { account: { regions: ['us-east-1', 'eu-west-1'] } }), T0);
      const outcome = applyScan(first.states, await audit([kms], { account: { regions: ['eu-west-1'] } }), T1);
      expect(outcome).toMatchObject({ opened: [], resolved: [], untouched: [] });
      expect(outcome.stillOpen.map((f) => f.fingerprint)).toEqual(fps(first.opened));
    });

    it('a single-region trail of us-east-1: an audit of eu-west-1 only, which cannot see it, leaves its finding open', async () => {
      serveTrails({ 'us-east-1': [trail('audit', 'us-east-1', { KmsKeyId: undefined })] });
      const first = applyScan([], await audit([kms], { account: { regions: ['us-east-1', 'eu-west-1'] } }), T0);
      expect(first.opened).toHaveLength(1);
      const outcome = applyScan(first.states, await audit([kms], { account: { regions: ['eu-west-1'] } }), T1);
      expect(outcome.resolved).toEqual([]);
      expect(outcome.untouched).toEqual(first.states);
    });

    it('DescribeTrails denied in the only audited region: the trail finding is not resolved', async () => {
      const wrong = multiRegionTrail('audit', 'us-east-1', { KmsKeyId: undefined });
      serveTrails({ 'us-east-1': [wrong], 'eu-west-1': [wrong] });
      const first = applyScan([], await audit([kms], { account: { regions: ['us-east-1', 'eu-west-1'] } }), T0);
      cloudtrail.reset();
      cloudtrail.on(DescribeTrailsCommand).rejects(awsError('AccessDeniedException'));
      const result = await audit([kms], { account: { regions: ['eu-west-1'] } });
      expect(result.errors).toEqual([expect.objectContaining({ checkId: TRAIL_KMS, region: 'eu-west-1', code: 'AccessDeniedException' })]);
      const outcome = applyScan(first.states, result, T1);
      expect(outcome.resolved).toEqual([]);
      expect(outcome.untouched).toEqual(first.states);
    });
  });
});
