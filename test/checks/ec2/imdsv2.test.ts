import { DescribeInstancesCommand, EC2Client, type Instance } from '@aws-sdk/client-ec2';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import imdsv2 from '../../../checks/ec2/imdsv2.js';
import { findingFingerprint } from '../../../src/audit/fingerprint.js';
import { audit, awsError } from '../../helpers/aws.js';
import { instance, reservations, serveRegions, servePaged, tags, TWO_REGIONS, UNAUTHORIZED, type Pages } from './regional-fixtures.js';

const ec2 = mockClient(EC2Client);
const CHECK = 'ec2.imdsv2';

function serveInstances(byRegion: Record<string, Pages<Instance>>) {
  serveRegions(ec2);
  servePaged(ec2, DescribeInstancesCommand, 'Reservations', byRegion, reservations);
}

const v1 = (overrides: Partial<Instance['MetadataOptions']> = {}): Instance['MetadataOptions'] => ({
  State: 'applied',
  HttpTokens: 'optional',
  HttpPutResponseHopLimit: 1,
  HttpEndpoint: 'enabled',
  HttpProtocolIpv6: 'disabled',
  InstanceMetadataTags: 'disabled',
  ...overrides,
});

describe('ec2.imdsv2', () => {
  beforeEach(() => ec2.reset());

  it('declares its references and dataset', () => {
    expect(imdsv2).toMatchObject({ id: CHECK, service: 'ec2', scope: 'regional', severity: 'medium', references: { cis: '5.7', securityHub: 'EC2.8' } });
    expect(imdsv2.uses).toEqual(['ec2.instances']);
  });

  it('passes running instances that require tokens, and those with the metadata service switched off', async () => {
    serveInstances({
      'us-east-1': [
        instance('i-0000000000000a001'),
        // IMDS off: HttpTokens optional does not matter, nothing answers.
        instance('i-0000000000000a002', { MetadataOptions: v1({ HttpEndpoint: 'disabled' }) }),
      ],
    });
    const result = await audit([imdsv2]);
    expect(result.findings).toEqual([]);
    expect(result.errors).toEqual([]);
    expect(result.stats.byCheck[CHECK]).toEqual({ passed: 2, failed: 0, errors: 0 });
  });

  it('fails a running instance that accepts IMDSv1, naming its role exposure and its raw Name tag', async () => {
    serveInstances({
      'us-east-1': [instance('i-0123456789abcdef0', { InstanceType: 'm5.large', MetadataOptions: v1(), Tags: tags({ Name: 'web <prod>', team: 'x' }) })],
    });
    const result = await audit([imdsv2]);
    expect(result.findings).toEqual([
      {
        checkId: CHECK,
        severity: 'medium',
        accountId: '123456789012',
        region: 'us-east-1',
        resource: {
          type: 'AWS::EC2::Instance',
          id: 'i-0123456789abcdef0',
          arn: 'arn:aws:ec2:us-east-1:123456789012:instance/i-0123456789abcdef0',
          tags: { Name: 'web <prod>', team: 'x' },
        },
        message:
          'Instance i-0123456789abcdef0 (web <prod>) accepts IMDSv1 (HttpTokens optional): a request forged through it can read its role credentials without a session token.',
        fingerprint: findingFingerprint({ checkId: CHECK, accountId: '123456789012', region: 'us-east-1', resourceId: 'i-0123456789abcdef0' }),
        details: {
          instanceId: 'i-0123456789abcdef0',
          name: 'web <prod>',
          instanceType: 'm5.large',
          httpTokens: 'optional',
          httpEndpoint: 'enabled',
          httpPutResponseHopLimit: 1,
          instanceProfileArn: 'arn:aws:iam::123456789012:instance-profile/app-server',
        },
      },
    ]);
    expect(result.stats.byCheck[CHECK]).toEqual({ passed: 0, failed: 1, errors: 0 });
  });

  it('fails an instance without a role or metadata options too, and never judges stopped or terminated ones', async () => {
    serveInstances({
      'us-east-1': [
        instance('i-0000000000000b001', { MetadataOptions: v1(), IamInstanceProfile: undefined, Tags: [] }),
        instance('i-0000000000000b002', { MetadataOptions: undefined, Tags: tags({ Name: 'legacy' }) }),
        instance('i-0000000000000b003', { MetadataOptions: v1(), State: { Code: 80, Name: 'stopped' } }),
        instance('i-0000000000000b004', { MetadataOptions: v1(), State: { Code: 48, Name: 'terminated' } }),
        instance('i-0000000000000b005', { MetadataOptions: v1(), State: { Code: 0, Name: 'pending' } }),
      ],
    });
    const result = await audit([imdsv2]);
    expect(result.findings.map((f) => f.message)).toEqual([
      'Instance i-0000000000000b001 accepts IMDSv1 (HttpTokens optional): a request forged through it can read its metadata and user data without a session token.',
      'Instance i-0000000000000b002 (legacy) accepts IMDSv1 (HttpTokens not reported): a request forged through it can read its role credentials without a session token.',
    ]);
    expect(result.findings[0]!.details).toMatchObject({ name: null, instanceProfileArn: null });
    expect(result.findings[1]!.details).toMatchObject({ httpTokens: null, httpEndpoint: null });
    expect(result.stats.byCheck[CHECK]).toEqual({ passed: 0, failed: 2, errors: 0 });
  });

  it('reports an error, not a pass, when instances cannot be listed', async () => {
    serveRegions(ec2);
    ec2.on(DescribeInstancesCommand).rejects(awsError('UnauthorizedOperation', `${UNAUTHORIZED}DescribeInstances`));
    const result = await audit([imdsv2]);
    expect(result.findings).toEqual([]);
    expect(result.errors).toEqual([{ checkId: CHECK, region: 'us-east-1', code: 'UnauthorizedOperation', message: `${UNAUTHORIZED}DescribeInstances` }]);
    expect(result.stats.byCheck[CHECK]).toEqual({ passed: 0, failed: 0, errors: 1 });
  });

  it('reads every page', async () => {
    serveInstances({ 'us-east-1': [[instance('i-0000000000000c001')], [instance('i-0000000000000c002', { MetadataOptions: v1() })]] });
    const result = await audit([imdsv2]);
    expect(result.findings.map((f) => f.resource.id)).toEqual(['i-0000000000000c002']);
    expect(result.stats.byCheck[CHECK]).toEqual({ passed: 1, failed: 1, errors: 0 });
    expect(ec2.commandCalls(DescribeInstancesCommand)).toHaveLength(2);
  });

  it('has nothing to say about a region without instances', async () => {
    serveInstances({});
    const result = await audit([imdsv2]);
    expect(result.findings).toEqual([]);
    expect(result.errors).toEqual([]);
    expect(result.stats.byCheck[CHECK]).toEqual({ passed: 0, failed: 0, errors: 0 });
  });

  it('reports each instance in its own region', async () => {
    serveInstances({
      'us-east-1': [instance('i-0000000000000d001')],
      'eu-west-1': [instance('i-0000000000000d002', { MetadataOptions: v1(), Placement: { AvailabilityZone: 'eu-west-1b' } })],
    });
    const result = await audit([imdsv2], { account: { regions: TWO_REGIONS } });
    expect(result.errors).toEqual([]);
    expect(result.findings.map((f) => [f.region, f.resource.id, f.resource.arn])).toEqual([
      ['eu-west-1', 'i-0000000000000d002', 'arn:aws:ec2:eu-west-1:123456789012:instance/i-0000000000000d002'],
    ]);
    expect(result.stats.byCheck[CHECK]).toEqual({ passed: 1, failed: 1, errors: 0 });
  });
});
