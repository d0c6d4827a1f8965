/** STS for role sessions, in a module of its own that loads with the first role assumed (src/aws/session.ts). */
export { AssumeRoleCommand, GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
