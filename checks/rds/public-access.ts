import { defineCheck } from '../../src/audit/check.js';
import type { Evaluation } from '../../src/audit/types.js';
import {
  databaseDetails,
  databaseLabel,
  databasePort,
  instanceDatabase,
  internetExposure,
  liveInstances,
  missingField,
} from '../../src/rules/rds-databases.js';
import { groupLabel, groupsById } from '../../src/rules/security-group-ingress.js';

/** The error entry's resource when the region's security groups cannot be read. */
const GROUPS_RESOURCE = 'security-groups';

export default defineCheck({
  id: 'rds.public-access',
  title: 'RDS instances are not publicly accessible',
  service: 'rds',
  scope: 'regional',
  severity: 'high',
  description:
    'A publicly accessible instance gets an endpoint that resolves to a public IP address: only its security groups stand between the internet and the database login, and one rule too wide (or added later) exposes it. One tier worse when a security group already lets the whole internet reach its port.',
  references: { cis: '2.2.3', securityHub: 'RDS.2' },
  remediation:
    'Turn public access off: `aws rds modify-db-instance --db-instance-identifier <id> --no-publicly-accessible --apply-immediately`; applications in the VPC keep connecting through the same endpoint, which then resolves to the private address. Reach it from outside through a VPN, AWS Client VPN or a bastion instead.',
  uses: ['rds.instances', 'ec2.securityGroups'],
  async run(ctx) {
    const instances = liveInstances(await ctx.inventory.get('rds.instances'));
    // Needed only to rank public instances; its failure must not cost the verdicts.
    const groups = await ctx.inventory.get('ec2.securityGroups').then(
      (listed) => ({ ok: true as const, byId: groupsById(listed) }),
      (error: unknown) => ({ ok: false as const, error }),
    );
    let publicSeen = false;
    const out = instances.map((instance): Evaluation => {
      const db = instanceDatabase(instance, ctx.region, ctx.account.accountId);
      if (instance.PubliclyAccessible === undefined) return ctx.error(db.id, missingField('DescribeDBInstances', 'PubliclyAccessible', db.id));
      if (!instance.PubliclyAccessible) return ctx.pass(db.id);
      publicSeen = true;
      const port = databasePort(db);
      const exposures = groups.ok ? internetExposure(db, groups.byId).exposures : [];
      const openGroups = [...new Map(exposures.map((e) => [e.group.GroupId, e.group])).values()];
      const endpoint = instance.Endpoint?.Address;
      const where = endpoint ? `its endpoint ${endpoint} resolves to a public IP address` : 'it gets a public IP address';
      const context = !groups.ok
        ? ". (The region's security groups could not be read; whether they let the whole internet in is unknown.)"
        : openGroups.length > 0
          ? `, and security group ${openGroups.map(groupLabel).join(', ')} lets the whole internet reach ${port ? `port ${port}` : 'it'}.`
          : '.';
      return ctx.fail({
        resource: db.resource,
        severity: openGroups.length > 0 ? 'critical' : 'high',
        message: `${databaseLabel(db)} is publicly accessible: ${where}${context}`,
        details: {
          ...databaseDetails(db),
          ...(instance.DBClusterIdentifier ? { clusterIdentifier: instance.DBClusterIdentifier } : {}),
          publiclyAccessible: true,
          endpoint: endpoint ?? null,
          port: port ?? null,
          subnetGroup: instance.DBSubnetGroup?.DBSubnetGroupName ?? null,
          internetOpenGroups: groups.ok ? openGroups.map((g) => g.GroupId).join(', ') : null,
        },
      });
    });
    if (publicSeen && !groups.ok) out.push(ctx.error(GROUPS_RESOURCE, groups.error));
    return out;
  },
});
