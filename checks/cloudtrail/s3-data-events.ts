import { defineCheck } from '../../src/audit/check.js';
import type { Evaluation } from '../../src/audit/types.js';
import { s3DataCoverage } from '../../src/rules/cloudtrail-selectors.js';

const KINDS = [
  { key: 'write', cis: '3.8', words: 'write (PutObject, DeleteObject)' },
  { key: 'read', cis: '3.9', words: 'read (GetObject)' },
] as const;

export default defineCheck({
  id: 'cloudtrail.s3-data-events',
  title: 'A multi-region trail records S3 object-level reads and writes for all buckets',
  service: 'cloudtrail',
  scope: 'global',
  severity: 'low',
  description:
    'Management events say who changed a bucket; only object-level data events say who read, wrote or deleted the objects in it. Without them, a data leak or a ransomware deletion cannot be traced to a principal or an IP address.',
  references: { cis: '3.8, 3.9' },
  remediation:
    'Add S3 data events for all buckets to a logging multi-region trail: `aws cloudtrail put-event-selectors --trail-name <trail> --advanced-event-selectors \'[{"Name":"S3 objects","FieldSelectors":[{"Field":"eventCategory","Equals":["Data"]},{"Field":"resources.type","Equals":["AWS::S3::Object"]}]}]\'` (keep the trail\'s management-event selector in the same call). Data events are billed per event: a trail of writes only (`readOnly` = false) covers CIS 3.8 at a fraction of the cost.',
  uses: ['cloudtrail.multiRegionTrails'],
  async run(ctx) {
    const trails = await ctx.inventory.get('cloudtrail.multiRegionTrails');
    const covered = { read: false, write: false };
    const unreadable: Evaluation[] = [];
    for (const { trail, state } of trails) {
      if (!state.ok) {
        unreadable.push(ctx.error(trail.TrailARN ?? trail.Name ?? 'unnamed trail', state.error));
        continue;
      }
      // A trail that is not logging records nothing, whatever its selectors say.
      if (!state.value.isLogging) continue;
      const coverage = s3DataCoverage(state.value.selectors);
      covered.read ||= coverage.read;
      covered.write ||= coverage.write;
    }
    const account = { type: 'AWS::::Account', id: ctx.account.accountId };
    const out: Evaluation[] = [];
    for (const kind of KINDS) {
      if (covered[kind.key]) {
        out.push(ctx.pass(`${account.id}/${kind.key}`));
        continue;
      }
      // An unreadable trail may be the one that records them: unknown, not a finding.
      if (unreadable.length > 0) continue;
      out.push(
        ctx.fail({
          resource: account,
          subKey: kind.key,
          message: `No logging multi-region CloudTrail trail records S3 object-level ${kind.words} events for all buckets (CIS ${kind.cis})${trails.length === 0 ? ': the account has no multi-region trail' : ''}.`,
          details: { events: kind.key, cis: kind.cis, multiRegionTrails: trails.length },
        }),
      );
    }
    return [...out, ...(out.length < KINDS.length ? unreadable : [])];
  },
});
