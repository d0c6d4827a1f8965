import type { ResourceType } from '@aws-sdk/client-config-service';
import { defineCheck } from '../../src/audit/check.js';
import type { Recorder } from '../../src/audit/datasets/config.js';
import type { CheckContext, Evaluation } from '../../src/audit/types.js';
import { homeRegionOf, partitionOfRegion } from '../../src/aws/partition.js';
import { SERVICE_NOT_OFFERED } from '../../src/aws/transport-errors.js';
import { awsErrorCode } from '../../src/errors.js';

/** Why a recorder does not do the job CIS 3.3 asks of it; undefined when it does. */
function shortfall({ recorder, status }: Recorder): string | undefined {
  const group = recorder.recordingGroup;
  const all = group?.allSupported === true || group?.recordingStrategy?.useOnly === 'ALL_SUPPORTED_RESOURCE_TYPES';
  if (!status) return 'has no status';
  if (status.recording !== true) return 'is stopped';
  if (status.lastStatus === 'Failure')
    return `last failed${status.lastErrorCode ? ` (${status.lastErrorCode}${status.lastErrorMessage ? `: ${status.lastErrorMessage}` : ''})` : ''}`;
  if (!all) return group?.recordingStrategy?.useOnly === 'EXCLUSION_BY_RESOURCE_TYPES' ? 'excludes some resource types' : 'records only some resource types';
  return undefined;
}

/** The one finding of the account-wide half: its resource id. */
const GLOBAL_TYPES = 'global-resource-types';

/** A recorder of this account's own that is recording and has not last failed. */
function running(r: Recorder): boolean {
  return !r.recorder.servicePrincipal && r.status?.recording === true && r.status.lastStatus !== 'Failure';
}

/** The global resource types: recorded in one region suffices. */
const IAM_GLOBAL_TYPES: ResourceType[] = ['AWS::IAM::User', 'AWS::IAM::Group', 'AWS::IAM::Role', 'AWS::IAM::Policy'];

/**
 * Whether it records the global IAM resource types: with all resource types,
 * when includeGlobalResourceTypes says so; with exclusions, unless one of them
 * is excluded; with a list, when all four are on it.
 */
function recordsGlobalTypes({ recorder }: Recorder): boolean {
  const group = recorder.recordingGroup;
  const strategy = group?.recordingStrategy?.useOnly;
  if (strategy === 'EXCLUSION_BY_RESOURCE_TYPES') return !IAM_GLOBAL_TYPES.some((t) => group?.exclusionByResourceTypes?.resourceTypes?.includes(t));
  if (strategy === 'INCLUSION_BY_RESOURCE_TYPES') return IAM_GLOBAL_TYPES.every((t) => group?.resourceTypes?.includes(t));
  return group?.includeGlobalResourceTypes === true;
}

/**
 * The account-wide half, judged once from the partition's home region when it
 * is audited: global resource types need recording in one region only, so it
 * is a finding when recorders run but none of any audited region records
 * them. A region whose recorders cannot be read leaves it undecided, unless
 * another region already records them.
 */
async function judgeGlobalTypes(ctx: CheckContext, here: Recorder[]): Promise<Evaluation[]> {
  if (ctx.region !== homeRegionOf(partitionOfRegion(ctx.region))) return [];
  // Recorded here (the usual place): no other region need be waited for.
  if (here.some((r) => running(r) && recordsGlobalTypes(r))) return [ctx.pass(GLOBAL_TYPES)];
  const reads = await Promise.all(
    ctx.regions.map(async (region): Promise<{ region: string; recorders: Recorder[] } | { region: string; error: unknown }> => {
      try {
        return { region, recorders: await ctx.inventory.get('config.recorders', region) };
      } catch (error) {
        // A region without AWS Config records nothing there, and that is no error of this half.
        return awsErrorCode(error) === SERVICE_NOT_OFFERED ? { region, recorders: [] } : { region, error };
      }
    }),
  );
  const live = reads
    .flatMap((r) => ('recorders' in r ? r.recorders.filter(running).map((recorder) => ({ region: r.region, recorder })) : []))
    .sort((a, b) => a.region.localeCompare(b.region));
  if (live.some((l) => recordsGlobalTypes(l.recorder))) return [ctx.pass(GLOBAL_TYPES)];
  const failed = reads.find((r) => 'error' in r);
  if (failed && 'error' in failed) return [ctx.error(GLOBAL_TYPES, failed.error)];
  // No recorder runs anywhere: each region's own finding says all there is to say.
  if (live.length === 0) return [];
  return [
    ctx.fail({
      resource: { type: 'AWS::Config::ConfigurationRecorder', id: GLOBAL_TYPES },
      message: `AWS Config records no global resource types (IAM users, groups, roles and policies) in any audited region: changes to them are not recorded. Running recorders: ${live.map((l) => `${l.recorder.recorder.name ?? '(unnamed)'} in ${l.region}`).join(', ')}.`,
      details: {
        region: ctx.region,
        recorders: live.map((l) => `${l.region}/${l.recorder.recorder.name ?? ''}`).join(', '),
        problems: 'none includes global resource types',
      },
    }),
  ];
}

export default defineCheck({
  id: 'config.recorder',
  title: 'AWS Config records every resource type in every region',
  service: 'config',
  scope: 'regional',
  severity: 'medium',
  description:
    'AWS Config keeps the configuration history of every resource: without a recorder that is running and records all resource types, nobody can tell what a security group or bucket policy looked like before an incident, and Config rules and Security Hub controls have nothing to evaluate. IAM users, roles and policies (the global resource types) need recording in one region.',
  references: { cis: '3.3', securityHub: 'Config.1' },
  remediation:
    'Record all supported resource types: `aws configservice put-configuration-recorder --configuration-recorder name=default,roleARN=<role> --recording-group allSupported=true,includeGlobalResourceTypes=<true in one region>`, give it a delivery channel (`put-delivery-channel`), then `aws configservice start-configuration-recorder --configuration-recorder-name default`. With AWS Organizations, a StackSet or Control Tower turns it on in every account and region.',
  uses: ['config.recorders'],
  async run(ctx): Promise<Evaluation[]> {
    const recorders = await ctx.inventory.get('config.recorders');
    // Service-linked recorders (made by other AWS services for their own use) record only what that service needs.
    const own = recorders.filter((r) => !r.recorder.servicePrincipal);
    const global = await judgeGlobalTypes(ctx, recorders);
    if (own.some((r) => shortfall(r) === undefined)) return [ctx.pass(ctx.region), ...global];
    const problems = own.map((r) => `${r.recorder.name ?? '(unnamed)'} ${shortfall(r)}`);
    return [
      ...global,
      ctx.fail({
        resource: { type: 'AWS::Config::ConfigurationRecorder', id: ctx.region },
        message:
          own.length === 0
            ? `AWS Config has no configuration recorder in ${ctx.region}: resource changes there are not recorded.`
            : `AWS Config does not record every resource type in ${ctx.region}: recorder ${problems.join('; ')}.`,
        details: { region: ctx.region, recorders: own.map((r) => r.recorder.name ?? '').join(', '), problems: problems.join('; ') || null },
      }),
    ];
  },
});
