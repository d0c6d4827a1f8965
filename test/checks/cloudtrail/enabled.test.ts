import {
  DescribeTrailsCommand,
  GetEventSelectorsCommand,
  GetTrailStatusCommand,
  type AdvancedFieldSelector,
  type GetEventSelectorsResponse,
  type GetTrailStatusResponse,
  type Trail,
} from '@aws-sdk/client-cloudtrail';
import { beforeEach, describe, expect, it } from 'vitest';
import enabled from '../../../checks/cloudtrail/enabled.js';
import logValidation from '../../../checks/cloudtrail/log-validation.js';
import { audit, awsError, NOW } from '../../helpers/aws.js';
import { cloudtrail, DESCRIBE_TRAILS_DENIED, ec2, MANAGEMENT_ACCOUNT, multiRegionTrail, serveRegions, trail } from './trail-fixtures.js';

interface TrailState {
  logging?: boolean | Error;
  selectors?: Omit<GetEventSelectorsResponse, 'TrailARN'> | Error;
}

/** Where each per-trail call went: the trail it named and the region of the client that sent it. */
const calls: { operation: string; name: string; region: string }[] = [];

const ALL_MANAGEMENT = {
  EventSelectors: [{ ReadWriteType: 'All', IncludeManagementEvents: true, DataResources: [], ExcludeManagementEventSources: [] }],
} as const;

/** The account's trails as DescribeTrails lists them in us-east-1, and each one's status and selectors by ARN. */
function serve(trails: Trail[], states: Record<string, TrailState> = {}): void {
  cloudtrail.on(DescribeTrailsCommand).resolves({ trailList: trails });
  cloudtrail.on(GetTrailStatusCommand).callsFake(async (input: { Name: string }, getClient) => {
    calls.push({ operation: 'GetTrailStatus', name: input.Name, region: await getClient().config.region() });
    const logging = states[input.Name]?.logging ?? true;
    if (logging instanceof Error) throw logging;
    const status: GetTrailStatusResponse = logging
      ? { IsLogging: true, StartLoggingTime: new Date('2025-02-01T00:00:00Z'), LatestDeliveryTime: NOW, TimeLoggingStarted: '2025-02-01T00:00:00Z' }
      : { IsLogging: false, StopLoggingTime: new Date('2026-11-01T00:00:00Z'), TimeLoggingStopped: '2026-11-01T00:00:00Z' };
    return status;
  });
  cloudtrail.on(GetEventSelectorsCommand).callsFake(async (input: { TrailName: string }, getClient) => {
    calls.push({ operation: 'GetEventSelectors', name: input.TrailName, region: await getClient().config.region() });
    const selectors = states[input.TrailName]?.selectors ?? ALL_MANAGEMENT;
    if (selectors instanceof Error) throw selectors;
    return { TrailARN: input.TrailName, ...selectors };
  });
}

const main = multiRegionTrail('management-events', 'us-east-1');
const MAIN = main.TrailARN!;

function advanced(...selectors: AdvancedFieldSelector[][]): TrailState['selectors'] {
  return { AdvancedEventSelectors: selectors.map((FieldSelectors, i) => ({ Name: `selector ${i + 1}`, FieldSelectors })) };
}
const MANAGEMENT: AdvancedFieldSelector = { Field: 'eventCategory', Equals: ['Management'] };

async function run() {
  const result = await audit([enabled]);
  return { result, stats: result.stats.byCheck['cloudtrail.enabled'] };
}

