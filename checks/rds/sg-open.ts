import { defineCheck } from '../../src/audit/check.js';
import { malformedResponse, namedError } from '../../src/errors.js';
import type { CheckContext, Evaluation } from '../../src/audit/types.js';
import { databaseDetails, databaseLabel, databasePort, databases, internetExposure, type Database } from '../../src/rules/rds-databases.js';
import { describeRange, groupLabel, groupsById, ingressSubKey, ruleDetails } from '../../src/rules/security-group-ingress.js';

/** Whether anything of the database answers on a public address: the instance, or any member of the cluster. */
function publiclyAccessible(db: Database): boolean {
  if (db.kind === 'instance') return db.instance.PubliclyAccessible === true;
  return db.cluster.PubliclyAccessible === true || db.members.some((m) => m.PubliclyAccessible === true);
}

export default defineCheck({
  id: 'rds.sg-open',
  title: 'No security group opens a database port to the internet',
  service: 'rds',
  scope: 'regional',
  severity: 'critical',
  description:
    'A security group rule that lets 0.0.0.0/0 or ::/0 reach a database port leaves only the password between the internet and the data once the database is, or is made, publicly accessible; database ports are scanned and brute-forced within minutes of being exposed.',
  references: {},
  remediation:
    'Replace the rule with one that allows only the application: `aws ec2 revoke-security-group-ingress --group-id <group> --ip-permissions ...`, then `authorize-security-group-ingress` with `--source-group <app security group>` (or the VPN range) on the database port.',
  uses: ['rds.instances', 'rds.clusters', 'ec2.securityGroups'],
  async run(ctx) {
    const [instances, clusters, groups] = await Promise.all([
      ctx.inventory.get('rds.instances'),
      ctx.inventory.get('rds.clusters'),
      ctx.inventory.get('ec2.securityGroups'),
    ]);
    const byId = groupsById(groups);
    return databases(instances, clusters, ctx.region, ctx.account.accountId).flatMap((db) => judge(ctx, db, byId));
  },
});

function judge(ctx: CheckContext, db: Database, groups: ReturnType<typeof groupsById>): Evaluation[] {
  const { exposures, unknownGroups, portUnknown } = internetExposure(db, groups);
  const port = databasePort(db);
  const isPublic = publiclyAccessible(db);
  const out: Evaluation[] = exposures.map(({ group, rule }) =>
    ctx.fail({
      resource: db.resource,
      subKey: `${group.GroupId}:${ingressSubKey(rule)}`,
      message:
        `${databaseLabel(db)} can be reached from ${rule.cidr} on port ${port ?? 'any'}: security group ${groupLabel(group)} allows ${describeRange(rule)} from ${rule.cidr}` +
        (isPublic
          ? ', and the database is publicly accessible.'
          : '; the database is not publicly accessible, so the rule is one setting away from exposing it.'),
      details: {
        ...databaseDetails(db),
        port: port ?? null,
        publiclyAccessible: isPublic,
        ...ruleDetails(group, rule),
      },
    }),
  );
  // What could not be judged is said, beside any finding the facts already decide.
  if (unknownGroups.length > 0) {
    out.push(
      ctx.error(
        db.id,
        namedError('SecurityGroupNotFound', `security group ${unknownGroups.join(', ')} of ${db.id} is not in the region's DescribeSecurityGroups answer`),
      ),
    );
  } else if (portUnknown && exposures.length === 0) {
    out.push(ctx.error(db.id, malformedResponse(`${db.id} has no endpoint port yet, and a security group opens some ports to the internet`)));
  }
  return out.length > 0 ? out : [ctx.pass(db.id)];
}
