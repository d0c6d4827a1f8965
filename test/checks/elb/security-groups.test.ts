import { DescribeSecurityGroupsCommand, EC2Client } from '@aws-sdk/client-ec2';
import { ElasticLoadBalancingClient } from '@aws-sdk/client-elastic-load-balancing';
import { ElasticLoadBalancingV2Client } from '@aws-sdk/client-elastic-load-balancing-v2';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import securityGroups from '../../../checks/elb/security-groups.js';
import { audit, awsError } from '../../helpers/aws.js';
import { serveRegions } from '../ec2/regional-fixtures.js';
import { permission, securityGroup } from '../ec2/sg-fixtures.js';
import { alb, classic, listener, serveElb } from './elb-fixtures.js';

const elb = mockClient(ElasticLoadBalancingClient);
const elbv2 = mockClient(ElasticLoadBalancingV2Client);
const ec2 = mockClient(EC2Client);
const CHECK = 'elb.security-groups';
const WEB = 'sg-0web000000000001b';
const webGroup = (...ingress: ReturnType<typeof permission>[]) => securityGroup(WEB, 'web-lb', ingress);

describe('elb.security-groups', () => {
  beforeEach(() => {
    elb.reset();
    elbv2.reset();
    ec2.reset();
    serveRegions(ec2);
  });

  const serveGroups = (...groups: ReturnType<typeof securityGroup>[]) => ec2.on(DescribeSecurityGroupsCommand).resolves({ SecurityGroups: groups });

  it('declares its datasets', () => {
    expect(securityGroups).toMatchObject({ id: CHECK, service: 'elb', scope: 'regional', severity: 'medium' });
    expect(securityGroups.uses).toEqual(['elb.classic', 'elb.v2', 'ec2.securityGroups']);
  });

  it('passes a load balancer whose group opens only its listener ports; gateway load balancers take no groups', async () => {
    const web = alb('web');
    const gwlb = alb('inspection', { Type: 'gateway', SecurityGroups: [] });
    const legacy = classic('legacy', {
      ListenerDescriptions: [
        { Listener: { Protocol: 'HTTP', LoadBalancerPort: 80, InstanceProtocol: 'HTTP', InstancePort: 80 }, PolicyNames: [] },
        { Listener: { Protocol: 'HTTPS', LoadBalancerPort: 443, InstanceProtocol: 'HTTP', InstancePort: 80 }, PolicyNames: ['tls12'] },
      ],
    });
    serveElb(elb, elbv2, {
      classic: [legacy],
      v2: [[web, gwlb]],
      listeners: { [web.LoadBalancerArn!]: [listener(web, 'HTTP', 80), listener(web, 'HTTPS', 443)] },
    });
    serveGroups(webGroup(permission('tcp', 80, 80, { v4: ['0.0.0.0/0'] }), permission('tcp', 443, 443, { v4: ['0.0.0.0/0'], v6: ['::/0'] })));
    const result = await audit([securityGroups]);
    expect(result.findings).toEqual([]);
    expect(result.errors).toEqual([]);
    expect(result.stats.byCheck[CHECK]).toEqual({ passed: 2, failed: 0, errors: 0 });
  });

  it('fails a group that opens more than the listener ports, per rule', async () => {
    const web = alb('web');
    serveElb(elb, elbv2, { v2: [[web]], listeners: { [web.LoadBalancerArn!]: [listener(web, 'HTTPS', 443)] } });
    serveGroups(
      webGroup(
        permission('tcp', 443, 443, { v4: ['0.0.0.0/0'] }),
        permission('tcp', 0, 65535, { v4: ['0.0.0.0/0'] }),
        permission('tcp', 22, 22, { v4: ['10.0.0.0/8'] }),
      ),
    );
    const result = await audit([securityGroups]);
    expect(result.errors).toEqual([]);
    expect(result.findings.map((f) => f.message)).toEqual([
      'Application load balancer web has security group sg-0web000000000001b (web-lb), which allows tcp all ports from 0.0.0.0/0: more than its listener ports (443).',
    ]);
    expect(result.findings[0]!.details).toMatchObject({ groupId: WEB, protocol: 'tcp', fromPort: 0, toPort: 65535, cidr: '0.0.0.0/0', listenerPorts: '443' });
  });

  it('fails a load balancer without groups and one naming a deleted group', async () => {
    const nlb = alb('nlb', { Type: 'network', SecurityGroups: [] });
    serveElb(elb, elbv2, {
      classic: [classic('legacy', { SecurityGroups: ['sg-0gone00000000001d'] })],
      v2: [[nlb]],
      listeners: { [nlb.LoadBalancerArn!]: [listener(nlb, 'TCP', 443)] },
    });
    serveGroups(webGroup());
    const result = await audit([securityGroups]);
    expect(result.findings.map((f) => f.message).sort()).toEqual([
      'Classic load balancer legacy names security group sg-0gone00000000001d, which no longer exists.',
      'Network load balancer nlb has no security group: nothing filters the traffic that reaches it (a Network Load Balancer made before August 2023 cannot get one).',
    ]);
  });

  it('reports a load balancer whose listeners cannot be read as an error, and the region when groups cannot be read', async () => {
    const web = alb('web');
    serveElb(elb, elbv2, { v2: [[web]], listeners: { [web.LoadBalancerArn!]: awsError('Throttling', 'Rate exceeded') } });
    serveGroups(webGroup(permission('-1', undefined, undefined, { v4: ['0.0.0.0/0'] })));
    let result = await audit([securityGroups]);
    expect(result.findings).toEqual([]);
    expect(result.errors).toEqual([expect.objectContaining({ code: 'Throttling', resource: web.LoadBalancerArn })]);

    ec2.reset();
    serveRegions(ec2);
    ec2.on(DescribeSecurityGroupsCommand).rejects(awsError('UnauthorizedOperation', 'You are not authorized to perform this operation.'));
    result = await audit([securityGroups]);
    expect(result.errors).toEqual([expect.objectContaining({ checkId: CHECK, code: 'UnauthorizedOperation' })]);
    expect(result.errors[0]).not.toHaveProperty('resource');
  });
});
