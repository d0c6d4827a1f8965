import { defineCheck } from '../../src/audit/check.js';
import type { CheckContext, Evaluation } from '../../src/audit/types.js';
import type { RdsSnapshot } from '../../src/audit/datasets/rds.js';
import { resourceTags } from '../../src/rules/resource-tags.js';

/** The `restore` value that makes a snapshot public. */
const PUBLIC = 'all';

export default defineCheck({
  id: 'rds.public-snapshot',
  title: 'RDS snapshots are not public',
  service: 'rds',
  scope: 'regional',
  severity: 'critical',
  description:
    'Any AWS account can restore a public DB snapshot into a database of its own and read every table, password hash and secret it held; public snapshots are listed by anyone with `aws rds describe-db-snapshots --include-public` and are searched for routinely.',
  references: { securityHub: 'RDS.1' },
  remediation:
    'Remove the public permission: `aws rds modify-db-snapshot-attribute --db-snapshot-identifier <id> --attribute-name restore --values-to-remove all` (for a cluster snapshot, `modify-db-cluster-snapshot-attribute --db-cluster-snapshot-identifier <id>`), and share with specific account ids instead if someone needs it. Treat the data in it as exposed.',
  fix: 'rds.make-snapshot-private',
  uses: ['rds.dbSnapshots', 'rds.clusterSnapshots'],
  async run(ctx) {
    const [db, cluster] = await Promise.all([ctx.inventory.get('rds.dbSnapshots'), ctx.inventory.get('rds.clusterSnapshots')]);
    return [...db, ...cluster].flatMap((snapshot) => judge(ctx, snapshot));
  },
});

function judge(ctx: CheckContext, snapshot: RdsSnapshot): Evaluation[] {
  if (!snapshot.restore.ok) return [ctx.error(snapshot.id, snapshot.restore.error)];
  // Deleted between the listing and the read: nothing left to judge.
  if (snapshot.restore.value === 'gone') return [];
  // RDS refuses to make an encrypted snapshot public.
  if (snapshot.restore.value === 'encrypted') return [ctx.pass(snapshot.id)];
  const restore = snapshot.restore.value;
  if (!restore.includes(PUBLIC)) return [ctx.pass(snapshot.id)];
  const accounts = restore.filter((v) => v !== PUBLIC);
  const what = snapshot.kind === 'cluster' ? 'DB cluster snapshot' : 'DB snapshot';
  const facts = [snapshot.sourceId ? `of ${snapshot.sourceId}` : null, snapshot.engine ?? null, snapshot.encrypted === false ? 'unencrypted' : null]
    .filter(Boolean)
    .join(', ');
  return [
    ctx.fail({
      resource: {
        type: snapshot.kind === 'cluster' ? 'AWS::RDS::DBClusterSnapshot' : 'AWS::RDS::DBSnapshot',
        id: snapshot.id,
        ...(snapshot.arn ? { arn: snapshot.arn } : {}),
        ...resourceTags(snapshot.tags),
      },
      // DB and cluster snapshot names are separate namespaces: the kind keeps their fingerprints apart.
      ...(snapshot.kind === 'cluster' ? { subKey: 'cluster' } : {}),
      message: `Manual ${what} ${snapshot.id}${facts ? ` (${facts})` : ''} is public: any AWS account can restore it and read the data.`,
      details: {
        snapshotId: snapshot.id,
        snapshotKind: snapshot.kind,
        snapshotArn: snapshot.arn ?? null,
        sourceId: snapshot.sourceId ?? null,
        engine: snapshot.engine ?? null,
        encrypted: snapshot.encrypted ?? null,
        createdAt: snapshot.createdAt ? snapshot.createdAt.toISOString() : null,
        sharedWith: accounts.join(', '),
      },
    }),
  ];
}
