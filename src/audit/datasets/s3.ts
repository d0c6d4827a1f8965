import {
  GetBucketAclCommand,
  GetBucketEncryptionCommand,
  GetBucketLoggingCommand,
  GetBucketLocationCommand,
  GetBucketPolicyCommand,
  GetPublicAccessBlockCommand,
  ListBucketsCommand,
  type Grant,
  type LoggingEnabled,
  type PublicAccessBlockConfiguration,
  type ServerSideEncryptionRule,
} from '@aws-sdk/client-s3';
import { GetPublicAccessBlockCommand as GetAccountPublicAccessBlockCommand } from '@aws-sdk/client-s3-control';
import { collectPages } from '../../aws/paginate.js';
import { awsErrorCode } from '../../errors.js';
import { attempt, type DatasetDef, type LoadContext, type Read } from './types.js';

export interface S3Bucket {
  name: string;
  createdAt?: Date;
  /** Where the bucket lives (per-bucket reads go there); a failed GetBucketLocation is an error for that bucket. */
  region: Read<string>;
}

/** Per-bucket results by bucket name; each read may have failed on its own. */
export type PerBucket<T> = ReadonlyMap<string, Read<T>>;

/**
 * GetBucketLocation answers null (or "") for us-east-1 and "EU" for the
 * oldest eu-west-1 buckets.
 */
export function bucketRegionFromLocation(constraint: string | undefined | null): string {
  if (!constraint) return 'us-east-1';
  if (constraint === 'EU') return 'eu-west-1';
  return constraint;
}

async function loadBuckets(ctx: LoadContext): Promise<S3Bucket[]> {
  const s3 = ctx.clients.s3(ctx.region);
  const listed = await collectPages(async (ContinuationToken) => {
    const page = await s3.send(new ListBucketsCommand({ MaxBuckets: 1000, ContinuationToken }));
    return { items: page.Buckets, next: page.ContinuationToken };
  });
  const buckets = listed.filter((b): b is typeof b & { Name: string } => typeof b.Name === 'string' && b.Name !== '');
  const bulk = ctx.clients.s3(ctx.region, { bulk: true });
  return Promise.all(
    buckets.map(
      async (b): Promise<S3Bucket> => ({
        name: b.Name,
        ...(b.CreationDate ? { createdAt: b.CreationDate } : {}),
        // ListBuckets names each bucket's region; older endpoints and emulators do not: ask the bucket.
        region: b.BucketRegion
          ? { ok: true, value: b.BucketRegion }
          : await attempt(async () => bucketRegionFromLocation((await bulk.send(new GetBucketLocationCommand({ Bucket: b.Name }))).LocationConstraint)),
      }),
    ),
  );
}

/**
 * Reads something of every bucket, concurrently (the audit's client limit
 * bounds how many at once), each in the bucket's own region. `notConfigured`
 * lists the error codes that mean "nothing set", answered as null.
 */
async function perBucket<T>(
  ctx: LoadContext,
  read: (bucket: string, region: string) => Promise<T>,
  notConfigured: readonly string[] = [],
): Promise<PerBucket<T | null>> {
  const buckets = (await ctx.dataset('s3.buckets')) as S3Bucket[];
  const entries = await Promise.all(
    buckets.map(async (bucket): Promise<[string, Read<T | null>]> => {
      if (!bucket.region.ok) return [bucket.name, bucket.region];
      const region = bucket.region.value;
      const result = await attempt<T | null>(async () => {
        try {
          return await read(bucket.name, region);
        } catch (error) {
          if (notConfigured.includes(awsErrorCode(error) ?? '')) return null;
          throw error;
        }
      });
      return [bucket.name, result];
    }),
  );
  return new Map(entries);
}

function loadBucketPublicAccessBlocks(ctx: LoadContext): Promise<PerBucket<PublicAccessBlockConfiguration | null>> {
  return perBucket(
    ctx,
    async (Bucket, region) =>
      (await ctx.clients.s3(region, { bulk: true }).send(new GetPublicAccessBlockCommand({ Bucket }))).PublicAccessBlockConfiguration ?? {},
    ['NoSuchPublicAccessBlockConfiguration'],
  );
}

/** The bucket policy as JSON text; null when the bucket has none. */
function loadBucketPolicies(ctx: LoadContext): Promise<PerBucket<string | null>> {
  return perBucket(ctx, async (Bucket, region) => (await ctx.clients.s3(region, { bulk: true }).send(new GetBucketPolicyCommand({ Bucket }))).Policy ?? null, [
    'NoSuchBucketPolicy',
  ]);
}

