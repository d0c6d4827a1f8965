import { EC2Client } from '@aws-sdk/client-ec2';
import { RDSClient } from '@aws-sdk/client-rds';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import sgOpen from '../../../checks/rds/sg-open.js';
import { findingFingerprint } from '../../../src/audit/fingerprint.js';
import { audit, awsError } from '../../helpers/aws.js';
import { auroraMember, dbCluster, dbInstance, OWNER, permission, securityGroup, serveRds } from './rds-fixtures.js';

const rds = mockClient(RDSClient);
const ec2 = mockClient(EC2Client);
const CHECK = 'rds.sg-open';

const DB_GROUP = 'sg-0db0000000000001a';
const privateGroup = securityGroup(DB_GROUP, 'db', [permission('tcp', 5432, 5432, { v4: ['10.0.0.0/16'], groups: ['sg-0a1b2c3d4e5f60718'] })]);
const openGroup = (ingress = [permission('tcp', 5432, 5432, { v4: [{ cidr: '0.0.0.0/0', description: 'temp <@U123> access' }] })]) =>
  securityGroup(DB_GROUP, 'db', ingress);
const uses = (groups: string[]) => ({ VpcSecurityGroups: groups.map((VpcSecurityGroupId) => ({ VpcSecurityGroupId, Status: 'active' })) });

