import { defineCheck } from '../../src/audit/check.js';

export default defineCheck({
  id: 'ec2.ebs-default-encryption',
  title: 'EBS encryption by default is on',
  service: 'ec2',
  scope: 'regional',
  severity: 'medium',
  description:
    'EBS encryption by default is a per-region account setting; while it is off, every new volume (and every copy of an unencrypted snapshot) is created unencrypted unless whoever launches it remembers to ask, and its data and snapshots are then readable by anyone given access to them.',
  references: { cis: '5.1.1', securityHub: 'EC2.7' },
  remediation:
    'In the EC2 console of the region, Settings > EBS encryption > Manage > Enable (or `aws ec2 enable-ebs-encryption-by-default --region <region>`); optionally choose a customer managed KMS key. Existing volumes are not converted: snapshot, copy with encryption and replace them.',
  uses: ['ec2.ebsEncryptionByDefault'],
  async run(ctx) {
    const enabled = await ctx.inventory.get('ec2.ebsEncryptionByDefault');
    if (enabled) return [ctx.pass(ctx.region)];
    return [
      ctx.fail({
        resource: { type: 'AWS::EC2::Region', id: ctx.region },
        message: `EBS encryption by default is off in ${ctx.region}: new volumes are created unencrypted unless each launch asks for encryption.`,
        details: { region: ctx.region, ebsEncryptionByDefault: false },
      }),
    ];
  },
});