/** Default encryption rules; null when none are configured. */
function loadBucketEncryption(ctx: LoadContext): Promise<PerBucket<ServerSideEncryptionRule[] | null>> {
  return perBucket(
    ctx,
    async (Bucket, region) =>
      (await ctx.clients.s3(region, { bulk: true }).send(new GetBucketEncryptionCommand({ Bucket }))).ServerSideEncryptionConfiguration?.Rules ?? null,
    ['ServerSideEncryptionConfigurationNotFoundError'],
  );
}

/** ACL grants (one grantee may appear several times, once per permission). */
async function loadBucketAcls(ctx: LoadContext): Promise<PerBucket<Grant[]>> {
  const acls = await perBucket(
    ctx,
    async (Bucket, region) => (await ctx.clients.s3(region, { bulk: true }).send(new GetBucketAclCommand({ Bucket }))).Grants ?? [],
  );
  return acls as PerBucket<Grant[]>; // no "not configured" code: never null
}

/** Account-level Block Public Access (S3 Control); null when never configured. */
async function loadAccountPublicAccessBlock(ctx: LoadContext): Promise<PublicAccessBlockConfiguration | null> {
  try {
    const answer = await ctx.clients.s3control().send(new GetAccountPublicAccessBlockCommand({ AccountId: ctx.accountId }));
    return answer.PublicAccessBlockConfiguration ?? {};
  } catch (error) {
    if (awsErrorCode(error) === 'NoSuchPublicAccessBlockConfiguration') return null;
    throw error;
  }
}

/**
 * Server access logging of the account's buckets, read only for the buckets a
 * check asks about (the trails' log buckets), each once per audit, in its own
 * region. `get` answers undefined for a bucket that is not this account's; a
 * logging configuration of null means logging is off.
 */
export interface BucketLoggingReader {
  get(bucket: string): Promise<Read<LoggingEnabled | null> | undefined>;
}

async function loadBucketLogging(ctx: LoadContext): Promise<BucketLoggingReader> {
  const buckets = (await ctx.dataset('s3.buckets')) as S3Bucket[];
  const byName = new Map(buckets.map((b) => [b.name, b]));
  const reads = new Map<string, Promise<Read<LoggingEnabled | null>>>();
  return {
    get(name) {
      const bucket = byName.get(name);
      if (!bucket) return Promise.resolve(undefined);
      let read = reads.get(name);
      if (!read) {
        const { region } = bucket;
        read = region.ok
          ? attempt(async () => (await ctx.clients.s3(region.value, { bulk: true }).send(new GetBucketLoggingCommand({ Bucket: name }))).LoggingEnabled ?? null)
          : Promise.resolve(region);
        reads.set(name, read);
      }
      return read;
    },
  };
}

export const s3Datasets = {
  's3.buckets': { scope: 'global', actions: ['s3:ListAllMyBuckets', 's3:GetBucketLocation'], load: loadBuckets } satisfies DatasetDef<S3Bucket[]>,
  's3.bucketPublicAccessBlocks': {
    scope: 'global',
    actions: ['s3:GetBucketPublicAccessBlock'],
    load: loadBucketPublicAccessBlocks,
  } satisfies DatasetDef<PerBucket<PublicAccessBlockConfiguration | null>>,
  's3.bucketPolicies': { scope: 'global', actions: ['s3:GetBucketPolicy'], load: loadBucketPolicies } satisfies DatasetDef<PerBucket<string | null>>,
  's3.bucketEncryption': {
    scope: 'global',
    actions: ['s3:GetEncryptionConfiguration'],
    load: loadBucketEncryption,
  } satisfies DatasetDef<PerBucket<ServerSideEncryptionRule[] | null>>,
  's3.bucketAcls': { scope: 'global', actions: ['s3:GetBucketAcl'], load: loadBucketAcls } satisfies DatasetDef<PerBucket<Grant[]>>,
  's3.bucketLogging': { scope: 'global', actions: ['s3:GetBucketLogging'], load: loadBucketLogging } satisfies DatasetDef<BucketLoggingReader>,
  's3.accountPublicAccessBlock': {
    scope: 'global',
    actions: ['s3:GetAccountPublicAccessBlock'],
    load: loadAccountPublicAccessBlock,
  } satisfies DatasetDef<PublicAccessBlockConfiguration | null>,
};
