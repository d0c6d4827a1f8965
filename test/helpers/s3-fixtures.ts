import {
  GetBucketAclCommand,
  GetBucketEncryptionCommand,
  GetBucketLoggingCommand,
  GetBucketLocationCommand,
  GetBucketPolicyCommand,
  GetPublicAccessBlockCommand,
  ListBucketsCommand,
  type S3Client,
  type Bucket,
  type BucketLocationConstraint,
  type Grant,
  type LoggingEnabled,
  type PublicAccessBlockConfiguration,
  type ServerSideEncryptionRule,
} from '@aws-sdk/client-s3';
import { GetPublicAccessBlockCommand as GetAccountPublicAccessBlockCommand, type S3ControlClient } from '@aws-sdk/client-s3-control';
import type { AwsClientStub } from 'aws-sdk-client-mock';
import { ACCOUNT, awsError } from './aws.js';

export const OWNER_ID = '79a59df900b949e55d96a1e698fbacedfd6e09d98eacf8f8d5218e7cd47ef2be';
export const ALL_USERS = 'http://acs.amazonaws.com/groups/global/AllUsers';
export const AUTHENTICATED_USERS = 'http://acs.amazonaws.com/groups/global/AuthenticatedUsers';

export const BPA_ALL_ON: PublicAccessBlockConfiguration = {
  BlockPublicAcls: true,
  IgnorePublicAcls: true,
  BlockPublicPolicy: true,
  RestrictPublicBuckets: true,
};
export const BPA_ALL_OFF: PublicAccessBlockConfiguration = {
  BlockPublicAcls: false,
  IgnorePublicAcls: false,
  BlockPublicPolicy: false,
  RestrictPublicBuckets: false,
};

