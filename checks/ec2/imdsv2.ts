import { defineCheck } from '../../src/audit/check.js';
import type { Evaluation } from '../../src/audit/types.js';
import { instanceResource, runningInstances, tagValue, withName } from '../../src/rules/ec2-resources.js';

export default defineCheck({
  id: 'ec2.imdsv2',
  title: 'Running instances require IMDSv2',
  service: 'ec2',
  scope: 'regional',
  severity: 'medium',
  description:
    'While an instance accepts IMDSv1, a single GET to 169.254.169.254 returns its role credentials: a server-side request forgery bug, an open proxy or a misconfigured firewall on the instance is enough to steal them. IMDSv2 requires a session token obtained with a PUT, which those paths cannot send.',
  references: { cis: '5.7', securityHub: 'EC2.8' },
  remediation:
    'Check that the software on the instance uses IMDSv2 (current AWS SDKs and CLI do; the MetadataNoToken CloudWatch metric shows IMDSv1 calls), then `aws ec2 modify-instance-metadata-options --instance-id <id> --http-tokens required`. Require IMDSv2 in launch templates and AMIs (ImdsSupport v2.0), or as the account default per region, so new instances start that way.',
  uses: ['ec2.instances'],
  async run(ctx) {
    const instances = await ctx.inventory.get('ec2.instances');
    const out: Evaluation[] = [];
    for (const instance of runningInstances(instances)) {
      const id = instance.InstanceId;
      const options = instance.MetadataOptions;
      // IMDS switched off entirely: nothing to reach, whatever HttpTokens says.
      if (options?.HttpEndpoint === 'disabled' || options?.HttpTokens === 'required') {
        out.push(ctx.pass(id));
        continue;
      }
      const role = instance.IamInstanceProfile?.Arn;
      out.push(
        ctx.fail({
          resource: instanceResource(ctx.region, ctx.account.accountId, id, instance.Tags),
          message: `Instance ${withName(id, instance.Tags)} accepts IMDSv1 (HttpTokens ${options?.HttpTokens ?? 'not reported'}): ${
            role ? 'a request forged through it can read its role credentials' : 'a request forged through it can read its metadata and user data'
          } without a session token.`,
          details: {
            instanceId: id,
            name: tagValue(instance.Tags, 'Name'),
            instanceType: instance.InstanceType ?? null,
            httpTokens: options?.HttpTokens ?? null,
            httpEndpoint: options?.HttpEndpoint ?? null,
            httpPutResponseHopLimit: options?.HttpPutResponseHopLimit ?? null,
            instanceProfileArn: role ?? null,
          },
        }),
      );
    }
    return out;
  },
});
