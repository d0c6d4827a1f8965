import { DescribeInstancesCommand, EC2Client, type Instance } from '@aws-sdk/client-ec2';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import instanceProfile from '../../../checks/ec2/instance-profile.js';
import { findingFingerprint } from '../../../src/audit/fingerprint.js';
import { audit, awsError } from '../../helpers/aws.js';
import { instance, reservations, serveRegions, servePaged, tags, TWO_REGIONS, UNAUTHORIZED, type Pages } from './regional-fixtures.js';

const ec2 = mockClient(EC2Client);
const CHECK = 'ec2.instance-profile';

function serveInstances(byRegion: Record<string, Pages<Instance>>) {
  serveRegions(ec2);
  servePaged(ec2, DescribeInstancesCommand, 'Reservations', byRegion, reservations);
}

const noRole = (id: string, overrides: Partial<Instance> = {}) => instance(id, { IamInstanceProfile: undefined, ...overrides });

describe('ec2.instance-profile', () => {
  beforeEach(() => ec2.reset());

  it('declares its severity and dataset', () => {
    expect(instanceProfile).toMatchObject({ id: CHECK, service: 'ec2', scope: 'regional', severity: 'low' });
    expect(instanceProfile.uses).toEqual(['ec2.instances']);
  });

  it('passes running instances with an instance profile', async () => {
    serveInstances({ 'us-east-1': [instance('i-0000000000000a001'), instance('i-0000000000000a002')] });
    const result = await audit([instanceProfile]);
    expect(result.findings).toEqual([]);
    expect(result.errors).toEqual([]);
    expect(result.stats.byCheck[CHECK]).toEqual({ passed: 2, failed: 0, errors: 0 });
  });

  it('fails, low, a running instance without one, explaining roles against keys on disk, with its raw Name tag', async () => {
    serveInstances({
      'us-east-1': [
        noRole('i-0123456789abcdef0', {
          InstanceType: 'c6i.xlarge',
          Tags: tags({ Name: '@here batch *worker*' }),
          LaunchTime: new Date('2025-12-24T18:00:00.000Z'),
        }),
      ],
    });
    const result = await audit([instanceProfile]);
    expect(result.findings).toEqual([
      {
        checkId: CHECK,
        severity: 'low',
        accountId: '123456789012',
        region: 'us-east-1',
        resource: {
          type: 'AWS::EC2::Instance',
          id: 'i-0123456789abcdef0',
          arn: 'arn:aws:ec2:us-east-1:123456789012:instance/i-0123456789abcdef0',
          tags: { Name: '@here batch *worker*' },
        },
        message:
          'Instance i-0123456789abcdef0 (@here batch *worker*) has no IAM role (instance profile): anything on it that calls AWS must use access keys kept on disk instead of short-lived role credentials.',
        fingerprint: findingFingerprint({ checkId: CHECK, accountId: '123456789012', region: 'us-east-1', resourceId: 'i-0123456789abcdef0' }),
        details: {
          instanceId: 'i-0123456789abcdef0',
          name: '@here batch *worker*',
          instanceType: 'c6i.xlarge',
          launchTime: '2025-12-24T18:00:00.000Z',
          vpcId: 'vpc-0a1b2c3d4e5f60718',
        },
      },
    ]);
    expect(result.stats.byCheck[CHECK]).toEqual({ passed: 0, failed: 1, errors: 0 });
  });

  it('judges only running instances', async () => {
    serveInstances({
      'us-east-1': [
        noRole('i-0000000000000b001', { Tags: [] }),
        noRole('i-0000000000000b002', { State: { Code: 80, Name: 'stopped' } }),
        noRole('i-0000000000000b003', { State: { Code: 48, Name: 'terminated' } }),
        noRole('i-0000000000000b004', { State: { Code: 64, Name: 'stopping' } }),
      ],
    });
    const result = await audit([instanceProfile]);
    expect(result.findings.map((f) => [f.resource.id, f.details?.name])).toEqual([['i-0000000000000b001', null]]);
    expect(result.findings[0]!.message).toMatch(/^Instance i-0000000000000b001 has no IAM role/);
    expect(result.stats.byCheck[CHECK]).toEqual({ passed: 0, failed: 1, errors: 0 });
  });

  it('reports an error, not a pass, when instances cannot be listed', async () => {
    serveRegions(ec2);
    ec2.on(DescribeInstancesCommand).rejects(awsError('UnauthorizedOperation', `${UNAUTHORIZED}DescribeInstances`));
    const result = await audit([instanceProfile]);
    expect(result.findings).toEqual([]);
    expect(result.errors).toEqual([{ checkId: CHECK, region: 'us-east-1', code: 'UnauthorizedOperation', message: `${UNAUTHORIZED}DescribeInstances` }]);
    expect(result.stats.byCheck[CHECK]).toEqual({ passed: 0, failed: 0, errors: 1 });
  });

  it('reads every page', async () => {
    serveInstances({ 'us-east-1': [[noRole('i-0000000000000c001')], [instance('i-0000000000000c002'), noRole('i-0000000000000c003')]] });
    const result = await audit([instanceProfile]);
    expect(result.findings.map((f) => f.resource.id)).toEqual(['i-0000000000000c001', 'i-0000000000000c003']);
    expect(result.stats.byCheck[CHECK]).toEqual({ passed: 1, failed: 2, errors: 0 });
  });

  it('has nothing to say about a region without instances', async () => {
    serveInstances({});
    const result = await audit([instanceProfile]);
    expect(result.findings).toEqual([]);
    expect(result.errors).toEqual([]);
    expect(result.stats.byCheck[CHECK]).toEqual({ passed: 0, failed: 0, errors: 0 });
  });

  it('reports each instance in its own region', async () => {
    serveInstances({ 'us-east-1': [noRole('i-0000000000000d001')], 'eu-west-1': [instance('i-0000000000000d002')] });
    const result = await audit([instanceProfile], { account: { regions: TWO_REGIONS } });
    expect(result.errors).toEqual([]);
    expect(result.findings.map((f) => [f.region, f.resource.id])).toEqual([['us-east-1', 'i-0000000000000d001']]);
    expect(result.stats.byCheck[CHECK]).toEqual({ passed: 1, failed: 1, errors: 0 });
  });
});
