import {
  DescribeTrailsCommand,
  GetEventSelectorsCommand,
  GetTrailStatusCommand,
  type AdvancedFieldSelector,
  type GetEventSelectorsResponse,
  type Trail,
} from '@aws-sdk/client-cloudtrail';
import { beforeEach, describe, expect, it } from 'vitest';
import s3DataEvents from '../../../checks/cloudtrail/s3-data-events.js';
import { findingFingerprint } from '../../../src/audit/fingerprint.js';
import { audit, awsError } from '../../helpers/aws.js';
import { cloudtrail, ec2, multiRegionTrail, OWN_ACCOUNT, trail } from './trail-fixtures.js';

const CHECK = 'cloudtrail.s3-data-events';

interface TrailState {
  logging?: boolean;
  selectors?: Omit<GetEventSelectorsResponse, 'TrailARN'> | Error;
}

function serve(trails: Trail[], states: Record<string, TrailState> = {}): void {
  cloudtrail.on(DescribeTrailsCommand).resolves({ trailList: trails });
  cloudtrail.on(GetTrailStatusCommand).callsFake((input: { Name: string }) => ({ IsLogging: states[input.Name]?.logging ?? true }));
  cloudtrail.on(GetEventSelectorsCommand).callsFake((input: { TrailName: string }) => {
    const selectors = states[input.TrailName]?.selectors ?? { EventSelectors: [{ ReadWriteType: 'All', IncludeManagementEvents: true, DataResources: [] }] };
    if (selectors instanceof Error) throw selectors;
    return { TrailARN: input.TrailName, ...selectors };
  });
}

const main = multiRegionTrail('management-events', 'us-east-1');
const MAIN = main.TrailARN!;
const basic = (readWrite: 'All' | 'ReadOnly' | 'WriteOnly', values = ['arn:aws:s3']) => ({
  EventSelectors: [{ ReadWriteType: readWrite, IncludeManagementEvents: true, DataResources: [{ Type: 'AWS::S3::Object', Values: values }] }],
});
const advanced = (...fields: AdvancedFieldSelector[]) => ({
  AdvancedEventSelectors: [
    { Name: 'management', FieldSelectors: [{ Field: 'eventCategory', Equals: ['Management'] }] },
    { Name: 'S3 objects', FieldSelectors: [{ Field: 'eventCategory', Equals: ['Data'] }, { Field: 'resources.type', Equals: ['AWS::S3::Object'] }, ...fields] },
  ],
});

async function run() {
  const result = await audit([s3DataEvents]);
  return { result, stats: result.stats.byCheck[CHECK], missing: result.findings.map((f) => String(f.details?.events)).sort() };
}

describe('cloudtrail.s3-data-events', () => {
  beforeEach(() => {
    cloudtrail.reset();
    ec2.reset();
  });

  it('declares its references and dataset', () => {
    expect(s3DataEvents).toMatchObject({ id: CHECK, service: 'cloudtrail', scope: 'global', severity: 'low', references: { cis: '3.8, 3.9' } });
    expect(s3DataEvents.uses).toEqual(['cloudtrail.multiRegionTrails']);
  });

  it('passes both with a basic selector for every bucket, in any partition spelling, or an advanced one without narrowing fields', async () => {
    for (const selectors of [basic('All'), basic('All', ['arn:aws:s3:::']), advanced()]) {
      cloudtrail.reset();
      serve([main], { [MAIN]: { selectors } });
      const { result, stats } = await run();
      expect(result.findings).toEqual([]);
      expect(result.errors).toEqual([]);
      expect(stats).toEqual({ passed: 2, failed: 0, errors: 0 });
    }
  });

  it('fails writes (CIS 3.8) and reads (CIS 3.9) apart, one finding each, on the account', async () => {
    serve([main], { [MAIN]: { selectors: basic('ReadOnly') } });
    const { result, missing } = await run();
    expect(missing).toEqual(['write']);
    expect(result.findings[0]).toEqual({
      checkId: CHECK,
      severity: 'low',
      accountId: OWN_ACCOUNT,
      region: 'global',
      resource: { type: 'AWS::::Account', id: OWN_ACCOUNT },
      message: 'No logging multi-region CloudTrail trail records S3 object-level write (PutObject, DeleteObject) events for all buckets (CIS 3.8).',
      fingerprint: findingFingerprint({ checkId: CHECK, accountId: OWN_ACCOUNT, region: 'global', resourceId: OWN_ACCOUNT, subKey: 'write' }),
      details: { events: 'write', cis: '3.8', multiRegionTrails: 1 },
    });
    cloudtrail.reset();
    serve([main], { [MAIN]: { selectors: advanced({ Field: 'readOnly', Equals: ['false'] }) } });
    expect((await run()).missing).toEqual(['read']);
  });

  it('does not count some buckets, some events, a trail that is not logging, or a single-region trail', async () => {
    const narrow = [
      basic('All', ['arn:aws:s3:::payments-data/']),
      advanced({ Field: 'resources.ARN', StartsWith: ['arn:aws:s3:::payments-data/'] }),
      advanced({ Field: 'resources.ARN', NotStartsWith: ['arn:aws:s3:::noisy-logs/'] }),
      advanced({ Field: 'eventName', Equals: ['DeleteObject'] }),
    ];
    for (const selectors of narrow) {
      cloudtrail.reset();
      serve([main], { [MAIN]: { selectors } });
      expect((await run()).missing).toEqual(['read', 'write']);
    }
    cloudtrail.reset();
    serve([main], { [MAIN]: { selectors: basic('All'), logging: false } });
    expect((await run()).missing).toEqual(['read', 'write']);
    cloudtrail.reset();
    const regional = trail('regional', 'us-east-1');
    serve([regional], { [regional.TrailARN!]: { selectors: basic('All') } });
    const { result } = await run();
    expect(result.findings[0]!.message).toContain(': the account has no multi-region trail');
  });

  it('reports an unreadable trail as an error instead of a finding, unless another trail already covers the events', async () => {
    const other = multiRegionTrail('data-events', 'eu-west-1');
    const denied = awsError('AccessDeniedException', 'not authorized to perform: cloudtrail:GetEventSelectors');
    serve([main, other], { [MAIN]: { selectors: denied }, [other.TrailARN!]: { selectors: basic('WriteOnly') } });
    const { result, stats } = await run();
    expect(result.findings).toEqual([]);
    expect(result.errors).toEqual([expect.objectContaining({ checkId: CHECK, code: 'AccessDeniedException', resource: MAIN })]);
    expect(stats).toEqual({ passed: 1, failed: 0, errors: 1 });

    cloudtrail.reset();
    serve([main], { [MAIN]: { selectors: basic('All') } });
    cloudtrail.on(DescribeTrailsCommand).rejects(awsError('AccessDeniedException', 'not authorized to perform: cloudtrail:DescribeTrails'));
    const denyAll = await run();
    expect(denyAll.result.findings).toEqual([]);
    expect(denyAll.result.errors).toEqual([expect.objectContaining({ checkId: CHECK, code: 'AccessDeniedException' })]);
  });
});