describe('rds.sg-open', () => {
  beforeEach(() => {
    rds.reset();
    ec2.reset();
  });

  it('declares its datasets: the security group rules are the ec2.sg-* ones', () => {
    expect(sgOpen).toMatchObject({ id: CHECK, service: 'rds', scope: 'regional', severity: 'critical' });
    expect(sgOpen.uses).toEqual(['rds.instances', 'rds.clusters', 'ec2.securityGroups']);
  });

  it('passes databases whose groups open their port only to narrower sources, or open other ports to the world', async () => {
    serveRds(rds, ec2, {
      'us-east-1': {
        instances: [dbInstance('orders'), dbInstance('web-db', uses(['sg-0web000000000001b']))],
        clusters: [],
        securityGroups: [privateGroup, securityGroup('sg-0web000000000001b', 'web', [permission('tcp', 443, 443, { v4: ['0.0.0.0/0'], v6: ['::/0'] })])],
      },
    });
    const result = await audit([sgOpen]);
    expect(result.findings).toEqual([]);
    expect(result.errors).toEqual([]);
    expect(result.stats.byCheck[CHECK]).toEqual({ passed: 2, failed: 0, errors: 0 });
  });

  it('fails, critical, per group rule and CIDR that reaches the port, naming them; the rule description stays raw', async () => {
    serveRds(rds, ec2, {
      'us-east-1': {
        instances: [dbInstance('orders', { PubliclyAccessible: true })],
        clusters: [],
        securityGroups: [openGroup([permission('tcp', 5000, 6000, { v4: [{ cidr: '0.0.0.0/0', description: 'temp <@U123> access' }], v6: ['::/0'] })])],
      },
    });
    const result = await audit([sgOpen]);
    expect(result.errors).toEqual([]);
    expect(result.findings).toHaveLength(2);
    const [v4, v6] = ['0.0.0.0/0', '::/0'].map((cidr) => result.findings.find((f) => f.details?.cidr === cidr));
    expect(v4).toEqual({
      checkId: CHECK,
      severity: 'critical',
      accountId: OWNER,
      region: 'us-east-1',
      resource: { type: 'AWS::RDS::DBInstance', id: 'orders', arn: `arn:aws:rds:us-east-1:${OWNER}:db:orders` },
      message:
        'DB instance orders (postgres 16.3) can be reached from 0.0.0.0/0 on port 5432: security group sg-0db0000000000001a (db) allows tcp 5000-6000 from 0.0.0.0/0, and the database is publicly accessible.',
      fingerprint: findingFingerprint({
        checkId: CHECK,
        accountId: OWNER,
        region: 'us-east-1',
        resourceId: 'orders',
        subKey: `${DB_GROUP}:tcp:5000-6000:0.0.0.0/0`,
      }),
      details: {
        dbKind: 'instance',
        dbIdentifier: 'orders',
        engine: 'postgres',
        engineVersion: '16.3',
        instanceClass: 'db.t4g.medium',
        port: 5432,
        publiclyAccessible: true,
        groupId: DB_GROUP,
        groupName: 'db',
        vpcId: 'vpc-0f1e2d3c4b5a69788',
        protocol: 'tcp',
        fromPort: 5000,
        toPort: 6000,
        cidr: '0.0.0.0/0',
        ruleDescription: 'temp <@U123> access',
      },
    });
    expect(v6!.details).toMatchObject({ cidr: '::/0', ruleDescription: null });
  });

  it('judges an Aurora cluster once on its own groups and port, public when any member is', async () => {
    serveRds(rds, ec2, {
      'us-east-1': {
        instances: [auroraMember('payments-1', 'payments'), auroraMember('payments-2', 'payments', { PubliclyAccessible: true })],
        clusters: [dbCluster('payments', ['payments-1', 'payments-2'], { Port: 5433 })],
        securityGroups: [openGroup([permission('-1', undefined, undefined, { v4: ['0.0.0.0/0'] })])],
      },
    });
    const result = await audit([sgOpen]);
    expect(result.findings.map((f) => [f.resource.type, f.resource.id, f.message])).toEqual([
      [
        'AWS::RDS::DBCluster',
        'payments',
        'DB cluster payments (aurora-postgresql 15.4) can be reached from 0.0.0.0/0 on port 5433: security group sg-0db0000000000001a (db) allows all traffic from 0.0.0.0/0, and the database is publicly accessible.',
      ],
    ]);
  });

  it('says a private database is one setting away', async () => {
    serveRds(rds, ec2, { 'us-east-1': { instances: [dbInstance('orders')], clusters: [], securityGroups: [openGroup()] } });
    const result = await audit([sgOpen]);
    expect(result.findings.map((f) => f.message)).toEqual([
      'DB instance orders (postgres 16.3) can be reached from 0.0.0.0/0 on port 5432: security group sg-0db0000000000001a (db) allows tcp 5432 from 0.0.0.0/0; the database is not publicly accessible, so the rule is one setting away from exposing it.',
    ]);
  });

  it('without an endpoint port yet: an all-ports rule still fails; a narrower world-open rule is an error, not a pass', async () => {
    const creating = { DBInstanceStatus: 'creating', Endpoint: undefined, DbInstancePort: 0 };
    serveRds(rds, ec2, {
      'us-east-1': {
        instances: [dbInstance('new-db', creating), dbInstance('new-db-2', { ...creating, ...uses(['sg-0all000000000001c']) })],
        clusters: [],
        securityGroups: [openGroup(), securityGroup('sg-0all000000000001c', 'all', [permission('tcp', 0, 65535, { v4: ['0.0.0.0/0'] })])],
      },
    });
    const result = await audit([sgOpen]);
    expect(result.findings.map((f) => [f.resource.id, f.details?.port])).toEqual([['new-db-2', null]]);
    expect(result.errors).toEqual([
      {
        checkId: CHECK,
        region: 'us-east-1',
        code: 'MalformedResponse',
        message: 'new-db has no endpoint port yet, and a security group opens some ports to the internet',
        resource: 'new-db',
      },
    ]);
  });

  it('reports an attached group missing from the listing as an error for that database', async () => {
    serveRds(rds, ec2, {
      'us-east-1': { instances: [dbInstance('orders', uses([DB_GROUP, 'sg-0gone00000000001d']))], clusters: [], securityGroups: [privateGroup] },
    });
    const result = await audit([sgOpen]);
    expect(result.findings).toEqual([]);
    expect(result.errors).toEqual([expect.objectContaining({ code: 'SecurityGroupNotFound', resource: 'orders' })]);
    expect(result.errors[0]!.message).toContain('sg-0gone00000000001d');
  });

  it('reports the region as an error when the security groups cannot be read', async () => {
    serveRds(rds, ec2, {
      'us-east-1': {
        instances: [dbInstance('orders')],
        clusters: [],
        securityGroups: awsError('UnauthorizedOperation', 'You are not authorized to perform this operation.'),
      },
    });
    const result = await audit([sgOpen]);
    expect(result.findings).toEqual([]);
    expect(result.errors).toEqual([expect.objectContaining({ checkId: CHECK, code: 'UnauthorizedOperation' })]);
    expect(result.stats.byCheck[CHECK]).toEqual({ passed: 0, failed: 0, errors: 1 });
  });
});
