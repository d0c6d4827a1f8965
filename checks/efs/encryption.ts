import type { FileSystemDescription } from '@aws-sdk/client-efs';
import { defineCheck } from '../../src/audit/check.js';
import type { CheckContext, Evaluation } from '../../src/audit/types.js';
import { partitionOfRegion } from '../../src/aws/partition.js';
import { malformedResponse } from '../../src/errors.js';
import { resourceTags } from '../../src/rules/resource-tags.js';

/** `6.0 KiB`, `1.5 GiB`: EFS metered sizes are bytes. */
function size(bytes: number): string {
  const units = ['bytes', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return unit === 0 ? `${bytes} bytes` : `${value.toFixed(1)} ${units[unit]}`;
}

export default defineCheck({
  id: 'efs.encryption',
  title: 'EFS file systems are encrypted at rest',
  service: 'efs',
  scope: 'regional',
  severity: 'medium',
  description:
    'An unencrypted EFS file system stores its files, and the backups made of it, in the clear on AWS storage; encryption at rest protects them with a KMS key whose use is logged and can be revoked.',
  references: { cis: '2.3.1', securityHub: 'EFS.1' },
  remediation:
    'Encryption at rest can only be chosen when a file system is created: create an encrypted one (`aws efs create-file-system --encrypted`), copy the data over (AWS DataSync, or restore an AWS Backup recovery point into the new file system), move the mount targets and clients, then delete the old one. Refuse new unencrypted ones with the `elasticfilesystem:Encrypted` condition in IAM policies or an SCP.',
  uses: ['efs.fileSystems'],
  async run(ctx) {
    const fileSystems = await ctx.inventory.get('efs.fileSystems');
    return (
      fileSystems
        .filter((fs): fs is FileSystemDescription & { FileSystemId: string } => Boolean(fs.FileSystemId))
        // Being deleted: gone in minutes, nothing left to fix.
        .filter((fs) => fs.LifeCycleState !== 'deleting' && fs.LifeCycleState !== 'deleted')
        .map((fs) => judge(ctx, fs))
    );
  },
});

function judge(ctx: CheckContext, fs: FileSystemDescription & { FileSystemId: string }): Evaluation {
  const id = fs.FileSystemId;
  if (fs.Encrypted === undefined) {
    return ctx.error(id, malformedResponse(`DescribeFileSystems returned no Encrypted value for ${id}`));
  }
  if (fs.Encrypted) return ctx.pass(id);
  const name = fs.Name ?? fs.Tags?.find((t) => t.Key === 'Name')?.Value ?? null;
  const bytes = fs.SizeInBytes?.Value;
  const facts = [name, typeof bytes === 'number' ? size(bytes) : null].filter(Boolean).join(', ');
  return ctx.fail({
    resource: {
      type: 'AWS::EFS::FileSystem',
      id,
      arn: fs.FileSystemArn ?? `arn:${partitionOfRegion(ctx.region)}:elasticfilesystem:${ctx.region}:${fs.OwnerId ?? ctx.account.accountId}:file-system/${id}`,
      ...resourceTags(fs.Tags),
    },
    message: `EFS file system ${id}${facts ? ` (${facts})` : ''} is not encrypted at rest; encryption can only be set at creation, so the data must move to a new, encrypted file system.`,
    details: {
      fileSystemId: id,
      name,
      sizeBytes: typeof bytes === 'number' ? bytes : null,
      lifeCycleState: fs.LifeCycleState ?? null,
      performanceMode: fs.PerformanceMode ?? null,
      ownerId: fs.OwnerId ?? null,
    },
  });
}