describe('cloudtrail.enabled', () => {
  beforeEach(() => {
    cloudtrail.reset();
    calls.length = 0;
  });

  it('passes a logging multi-region trail recording all management events, asked in its home region by ARN', async () => {
    // Created in eu-west-1: us-east-1 lists it as a shadow trail, but its status lives in eu-west-1.
    const dublin = multiRegionTrail('management-events', 'eu-west-1');
    serve([dublin]);
    const { result, stats } = await run();
    expect(result.findings).toEqual([]);
    expect(result.errors).toEqual([]);
    expect(stats).toEqual({ passed: 1, failed: 0, errors: 0 });
    expect(cloudtrail.commandCalls(DescribeTrailsCommand).map((c) => c.args[0].input)).toEqual([{ includeShadowTrails: true }]);
    expect(calls.sort((a, b) => a.operation.localeCompare(b.operation))).toEqual([
      { operation: 'GetEventSelectors', name: 'arn:aws:cloudtrail:eu-west-1:123456789012:trail/management-events', region: 'eu-west-1' },
      { operation: 'GetTrailStatus', name: 'arn:aws:cloudtrail:eu-west-1:123456789012:trail/management-events', region: 'eu-west-1' },
    ]);
  });

  it('fails, high, on the account when there is no trail at all', async () => {
    serve([]);
    const { result, stats } = await run();
    expect(result.errors).toEqual([]);
    expect(result.findings).toEqual([
      expect.objectContaining({
        checkId: 'cloudtrail.enabled',
        severity: 'high',
        accountId: '123456789012',
        region: 'global',
        resource: { type: 'AWS::::Account', id: '123456789012' },
        message: 'No multi-region CloudTrail trail logs both read and write management events: no multi-region trail.',
        details: { trails: 0, reasons: 'no multi-region trail' },
      }),
    ]);
    expect(stats).toEqual({ passed: 0, failed: 1, errors: 0 });
  });

  it('does not count single-region trails, and does not ask for their status', async () => {
    serve([trail('virginia-only', 'us-east-1')]);
    const { result } = await run();
    expect(result.findings.map((f) => f.details)).toEqual([{ trails: 0, reasons: 'no multi-region trail' }]);
    expect(calls).toEqual([]);
  });

  it('fails when the only multi-region trail is not logging', async () => {
    serve([main], { [MAIN]: { logging: false } });
    const { result } = await run();
    expect(result.findings.map((f) => [f.message, f.details])).toEqual([
      [
        'No multi-region CloudTrail trail logs both read and write management events: trail management-events is not logging.',
        { trails: 1, reasons: 'trail management-events is not logging' },
      ],
    ]);
  });

  it('fails a trail that records only write management events', async () => {
    serve([main], {
      [MAIN]: {
        selectors: { EventSelectors: [{ ReadWriteType: 'WriteOnly', IncludeManagementEvents: true, DataResources: [], ExcludeManagementEventSources: [] }] },
      },
    });
    const { result } = await run();
    expect(result.findings[0]?.details).toEqual({ trails: 1, reasons: 'trail management-events records only write management events' });
  });

  it('passes read and write recorded by two selectors together', async () => {
    serve([main], {
      [MAIN]: {
        selectors: {
          EventSelectors: [
            { ReadWriteType: 'ReadOnly', IncludeManagementEvents: true, DataResources: [], ExcludeManagementEventSources: [] },
            { ReadWriteType: 'WriteOnly', IncludeManagementEvents: true, DataResources: [], ExcludeManagementEventSources: [] },
          ],
        },
      },
    });
    const { result, stats } = await run();
    expect(result.findings).toEqual([]);
    expect(stats).toEqual({ passed: 1, failed: 0, errors: 0 });
  });

  it('fails a trail whose selectors record only data events', async () => {
    serve([main], {
      [MAIN]: {
        selectors: {
          EventSelectors: [
            {
              ReadWriteType: 'All',
              IncludeManagementEvents: false,
              DataResources: [{ Type: 'AWS::S3::Object', Values: ['arn:aws:s3:::payroll/'] }],
              ExcludeManagementEventSources: [],
            },
          ],
        },
      },
    });
    const { result } = await run();
    expect(result.findings[0]?.details).toEqual({ trails: 1, reasons: 'trail management-events records no management events' });
  });

  it('fails a trail with neither kind of selector', async () => {
    serve([main], { [MAIN]: { selectors: {} } });
    const { result } = await run();
    expect(result.findings[0]?.details).toEqual({ trails: 1, reasons: 'trail management-events records no management events' });
  });

  it('fails advanced selectors that record only write management events', async () => {
    serve([main], { [MAIN]: { selectors: advanced([MANAGEMENT, { Field: 'readOnly', Equals: ['false'] }]) } });
    const { result } = await run();
    expect(result.findings[0]?.details).toEqual({ trails: 1, reasons: 'trail management-events records only write management events' });
  });

  it('fails advanced selectors that record only read management events, and data events', async () => {
    serve([main], {
      [MAIN]: {
        selectors: advanced(
          [MANAGEMENT, { Field: 'readOnly', Equals: ['true'] }],
          [
            { Field: 'eventCategory', Equals: ['Data'] },
            { Field: 'resources.type', Equals: ['AWS::S3::Object'] },
          ],
        ),
      },
    });
    const { result } = await run();
    expect(result.findings[0]?.details).toEqual({ trails: 1, reasons: 'trail management-events records only read management events' });
  });

  it('passes an advanced management selector without a readOnly condition', async () => {
    serve([main], { [MAIN]: { selectors: advanced([MANAGEMENT]) } });
    const { result, stats } = await run();
    expect(result.findings).toEqual([]);
    expect(stats).toEqual({ passed: 1, failed: 0, errors: 0 });
  });

  it('passes advanced read-only and write-only management selectors together', async () => {
    serve([main], {
      [MAIN]: { selectors: advanced([MANAGEMENT, { Field: 'readOnly', Equals: ['true'] }], [MANAGEMENT, { Field: 'readOnly', Equals: ['false'] }]) },
    });
    const { result } = await run();
    expect(result.findings).toEqual([]);
  });

  it('still counts management events with noisy sources excluded (KMS, RDS Data API)', async () => {
    serve([main], { [MAIN]: { selectors: advanced([MANAGEMENT, { Field: 'eventSource', NotEquals: ['kms.amazonaws.com', 'rdsdata.amazonaws.com'] }]) } });
    const { result, stats } = await run();
    expect(result.findings).toEqual([]);
    expect(stats).toEqual({ passed: 1, failed: 0, errors: 0 });
  });

  it('counts an organization trail owned by the management account', async () => {
    const orgTrail = multiRegionTrail('org-trail', 'us-east-1', { IsOrganizationTrail: true }, MANAGEMENT_ACCOUNT);
    serve([orgTrail]);
    const { result, stats } = await run();
    expect(result.findings).toEqual([]);
    expect(stats).toEqual({ passed: 1, failed: 0, errors: 0 });
    expect(calls.map((c) => c.name)).toEqual([
      'arn:aws:cloudtrail:us-east-1:999999999999:trail/org-trail',
      'arn:aws:cloudtrail:us-east-1:999999999999:trail/org-trail',
    ]);
  });

  it('passes when one trail satisfies, whatever the others', async () => {
    const broken = multiRegionTrail('broken', 'eu-west-1');
    const stopped = multiRegionTrail('stopped', 'us-east-1');
    serve([broken, stopped, main], { [broken.TrailARN!]: { logging: awsError('AccessDeniedException') }, [stopped.TrailARN!]: { logging: false } });
    const { result, stats } = await run();
    expect(result.findings).toEqual([]);
    expect(result.errors).toEqual([]);
    expect(stats).toEqual({ passed: 1, failed: 0, errors: 0 });
  });

  it('gives every reason when several trails fall short', async () => {
    const writes = multiRegionTrail('writes-only', 'eu-west-1');
    serve([main, writes], {
      [MAIN]: { logging: false },
      [writes.TrailARN!]: {
        selectors: { EventSelectors: [{ ReadWriteType: 'WriteOnly', IncludeManagementEvents: true, DataResources: [], ExcludeManagementEventSources: [] }] },
      },
    });
    const { result } = await run();
    expect(result.findings.map((f) => f.message)).toEqual([
      'No multi-region CloudTrail trail logs both read and write management events: trail management-events is not logging; trail writes-only records only write management events.',
    ]);
    expect(result.findings[0]!.details).toEqual({
      trails: 2,
      reasons: 'trail management-events is not logging; trail writes-only records only write management events',
    });
  });

  it('reports an error naming the trail, and no finding, when its status cannot be read', async () => {
    const denied = 'User: arn:aws:sts::123456789012:assumed-role/AuditReadOnly/aws-audit-bot-test is not authorized to perform: cloudtrail:GetTrailStatus';
    serve([main], { [MAIN]: { logging: awsError('AccessDeniedException', denied) } });
    const { result, stats } = await run();
    expect(result.findings).toEqual([]);
    expect(result.errors).toEqual([{ checkId: 'cloudtrail.enabled', region: 'global', code: 'AccessDeniedException', message: denied, resource: MAIN }]);
    expect(stats).toEqual({ passed: 0, failed: 0, errors: 1 });
  });

  it('reports only the unreadable trails when no readable one satisfies', async () => {
    const unreadable = multiRegionTrail('unreadable', 'eu-west-1');
    serve([main, unreadable], { [MAIN]: { logging: false }, [unreadable.TrailARN!]: { selectors: awsError('AccessDeniedException', 'denied') } });
    const { result } = await run();
    expect(result.findings).toEqual([]);
    expect(result.errors).toEqual([
      { checkId: 'cloudtrail.enabled', region: 'global', code: 'AccessDeniedException', message: 'denied', resource: unreadable.TrailARN },
    ]);
  });

  it('reports an error, not a pass, when DescribeTrails is denied', async () => {
    cloudtrail.on(DescribeTrailsCommand).rejects(awsError('AccessDeniedException', DESCRIBE_TRAILS_DENIED));
    const { result, stats } = await run();
    expect(result.findings).toEqual([]);
    expect(result.errors).toEqual([{ checkId: 'cloudtrail.enabled', region: 'global', code: 'AccessDeniedException', message: DESCRIBE_TRAILS_DENIED }]);
    expect(stats).toEqual({ passed: 0, failed: 0, errors: 1 });
  });

  it('has the CIS and Security Hub references', () => {
    expect(enabled).toMatchObject({
      scope: 'global',
      severity: 'high',
      uses: ['cloudtrail.multiRegionTrails'],
      references: { cis: '3.1', securityHub: 'CloudTrail.1' },
    });
  });
});

describe('cloudtrail.enabled beside the per-trail checks', () => {
  it("shares the home region's DescribeTrails with them: one call there, not two", async () => {
    cloudtrail.reset();
    ec2.reset();
    serveRegions(['us-east-1', 'eu-west-1']);
    serve([main]);
    const result = await audit([enabled, logValidation], { account: { regions: ['us-east-1', 'eu-west-1'] } });
    expect(result.errors).toEqual([]);
    expect(result.stats.apiCallsByOperation['cloudtrail:DescribeTrails']).toBe(2);
    expect(cloudtrail.commandCalls(DescribeTrailsCommand)).toHaveLength(2);
  });
});