export const SSE_S3: ServerSideEncryptionRule[] = [{ ApplyServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' }, BucketKeyEnabled: false }];

/** The grant every bucket's ACL has: its owner, FULL_CONTROL. */
export function ownerGrant(): Grant {
  return { Grantee: { Type: 'CanonicalUser', ID: OWNER_ID }, Permission: 'FULL_CONTROL' };
}

export function groupGrant(uri: string, permission: NonNullable<Grant['Permission']>): Grant {
  return { Grantee: { Type: 'Group', URI: uri }, Permission: permission };
}

export function policyText(...statements: object[]): string {
  return JSON.stringify({ Version: '2012-10-17', Statement: statements });
}

/** The statement CIS 2.1.1 asks for. */
export function denyInsecureTransport(bucket: string): object {
  return {
    Sid: 'DenyInsecureTransport',
    Effect: 'Deny',
    Principal: '*',
    Action: 's3:*',
    Resource: [`arn:aws:s3:::${bucket}`, `arn:aws:s3:::${bucket}/*`],
    Condition: { Bool: { 'aws:SecureTransport': 'false' } },
  };
}

/** What one bucket answers; an Error is what that read throws. */
export interface BucketSpec {
  name: string;
  /** Where the bucket lives (default us-east-1). */
  region?: string;
  /** False: ListBuckets leaves BucketRegion out (old endpoints, emulators) and GetBucketLocation answers `location`. */
  listsRegion?: boolean;
  location?: BucketLocationConstraint | 'EU' | null | Error;
  /** Default: the owner's FULL_CONTROL grant only. */
  acl?: Grant[] | Error;
  /** A document, its text, null for none (NoSuchBucketPolicy). Default none. */
  policy?: object | string | null | Error;
  /** null: NoSuchPublicAccessBlockConfiguration. Default: all four on (the default for new buckets since April 2023). */
  pab?: PublicAccessBlockConfiguration | null | Error;
  /** null: ServerSideEncryptionConfigurationNotFoundError. Default: SSE-S3. */
  encryption?: ServerSideEncryptionRule[] | null | Error;
  /** Server access logging; null or absent: off (GetBucketLogging answers no LoggingEnabled). */
  logging?: LoggingEnabled | null | Error;
}

export interface S3World {
  buckets: BucketSpec[];
  /** Account-level Block Public Access; null: never configured. Default null. */
  account?: PublicAccessBlockConfiguration | null | Error;
  /** Buckets per ListBuckets page (default: all on one page). */
  pageSize?: number;
}

/** Every per-bucket read, with the region of the client that made it. */
export interface BucketReadCall {
  operation: string;
  bucket: string;
  region: string;
}

function fail(error: Error): never {
  throw error;
}

/**
 * Answers ListBuckets (paginated), the per-bucket reads and the account
 * setting as S3 does. Returns the log of per-bucket reads.
 */
export function serveS3(s3: AwsClientStub<S3Client>, s3control: AwsClientStub<S3ControlClient>, world: S3World): BucketReadCall[] {
  const calls: BucketReadCall[] = [];
  const byName = new Map(world.buckets.map((b) => [b.name, b]));
  const pageSize = world.pageSize ?? Math.max(world.buckets.length, 1);

  s3.on(ListBucketsCommand).callsFake((input: { ContinuationToken?: string }) => {
    const start = input.ContinuationToken ? Number(input.ContinuationToken.replace('page-', '')) : 0;
    const slice = world.buckets.slice(start, start + pageSize);
    const next = start + pageSize < world.buckets.length ? `page-${start + pageSize}` : undefined;
    const Buckets: Bucket[] = slice.map((b) => ({
      Name: b.name,
      CreationDate: new Date('2024-03-01T10:00:00Z'),
      ...(b.listsRegion === false ? {} : { BucketRegion: b.region ?? 'us-east-1' }),
    }));
    return { Buckets, Owner: { ID: OWNER_ID }, Prefix: undefined, ...(next ? { ContinuationToken: next } : {}) };
  });

  const perBucket =
    <T>(operation: string, answer: (spec: BucketSpec) => T) =>
    async (input: { Bucket?: string }, getClient: () => { config: { region: unknown } }) => {
      const region = getClient().config.region;
      calls.push({ operation, bucket: input.Bucket ?? '', region: typeof region === 'function' ? await (region as () => Promise<string>)() : String(region) });
      const spec = byName.get(input.Bucket ?? '');
      if (!spec) throw awsError('NoSuchBucket', 'The specified bucket does not exist');
      return answer(spec);
    };

  s3.on(GetBucketLocationCommand).callsFake(
    perBucket('GetBucketLocation', (b) => {
      if (b.location instanceof Error) fail(b.location);
      // us-east-1 answers no constraint at all.
      const location = b.location === undefined ? (b.region === undefined || b.region === 'us-east-1' ? null : b.region) : b.location;
      return { LocationConstraint: location ?? undefined };
    }),
  );
  s3.on(GetBucketAclCommand).callsFake(
    perBucket('GetBucketAcl', (b) => {
      if (b.acl instanceof Error) fail(b.acl);
      return { Owner: { ID: OWNER_ID }, Grants: b.acl ?? [ownerGrant()] };
    }),
  );
  s3.on(GetBucketPolicyCommand).callsFake(
    perBucket('GetBucketPolicy', (b) => {
      if (b.policy instanceof Error) fail(b.policy);
      if (b.policy === undefined || b.policy === null) fail(awsError('NoSuchBucketPolicy', 'The bucket policy does not exist'));
      return { Policy: typeof b.policy === 'string' ? b.policy : JSON.stringify(b.policy) };
    }),
  );
  s3.on(GetPublicAccessBlockCommand).callsFake(
    perBucket('GetPublicAccessBlock', (b) => {
      if (b.pab instanceof Error) fail(b.pab);
      if (b.pab === null) fail(awsError('NoSuchPublicAccessBlockConfiguration', 'The public access block configuration was not found'));
      return { PublicAccessBlockConfiguration: b.pab ?? BPA_ALL_ON };
    }),
  );
  s3.on(GetBucketEncryptionCommand).callsFake(
    perBucket('GetBucketEncryption', (b) => {
      if (b.encryption instanceof Error) fail(b.encryption);
      if (b.encryption === null) fail(awsError('ServerSideEncryptionConfigurationNotFoundError', 'The server side encryption configuration was not found'));
      return { ServerSideEncryptionConfiguration: { Rules: b.encryption ?? SSE_S3 } };
    }),
  );

  s3.on(GetBucketLoggingCommand).callsFake(
    perBucket('GetBucketLogging', (b) => {
      if (b.logging instanceof Error) fail(b.logging);
      return b.logging ? { LoggingEnabled: b.logging } : {};
    }),
  );

  const account = world.account ?? null;
  if (account instanceof Error) s3control.on(GetAccountPublicAccessBlockCommand).rejects(account);
  else if (account === null)
    s3control
      .on(GetAccountPublicAccessBlockCommand)
      .rejects(awsError('NoSuchPublicAccessBlockConfiguration', 'The public access block configuration was not found'));
  else s3control.on(GetAccountPublicAccessBlockCommand, { AccountId: ACCOUNT.accountId }).resolves({ PublicAccessBlockConfiguration: account });

  return calls;
}
