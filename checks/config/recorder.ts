import { defineCheck } from '../../src/audit/check.js';
import type { Recorder } from '../../src/audit/datasets/config.js';
import type { Evaluation } from '../../src/audit/types.js';

/** Why a recorder does not do the job CIS 3.3 asks of it; undefined when it does. */
function shortfall({ recorder, status }: Recorder): string | undefined {
  const group = recorder.recordingGroup;
  const all = group?.allSupported === true || group?.recordingStrategy?.useOnly === 'ALL_SUPPORTED_RESOURCE_TYPES';
  if (!status) return 'has no status';
  if (status.recording !== true) return 'is stopped';
  if (status.lastStatus === 'Failure') return `last failed${status.lastErrorCode ? ` (${status.lastErrorCode}${status.lastErrorMessage ? `: ${status.lastErrorMessage}` : ''})` : ''}`;
  if (!all) return group?.recordingStrategy?.useOnly === 'EXCLUSION_BY_RESOURCE_TYPES' ? 'excludes some resource types' : 'records only some resource types';
  return undefined;
}

export default defineCheck({
  id: 'config.recorder',
  title: 'AWS Config records every resource type in every region',
  service: 'config',
  scope: 'regional',
  severity: 'medium',
  description:
    'AWS Config keeps the configuration history of every resource: without a recorder that is running and records all resource types, nobody can tell what a security group or bucket policy looked like before an incident, and Config rules and Security Hub controls have nothing to evaluate.',
  references: { cis: '3.3', securityHub: 'Config.1' },
  remediation:
    'Record all supported resource types: `aws configservice put-configuration-recorder --configuration-recorder name=default,roleARN=<role> --recording-group allSupported=true,includeGlobalResourceTypes=<true in one region>`, give it a delivery channel (`put-delivery-channel`), then `aws configservice start-configuration-recorder --configuration-recorder-name default`. With AWS Organizations, a StackSet or Control Tower turns it on in every account and region.',
  uses: ['config.recorders'],
  async run(ctx): Promise<Evaluation[]> {
    const recorders = await ctx.inventory.get('config.recorders');
    // Service-linked recorders (made by other AWS services for their own use) record only what that service needs.
    const own = recorders.filter((r) => !r.recorder.servicePrincipal);
    if (own.some((r) => shortfall(r) === undefined)) return [ctx.pass(ctx.region)];
    const problems = own.map((r) => `${r.recorder.name ?? '(unnamed)'} ${shortfall(r)}`);
    return [
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
