import {
  ConfigServiceClient,
  DescribeConfigurationRecordersCommand,
  DescribeConfigurationRecorderStatusCommand,
  type ConfigurationRecorder,
  type ConfigurationRecorderStatus,
} from '@aws-sdk/client-config-service';
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
  recordingGroup: {
    allSupported: true,
    includeGlobalResourceTypes: true,
    resourceTypes: [],
    exclusionByResourceTypes: { resourceTypes: [] },
    recordingStrategy: { useOnly: 'ALL_SUPPORTED_RESOURCE_TYPES' },
  },
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
  config
    .on(DescribeConfigurationRecorderStatusCommand)
    .callsFake(async (_input, getClient) => ({ ConfigurationRecordersStatus: (await at(getClient)).statuses }));
}

describe('config.recorder', () => {
  beforeEach(() => {
    config.reset();
    ec2.reset();
  });

  it('declares its references and dataset', () => {
    expect(recorder).toMatchObject({
      id: CHECK,
      service: 'config',
      scope: 'regional',
      severity: 'medium',
      references: { cis: '3.3', securityHub: 'Config.1' },
    });
    expect(recorder.uses).toEqual(['config.recorders']);
  });

  it('passes a region with a running recorder of every resource type', async () => {
    serve({ 'us-east-1': { recorders: [defaultRecorder()], statuses: [running()] } });
    const result = await audit([recorder]);
    expect(result.findings).toEqual([]);
    expect(result.errors).toEqual([]);
    // The region, and (judged from the home region) the global resource types.
    expect(result.stats.byCheck[CHECK]).toEqual({ passed: 2, failed: 0, errors: 0 });
  });

  it('fails, medium, a region without a recorder; a service-linked recorder does not count', async () => {
    const linked = defaultRecorder({
      name: 'AWSConfigurationRecorderForSecurityHub',
      servicePrincipal: 'securityhub.amazonaws.com',
      recordingScope: 'INTERNAL',
    });
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

  it('reads no recorder status in a region without recorders', async () => {
    serve({ 'us-east-1': { recorders: [], statuses: [] } });
    const result = await audit([recorder]);
    expect(result.errors).toEqual([]);
    expect(result.findings.map((f) => f.resource.id)).toEqual(['us-east-1']);
    expect(config.commandCalls(DescribeConfigurationRecorderStatusCommand)).toHaveLength(0);
  });

  it('fails a stopped recorder, a failing one, one of some types, and one without a status, saying which', async () => {
    const cases: [ConfigurationRecorder, ConfigurationRecorderStatus[], string][] = [
      [defaultRecorder(), [running({ recording: false })], 'recorder default is stopped'],
      [
        defaultRecorder(),
        [running({ lastStatus: 'Failure', lastErrorCode: 'AccessDenied', lastErrorMessage: 'Unable to write to bucket config-bucket' })],
        'recorder default last failed (AccessDenied: Unable to write to bucket config-bucket)',
      ],
      [
        defaultRecorder({
          recordingGroup: { allSupported: false, resourceTypes: ['AWS::EC2::Instance'], recordingStrategy: { useOnly: 'INCLUSION_BY_RESOURCE_TYPES' } },
        }),
        [running()],
        'recorder default records only some resource types',
      ],
      [
        defaultRecorder({
          recordingGroup: {
            allSupported: false,
            exclusionByResourceTypes: { resourceTypes: ['AWS::EC2::NetworkInterface'] },
            recordingStrategy: { useOnly: 'EXCLUSION_BY_RESOURCE_TYPES' },
          },
        }),
        [running()],
        'recorder default excludes some resource types',
      ],
      [defaultRecorder(), [], 'recorder default has no status'],
    ];
    for (const [rec, statuses, why] of cases) {
      config.reset();
      serve({ 'us-east-1': { recorders: [rec], statuses } });
      const result = await audit([recorder]);
      expect(result.findings.filter((f) => f.resource.id === 'us-east-1').map((f) => f.message)).toEqual([
        `AWS Config does not record every resource type in us-east-1: ${why}.`,
      ]);
    }
  });

  it('judges each region on its own, and reports a region that cannot be read as an error', async () => {
    serve({
      'us-east-1': { recorders: [defaultRecorder()], statuses: [running()] },
      'eu-west-1': awsError('AccessDeniedException', 'not authorized to perform: config:DescribeConfigurationRecorders'),
    });
    const result = await audit([recorder], { account: { regions: TWO_REGIONS } });
    expect(result.findings).toEqual([]);
    expect(result.errors).toEqual([expect.objectContaining({ checkId: CHECK, region: 'eu-west-1', code: 'AccessDeniedException' })]);
    // us-east-1 records the global types: the unreadable region cannot change that half.
    expect(result.stats.byCheck[CHECK]).toEqual({ passed: 2, failed: 0, errors: 1 });
  });

  it('fails, once for the account, when recorders run but none of any audited region records the global resource types', async () => {
    const noGlobal = defaultRecorder({
      recordingGroup: { allSupported: true, includeGlobalResourceTypes: false, recordingStrategy: { useOnly: 'ALL_SUPPORTED_RESOURCE_TYPES' } },
    });
    serve({ 'us-east-1': { recorders: [noGlobal], statuses: [running()] }, 'eu-west-1': { recorders: [noGlobal], statuses: [running()] } });
    const result = await audit([recorder], { account: { regions: TWO_REGIONS } });
    expect(result.errors).toEqual([]);
    expect(result.findings).toEqual([
      expect.objectContaining({
        region: 'us-east-1',
        resource: { type: 'AWS::Config::ConfigurationRecorder', id: 'global-resource-types' },
        message:
          'AWS Config records no global resource types (IAM users, groups, roles and policies) in any audited region: changes to them are not recorded. Running recorders: default in eu-west-1, default in us-east-1.',
        details: { region: 'us-east-1', recorders: 'eu-west-1/default, us-east-1/default', problems: 'none includes global resource types' },
      }),
    ]);
    expect(result.stats.byCheck[CHECK]).toEqual({ passed: 2, failed: 1, errors: 0 });
  });

  it('counts global resource types recorded in any one region, by any recording strategy', async () => {
    const noGlobal = defaultRecorder({
      recordingGroup: { allSupported: true, includeGlobalResourceTypes: false, recordingStrategy: { useOnly: 'ALL_SUPPORTED_RESOURCE_TYPES' } },
    });
    const iamTypes = ['AWS::IAM::User', 'AWS::IAM::Group', 'AWS::IAM::Role', 'AWS::IAM::Policy'] as const;
    const cases: [ConfigurationRecorder, boolean][] = [
      [defaultRecorder(), true],
      [
        defaultRecorder({
          recordingGroup: {
            allSupported: false,
            exclusionByResourceTypes: { resourceTypes: ['AWS::EC2::NetworkInterface'] },
            recordingStrategy: { useOnly: 'EXCLUSION_BY_RESOURCE_TYPES' },
          },
        }),
        true,
      ],
      [
        defaultRecorder({
          recordingGroup: {
            allSupported: false,
            exclusionByResourceTypes: { resourceTypes: ['AWS::IAM::Role'] },
            recordingStrategy: { useOnly: 'EXCLUSION_BY_RESOURCE_TYPES' },
          },
        }),
        false,
      ],
      [
        defaultRecorder({
          recordingGroup: { allSupported: false, resourceTypes: [...iamTypes], recordingStrategy: { useOnly: 'INCLUSION_BY_RESOURCE_TYPES' } },
        }),
        true,
      ],
      [
        defaultRecorder({
          recordingGroup: { allSupported: false, resourceTypes: ['AWS::IAM::User'], recordingStrategy: { useOnly: 'INCLUSION_BY_RESOURCE_TYPES' } },
        }),
        false,
      ],
    ];
    for (const [elsewhere, recorded] of cases) {
      config.reset();
      serve({ 'us-east-1': { recorders: [noGlobal], statuses: [running()] }, 'eu-west-1': { recorders: [elsewhere], statuses: [running()] } });
      const result = await audit([recorder], { account: { regions: TWO_REGIONS } });
      expect(result.findings.some((f) => f.resource.id === 'global-resource-types')).toBe(!recorded);
    }
    // A stopped recorder records nothing, global types included.
    config.reset();
    serve({
      'us-east-1': { recorders: [noGlobal], statuses: [running()] },
      'eu-west-1': { recorders: [defaultRecorder()], statuses: [running({ recording: false })] },
    });
    const stopped = await audit([recorder], { account: { regions: TWO_REGIONS } });
    expect(stopped.findings.map((f) => `${f.region}:${f.resource.id}`).sort()).toEqual(['eu-west-1:eu-west-1', 'us-east-1:global-resource-types']);
  });

  it('leaves the global half undecided when another region cannot be read, and to the regions when nothing records', async () => {
    const noGlobal = defaultRecorder({
      recordingGroup: { allSupported: true, includeGlobalResourceTypes: false, recordingStrategy: { useOnly: 'ALL_SUPPORTED_RESOURCE_TYPES' } },
    });
    serve({
      'us-east-1': { recorders: [noGlobal], statuses: [running()] },
      'eu-west-1': awsError('AccessDeniedException', 'not authorized to perform: config:DescribeConfigurationRecorders'),
    });
    const undecided = await audit([recorder], { account: { regions: TWO_REGIONS } });
    expect(undecided.findings).toEqual([]);
    expect(undecided.errors.map((e) => [e.region, e.resource, e.code])).toEqual([
      ['eu-west-1', undefined, 'AccessDeniedException'],
      ['us-east-1', 'global-resource-types', 'AccessDeniedException'],
    ]);

    config.reset();
    serve({});
    const nothing = await audit([recorder], { account: { regions: TWO_REGIONS } });
    expect(nothing.findings.map((f) => f.resource.id).sort()).toEqual(['eu-west-1', 'us-east-1']);

    // Judged from the home region only: an audit of eu-west-1 alone does not judge it.
    config.reset();
    serve({ 'eu-west-1': { recorders: [noGlobal], statuses: [running()] } });
    const narrow = await audit([recorder], { account: { regions: TWO_REGIONS }, onlyRegions: ['eu-west-1'] });
    expect(narrow.findings).toEqual([]);
    expect(narrow.stats.byCheck[CHECK]).toEqual({ passed: 1, failed: 0, errors: 0 });
  });
});
