import { DescribeFlowLogsCommand, DescribeVpcsCommand, EC2Client, type FlowLog, type Vpc } from '@aws-sdk/client-ec2';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import flowLogs from '../../../checks/vpc/flow-logs.js';
import { findingFingerprint } from '../../../src/audit/fingerprint.js';
import { audit, awsError } from '../../helpers/aws.js';
import { flowLog, serveRegions, servePaged, tags, TWO_REGIONS, UNAUTHORIZED, vpc, type Pages } from '../ec2/regional-fixtures.js';

const ec2 = mockClient(EC2Client);
const CHECK = 'vpc.flow-logs';

function serveNetwork(byRegion: Record<string, { vpcs?: Pages<Vpc>; flowLogs?: Pages<FlowLog> }>) {
  serveRegions(ec2);
  const pick = (key: 'vpcs' | 'flowLogs') => Object.fromEntries(Object.entries(byRegion).map(([region, r]) => [region, r[key] ?? []]));
  servePaged(ec2, DescribeVpcsCommand, 'Vpcs', pick('vpcs') as Record<string, Pages<Vpc>>);
  servePaged(ec2, DescribeFlowLogsCommand, 'FlowLogs', pick('flowLogs') as Record<string, Pages<FlowLog>>);
}

const DEFAULT_VPC = vpc('vpc-0123456789abcdef0', { IsDefault: true, CidrBlock: '172.31.0.0/16', Tags: tags({ Name: '<!everyone> legacy' }) });

