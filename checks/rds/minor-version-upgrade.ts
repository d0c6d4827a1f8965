import { defineCheck } from '../../src/audit/check.js';
import type { Evaluation } from '../../src/audit/types.js';
import { databaseDetails, databaseLabel, instanceDatabase, liveInstances, missingField } from '../../src/rules/rds-databases.js';

export default defineCheck({
  id: 'rds.minor-version-upgrade',
  title: 'RDS instances take minor engine upgrades automatically',
  service: 'rds',
  scope: 'regional',
  severity: 'low',
  description:
    "Minor engine versions carry the database's security fixes; with automatic minor version upgrades off, an instance stays on a version with known vulnerabilities until someone remembers to upgrade it.",
  references: { cis: '2.2.2', securityHub: 'RDS.13' },
  remediation:
    'Turn it on: `aws rds modify-db-instance --db-instance-identifier <id> --auto-minor-version-upgrade --apply-immediately`; upgrades then happen in the maintenance window. (RDS Custom instances must keep it off; mute their findings with that reason.)',
  uses: ['rds.instances'],
  async run(ctx) {
    // Set per instance, Aurora members included: each member is upgraded on its own setting.
    const instances = liveInstances(await ctx.inventory.get('rds.instances'));
    return instances.map((instance): Evaluation => {
      const db = instanceDatabase(instance, ctx.region, ctx.account.accountId);
      if (instance.AutoMinorVersionUpgrade === undefined) return ctx.error(db.id, missingField('DescribeDBInstances', 'AutoMinorVersionUpgrade', db.id));
      if (instance.AutoMinorVersionUpgrade) return ctx.pass(db.id);
      return ctx.fail({
        resource: db.resource,
        message: `${databaseLabel(db)} has automatic minor version upgrades off: engine security fixes wait for a manual upgrade.`,
        details: {
          ...databaseDetails(db),
          ...(instance.DBClusterIdentifier ? { clusterIdentifier: instance.DBClusterIdentifier } : {}),
          autoMinorVersionUpgrade: false,
        },
      });
    });
  },
});
