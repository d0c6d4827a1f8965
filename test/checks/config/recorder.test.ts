import { ConfigServiceClient, DescribeConfigurationRecordersCommand, DescribeConfigurationRecorderStatusCommand, type ConfigurationRecorder, type ConfigurationRecorderStatus } from '@aws-sdk/client-config-service';
import { EC2Client } from '@aws-sdk/client-ec2';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import recorder from '../../../checks/config/recorder.js';
import { findingFingerprint } from '../../../src/audit/fingerprint.js';
import { audit, awsError } from '../../helpers/aws.js';
import { serveRegions, TWO_REGIONS } from '../ec2/regional-fixtures.js';

const config = mockClient(ConfigServiceClient);
const ec2 = mockClient(EC2Client);
const CHECK = 'config.recorder';
const OWNER = '123456789012';

const defaultRecorder = (overrides: Partial<ConfigurationRecorder> = {}): ConfigurationRecorder => ({
  arn: `arn:aws:config:us-east-1:${OWNER}:configuration-recorder/default/abc`,
  name: 'default',
  roleARN: `arn:aws:iam::${OWNER}:role/aws-service-role/config.amazonaws.com/AWSServiceRoleForConfig`,
  recordingGroup: { allSupported: true, includeGlobalResourceTypes: true, resourceTypes: [], exclusionByResourceTypes: { resourceTypes: [] }, recordingStrategy: { useOnly: 'ALL_SUPPORTED_RESOURCE_TYPES' } },
  recordingMode: { recordingFrequency: 'CONTINUOUS' },
  recordingScope: 'PAID',
  ...overrides,
});
const running = (overrides: Partial<ConfigurationRecorderStatus> = {}): ConfigurationRecorderStatus => ({
  name: 'default',
  lastStartTime: new Date('2025-01-01T00:00:00Z'),
  recording: true,
  lastStatus: 'Success',
  lastStatusChangeTime: new Date('2026-11-23T11:00:00Z'),
  ...overrides,
});

function serve(byRegion: Record<string, { recorders: ConfigurationRecorder[]; statuses: ConfigurationRecorderStatus[] } | Error>) {
  serveRegions(ec2);
  const at = async (getClient: () => { config: { region: () => Promise<string> } }) => {
    const answer = byRegion[await getClient().config.region()] ?? { recorders: [], statuses: [] };
    if (answer instanceof Error) throw answer;
    return answer;
  };
  config.on(DescribeConfigurationRecordersCommand).callsFake(async (_input, getClient) => ({ ConfigurationRecorders: (await at(getClient)).recorders }));
  config.on(DescribeConfigurationRecorderStatusCommand).callsFake(async (_input, getClient) => ({ ConfigurationRecordersStatus: (await at(getClient)).statuses }));
}

describe('config.recorder', () => {
  beforeEach(() => {
    config.reset();
    ec2.reset();
  });

  it('declares its references and dataset', () => {
    expect(recorder).toMatchObject({ id: CHECK, service: 'config', scope: 'regional', severity: 'medium', references: { cis: '3.3', securityHub: 'Config.1' } });
    expect(recorder.uses).toEqual(['config.recorders']);
  });

  it('passes a region with a running recorder of every resource type', async () => {
    serve({ 'us-east-1': { recorders: [defaultRecorder()], statuses: [running()] } });
    const result = await audit([recorder]);
    expect(result.findings).toEqual([]);
    expect(result.errors).toEqual([]);
    expect(result.stats.byCheck[CHECK]).toEqual({ passed: 1, failed: 0, errors: 0 });
  });

  it('fails, medium, a region without a recorder; a service-linked recorder does not count', async () => {
    const linked = defaultRecorder({ name: 'AWSConfigurationRecorderForSecurityHub', servicePrincipal: 'securityhub.amazonaws.com', recordingScope: 'INTERNAL' });
    serve({ 'us-east-1': { recorders: [linked], statuses: [running({ name: linked.name, servicePrincipal: linked.servicePrincipal })] } });
    const result = await audit([recorder]);
    expect(result.errors).toEqual([]);
    expect(result.findings).toEqual([
      {
        checkId: CHECK,
        severity: 'medium',
        accountId: OWNER,
        region: 'us-east-1',
        resource: { type: 'AWS::Config::ConfigurationRecorder', id: 'us-east-1' },
        message: 'AWS Config has no configuration recorder in us-east-1: resource changes there are not recorded.',
        fingerprint: findingFingerprint({ checkId: CHECK, accountId: OWNER, region: 'us-east-1', resourceId: 'us-east-1' }),
        details: { region: 'us-east-1', recorders: '', problems: null },
      },
    ]);
  });

  it('fails a stopped recorder, a failing one, one of some types, and one without a status, saying which', async () => {
    const cases: [ConfigurationRecorder, ConfigurationRecorderStatus[], string][] = [
      [defaultRecorder(), [running({ recording: false })], 'recorder default is stopped'],
      [defaultRecorder(), [running({ lastStatus: 'Failure', lastErrorCode: 'AccessDenied', lastErrorMessage: 'Unable to write to bucket config-bucket' })], 'recorder default last failed (AccessDenied: Unable to write to bucket config-bucket)'],
      [defaultRecorder({ recordingGroup: { allSupported: false, resourceTypes: ['AWS::EC2::Instance'], recordingStrategy: { useOnly: 'INCLUSION_BY_RESOURCE_TYPES' } } }), [running()], 'recorder default records only some resource types'],
      [defaultRecorder({ recordingGroup: { allSupported: false, exclusionByResourceTypes: { resourceTypes: ['AWS::EC2::NetworkInterface'] }, recordingStrategy: { useOnly: 'EXCLUSION_BY_RESOURCE_TYPES' } } }), [running()], 'recorder default excludes some resource types'],
      [defaultRecorder(), [], 'recorder default has no status'],
    ];
    for (const [rec, statuses, why] of cases) {
      config.reset();
      serve({ 'us-east-1': { recorders: [rec], statuses } });
      const result = await audit([recorder]);
      expect(result.findings.map((f) => f.message)).toEqual([`AWS Config does not record every resource type in us-east-1: ${why}.`]);
    }
  });

  it('judges each region on its own, and reports a region that cannot be read as an error', async () => {
    serve({ 'us-east-1': { recorders: [defaultRecorder()], statuses: [running()] }, 'eu-west-1': awsError('AccessDeniedException', 'not authorized to perform: config:DescribeConfigurationRecorders') });
    const result = await audit([recorder], { account: { regions: TWO_REGIONS } });
    expect(result.findings).toEqual([]);
    expect(result.errors).toEqual([expect.objectContaining({ checkId: CHECK, region: 'eu-west-1', code: 'AccessDeniedException' })]);
    expect(result.stats.byCheck[CHECK]).toEqual({ passed: 1, failed: 0, errors: 1 });
  });
});