describe('vpc.flow-logs', () => {
  beforeEach(() => ec2.reset());

  it('is a vpc check with its references and datasets', () => {
    expect(flowLogs).toMatchObject({ id: CHECK, service: 'vpc', scope: 'regional', severity: 'medium', references: { cis: '3.7', securityHub: 'EC2.6' } });
    expect(flowLogs.uses).toEqual(['ec2.vpcs', 'ec2.flowLogs']);
  });

  it('passes VPCs with an active VPC-level flow log', async () => {
    serveNetwork({
      'us-east-1': {
        vpcs: [vpc('vpc-0000000000000a001'), vpc('vpc-0000000000000a002')],
        flowLogs: [
          flowLog('fl-0000000000000a001', 'vpc-0000000000000a001'),
          flowLog('fl-0000000000000a002', 'vpc-0000000000000a002', {
            TrafficType: 'REJECT',
            LogDestinationType: 's3',
            LogDestination: 'arn:aws:s3:::flow-logs-bucket',
            LogGroupName: undefined,
            DeliverLogsPermissionArn: undefined,
          }),
        ],
      },
    });
    const result = await audit([flowLogs]);
    expect(result.findings).toEqual([]);
    expect(result.errors).toEqual([]);
    expect(result.stats.byCheck[CHECK]).toEqual({ passed: 2, failed: 0, errors: 0 });
  });

  it('fails a VPC without a flow log, saying it is the default VPC, with its raw Name tag', async () => {
    serveNetwork({ 'us-east-1': { vpcs: [DEFAULT_VPC], flowLogs: [] } });
    const result = await audit([flowLogs]);
    expect(result.findings).toEqual([
      {
        checkId: CHECK,
        severity: 'medium',
        accountId: '123456789012',
        region: 'us-east-1',
        resource: {
          type: 'AWS::EC2::VPC',
          id: 'vpc-0123456789abcdef0',
          arn: 'arn:aws:ec2:us-east-1:123456789012:vpc/vpc-0123456789abcdef0',
          tags: { Name: '<!everyone> legacy' },
        },
        message: 'Default VPC vpc-0123456789abcdef0 (<!everyone> legacy, 172.31.0.0/16) has no active flow log: its network traffic is not recorded.',
        fingerprint: findingFingerprint({ checkId: CHECK, accountId: '123456789012', region: 'us-east-1', resourceId: 'vpc-0123456789abcdef0' }),
        details: {
          vpcId: 'vpc-0123456789abcdef0',
          isDefault: true,
          cidrBlock: '172.31.0.0/16',
          name: '<!everyone> legacy',
          flowLogs: 0,
          deliveryFailing: false,
        },
      },
    ]);
    expect(result.stats.byCheck[CHECK]).toEqual({ passed: 0, failed: 1, errors: 0 });
  });

  it('does not count flow logs of subnets, interfaces or other VPCs, nor inactive ones', async () => {
    serveNetwork({
      'us-east-1': {
        vpcs: [vpc('vpc-0000000000000b001')],
        flowLogs: [
          flowLog('fl-0000000000000b001', 'subnet-0000000000000b001'),
          flowLog('fl-0000000000000b002', 'eni-0000000000000b001'),
          flowLog('fl-0000000000000b003', 'vpc-0000000000000b999'),
          flowLog('fl-0000000000000b004', 'vpc-0000000000000b001', { FlowLogStatus: 'INACTIVE' }),
        ],
      },
    });
    const result = await audit([flowLogs]);
    expect(result.findings.map((f) => [f.resource.id, f.message, f.details?.flowLogs])).toEqual([
      ['vpc-0000000000000b001', 'VPC vpc-0000000000000b001 (10.0.0.0/16) has no active flow log: its network traffic is not recorded.', 1],
    ]);
  });

  it('fails a VPC whose only flow log cannot deliver, quoting the delivery error', async () => {
    serveNetwork({
      'us-east-1': {
        vpcs: [vpc('vpc-0000000000000b002', { Tags: tags({ Name: 'payments' }) })],
        flowLogs: [flowLog('fl-0000000000000b005', 'vpc-0000000000000b002', { DeliverLogsStatus: 'FAILED', DeliverLogsErrorMessage: 'Access error' })],
      },
    });
    const result = await audit([flowLogs]);
    expect(result.findings).toHaveLength(1);
    expect(result.findings[0]!.message).toBe(
      'VPC vpc-0000000000000b002 (payments, 10.0.0.0/16) has flow log fl-0000000000000b005 but its delivery is failing (Access error): no traffic is being recorded.',
    );
    expect(result.findings[0]!.details).toMatchObject({ isDefault: false, name: 'payments', flowLogs: 1, deliveryFailing: true });
  });

  it("leaves a VPC shared in from another account to its owner's audit", async () => {
    serveNetwork({ 'us-east-1': { vpcs: [vpc('vpc-0000000000000e001', { OwnerId: '999999999999' }), vpc('vpc-0000000000000e002')] } });
    const result = await audit([flowLogs]);
    expect(result.findings.map((f) => f.resource.id)).toEqual(['vpc-0000000000000e002']);
    expect(result.stats.byCheck[CHECK]).toEqual({ passed: 0, failed: 1, errors: 0 });
  });

  it('reports an error, not a pass, when flow logs cannot be listed', async () => {
    serveRegions(ec2);
    servePaged(ec2, DescribeVpcsCommand, 'Vpcs', { 'us-east-1': [DEFAULT_VPC] });
    ec2.on(DescribeFlowLogsCommand).rejects(awsError('UnauthorizedOperation', `${UNAUTHORIZED}DescribeFlowLogs`));
    const result = await audit([flowLogs]);
    expect(result.findings).toEqual([]);
    expect(result.errors).toEqual([{ checkId: CHECK, region: 'us-east-1', code: 'UnauthorizedOperation', message: `${UNAUTHORIZED}DescribeFlowLogs` }]);
    expect(result.stats.byCheck[CHECK]).toEqual({ passed: 0, failed: 0, errors: 1 });
  });

  it('reads every page of VPCs and flow logs', async () => {
    serveNetwork({
      'us-east-1': {
        vpcs: [[vpc('vpc-0000000000000c001')], [vpc('vpc-0000000000000c002'), vpc('vpc-0000000000000c003')]],
        // The log of c002 is on the second page: judged on the first page alone, c002 would fail.
        flowLogs: [[flowLog('fl-0000000000000c001', 'vpc-0000000000000c001')], [flowLog('fl-0000000000000c002', 'vpc-0000000000000c002')]],
      },
    });
    const result = await audit([flowLogs]);
    expect(result.findings.map((f) => f.resource.id)).toEqual(['vpc-0000000000000c003']);
    expect(result.stats.byCheck[CHECK]).toEqual({ passed: 2, failed: 1, errors: 0 });
    expect(ec2.commandCalls(DescribeFlowLogsCommand)).toHaveLength(2);
    expect(ec2.commandCalls(DescribeVpcsCommand)).toHaveLength(2);
  });

  it('has nothing to say about a region without VPCs', async () => {
    serveNetwork({});
    const result = await audit([flowLogs]);
    expect(result.findings).toEqual([]);
    expect(result.errors).toEqual([]);
    expect(result.stats.byCheck[CHECK]).toEqual({ passed: 0, failed: 0, errors: 0 });
  });

  it("judges each region's VPCs against that region's flow logs", async () => {
    serveNetwork({
      'us-east-1': { vpcs: [vpc('vpc-0000000000000d001')], flowLogs: [flowLog('fl-0000000000000d001', 'vpc-0000000000000d001')] },
      'eu-west-1': { vpcs: [vpc('vpc-0000000000000d002')], flowLogs: [] },
    });
    const result = await audit([flowLogs], { account: { regions: TWO_REGIONS } });
    expect(result.errors).toEqual([]);
    expect(result.findings.map((f) => [f.region, f.resource.id, f.resource.arn])).toEqual([
      ['eu-west-1', 'vpc-0000000000000d002', 'arn:aws:ec2:eu-west-1:123456789012:vpc/vpc-0000000000000d002'],
    ]);
    expect(result.stats.byCheck[CHECK]).toEqual({ passed: 1, failed: 1, errors: 0 });
  });
});
