/**
 * What the fixes send to AWS, in one module the fixes and their service load
 * when a fix first runs (`import('./sdk.js')`): the bot starts without the
 * AWS SDK, and only these commands, not whole client packages, are bundled.
 */
export { AuthorizeSecurityGroupIngressCommand, DescribeSecurityGroupsCommand, EC2Client, RevokeSecurityGroupIngressCommand } from '@aws-sdk/client-ec2';
export { GetAccessKeyLastUsedCommand, IAMClient, ListAccessKeysCommand, ListAttachedUserPoliciesCommand, UpdateAccessKeyCommand } from '@aws-sdk/client-iam';
export {
  DescribeDBClusterSnapshotAttributesCommand,
  DescribeDBSnapshotAttributesCommand,
  ModifyDBClusterSnapshotAttributeCommand,
  ModifyDBSnapshotAttributeCommand,
  RDSClient,
} from '@aws-sdk/client-rds';
export { DeletePublicAccessBlockCommand, GetPublicAccessBlockCommand, PutPublicAccessBlockCommand, S3Client } from '@aws-sdk/client-s3';
