import type { GetEventSelectorsResponse, Trail } from '@aws-sdk/client-cloudtrail';
import { defineCheck } from '../../src/audit/check.js';
import type { Evaluation } from '../../src/audit/types.js';

/** Which management events a trail's event selectors record. */
interface ManagementCoverage {
  read: boolean;
  write: boolean;
}

/**
 * A trail uses either basic or advanced event selectors. Management events
 * whose source is excluded (KMS, RDS Data API: both noisy and excludable)
 * still count: the rest of the account's API activity is recorded.
 */
function managementCoverage(selectors: GetEventSelectorsResponse): ManagementCoverage {
  const coverage = { read: false, write: false };
  for (const selector of selectors.EventSelectors ?? []) {
    // A basic selector records management events unless told not to (the API's default is true).
    if (selector.IncludeManagementEvents === false) continue;
    const readWrite = selector.ReadWriteType ?? 'All';
    if (readWrite === 'All' || readWrite === 'ReadOnly') coverage.read = true;
    if (readWrite === 'All' || readWrite === 'WriteOnly') coverage.write = true;
  }
  for (const selector of selectors.AdvancedEventSelectors ?? []) {
    const fields = selector.FieldSelectors ?? [];
    if (!fields.some((f) => f.Field === 'eventCategory' && f.Equals?.includes('Management'))) continue;
    // readOnly takes Equals only: ['true'] = read events, ['false'] = write events; absent = both.
    const readOnly = fields.filter((f) => f.Field === 'readOnly');
    if (readOnly.length === 0) {
      coverage.read = coverage.write = true;
      continue;
    }
    if (readOnly.every((f) => f.Equals?.includes('true'))) coverage.read = true;
    if (readOnly.every((f) => f.Equals?.includes('false'))) coverage.write = true;
  }
  return coverage;
}

/** Why a trail does not satisfy the check, or undefined when it does. */
function shortfall(trail: Trail, isLogging: boolean, coverage: ManagementCoverage): string | undefined {
  const problems: string[] = [];
  if (!isLogging) problems.push('is not logging');
  if (!coverage.read && !coverage.write) problems.push('records no management events');
  else if (!coverage.read) problems.push('records only write management events');
  else if (!coverage.write) problems.push('records only read management events');
  if (problems.length === 0) return undefined;
  return `trail ${trail.Name ?? trail.TrailARN ?? 'unnamed'} ${problems.join(' and ')}`;
}

export default defineCheck({
  id: 'cloudtrail.enabled',
  title: 'A multi-region CloudTrail trail records read and write management events',
  service: 'cloudtrail',
  scope: 'global',
  severity: 'high',
  description:
    'Without a logging multi-region trail that records every management API call (reads and writes), there is no account-wide record of who changed what, from where: an intrusion or a mistake cannot be investigated, and activity in a region nobody watches goes unseen.',
  references: { cis: '3.1', securityHub: 'CloudTrail.1' },
  remediation:
    'Create a multi-region trail (CloudTrail console → Trails → Create trail, or `aws cloudtrail create-trail --name <name> --s3-bucket-name <bucket> --is-multi-region-trail` then `aws cloudtrail start-logging --name <name>`); it records read and write management events by default. For an existing multi-region trail, start logging in its home region and make its event selectors include management events with Read and Write (basic selector ReadWriteType All, or an advanced selector eventCategory = Management without a readOnly condition), keeping any data-event selectors it has.',
  uses: ['cloudtrail.multiRegionTrails'],
  async run(ctx) {
    const trails = await ctx.inventory.get('cloudtrail.multiRegionTrails');
    const account = { type: 'AWS::::Account', id: ctx.account.accountId };
    const reasons: string[] = [];
    const unreadable: Evaluation[] = [];
    // Organization trails count too: they record this account's activity even when another account owns them.
    for (const { trail, state } of trails) {
      if (!state.ok) {
        unreadable.push(ctx.error(trail.TrailARN ?? trail.Name ?? 'unnamed trail', state.error));
        continue;
      }
      const reason = shortfall(trail, state.value.isLogging, managementCoverage(state.value.selectors));
      if (reason === undefined) return [ctx.pass(account.id)];
      reasons.push(reason);
    }
    // A trail we could not read may be the one that satisfies the check: unknown, not a finding.
    if (unreadable.length > 0) return unreadable;
    if (trails.length === 0) reasons.push('no multi-region trail');
    return [
      ctx.fail({
        resource: account,
        message: `No multi-region CloudTrail trail logs both read and write management events: ${reasons.join('; ')}.`,
        details: { trails: trails.length, reasons: reasons.join('; ') },
      }),
    ];
  },
});
