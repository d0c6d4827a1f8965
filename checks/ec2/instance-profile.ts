import { defineCheck } from '../../src/audit/check.js';
import type { Evaluation } from '../../src/audit/types.js';
import { instanceResource, runningInstances, tagValue, withName } from '../../src/rules/ec2-resources.js';

export default defineCheck({
  id: 'ec2.instance-profile',
  title: 'Running instances have an IAM role',
  service: 'ec2',
  scope: 'regional',
  severity: 'low',
  description:
    'An instance without an instance profile has no role: software on it that calls AWS needs long-lived access keys stored on its disk, which never rotate, are copied into images and backups, and keep working wherever they leak. A role gives it short-lived credentials that AWS rotates.',
  references: { cis: '1.17' },
  remediation:
    'Create an IAM role for EC2 with only the permissions the instance needs, attach it (`aws ec2 associate-iam-instance-profile --instance-id <id> --iam-instance-profile Name=<profile>`; no restart needed), move the software to the default credential chain, then delete any access keys from the disk and deactivate them in IAM.',
  uses: ['ec2.instances'],
  async run(ctx) {
    const instances = await ctx.inventory.get('ec2.instances');
    const out: Evaluation[] = [];
    for (const instance of runningInstances(instances)) {
      const id = instance.InstanceId;
      if (instance.IamInstanceProfile?.Arn || instance.IamInstanceProfile?.Id) {
        out.push(ctx.pass(id));
        continue;
      }
      out.push(
        ctx.fail({
          resource: instanceResource(ctx.region, ctx.account.accountId, id, instance.Tags),
          message: `Instance ${withName(id, instance.Tags)} has no IAM role (instance profile): anything on it that calls AWS must use access keys kept on disk instead of short-lived role credentials.`,
          details: {
            instanceId: id,
            name: tagValue(instance.Tags, 'Name'),
            instanceType: instance.InstanceType ?? null,
            launchTime: instance.LaunchTime ? instance.LaunchTime.toISOString() : null,
            vpcId: instance.VpcId ?? null,
          },
        }),
      );
    }
    return out;
  },
});
