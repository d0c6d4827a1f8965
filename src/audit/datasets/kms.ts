import { DescribeKeyCommand, GetKeyRotationStatusCommand, ListAliasesCommand, ListKeysCommand, type KeyMetadata } from '@aws-sdk/client-kms';
import { collectPages } from '../../aws/paginate.js';
import { malformedResponse } from '../../errors.js';
import { attempt, type DatasetDef, type LoadContext, type Read } from './types.js';
import { rotatesAutomatically } from '../../rules/kms-keys.js';

export interface KeyRotation {
  enabled: boolean;
  /** Days between rotations (365 unless changed; KMS accepts 90 to 2560). */
  periodDays?: number;
}

export interface KmsKey {
  keyId: string;
  arn?: string;
  /** Alias names pointing at it (`alias/payments`): what people call the key. */
  aliases: string[];
  /** DescribeKey; a key policy that does not let the audit role read the key is an error for that key only. */
  metadata: Read<KeyMetadata>;
  /**
   * GetKeyRotationStatus, read only for keys that can rotate automatically
   * ({@link rotatesAutomatically}, src/rules/kms-keys.ts); null for the others.
   */
  rotation: Read<KeyRotation> | null;
}

async function rotationOf(kms: ReturnType<LoadContext['clients']['kms']>, keyId: string): Promise<KeyRotation> {
  const answer = await kms.send(new GetKeyRotationStatusCommand({ KeyId: keyId }));
  if (typeof answer.KeyRotationEnabled !== 'boolean') {
    throw malformedResponse('GetKeyRotationStatus returned no KeyRotationEnabled value');
  }
  return { enabled: answer.KeyRotationEnabled, ...(typeof answer.RotationPeriodInDays === 'number' ? { periodDays: answer.RotationPeriodInDays } : {}) };
}

/**
 * Every key of the region (ListKeys lists AWS-managed ones too), each
 * described, and the rotation status of those that can rotate. Per-key reads
 * go at bulk priority.
 */
async function loadKeys(ctx: LoadContext): Promise<KmsKey[]> {
  const kms = ctx.clients.kms(ctx.region);
  const keys = await collectPages(async (Marker) => {
    const page = await kms.send(new ListKeysCommand({ Limit: 1000, Marker }));
    return { items: page.Keys, next: page.Truncated ? page.NextMarker : undefined };
  });
  // A region without keys (most opt-in regions) needs no aliases; otherwise they load beside the per-key reads.
  if (keys.length === 0) return [];
  const aliasesLoaded = collectPages(async (Marker) => {
    const page = await kms.send(new ListAliasesCommand({ Limit: 100, Marker }));
    return { items: page.Aliases, next: page.Truncated ? page.NextMarker : undefined };
  });
  // Handled here, awaited below: a failed alias listing must not go unhandled while the keys are read.
  aliasesLoaded.catch(() => undefined);
  const bulk = ctx.clients.kms(ctx.region, { bulk: true });
  const described = await Promise.all(
    keys
      .filter((k): k is typeof k & { KeyId: string } => Boolean(k.KeyId))
      .map(async (k): Promise<Omit<KmsKey, 'aliases'>> => {
        const metadata = await attempt(async () => {
          const answer = await bulk.send(new DescribeKeyCommand({ KeyId: k.KeyId }));
          if (!answer.KeyMetadata) throw malformedResponse('DescribeKey returned no KeyMetadata');
          return answer.KeyMetadata;
        });
        const rotation = metadata.ok && rotatesAutomatically(metadata.value) ? await attempt(() => rotationOf(bulk, k.KeyId)) : null;
        return { keyId: k.KeyId, ...(k.KeyArn ? { arn: k.KeyArn } : {}), metadata, rotation };
      }),
  );
  const aliasesOf = new Map<string, string[]>();
  for (const alias of await aliasesLoaded) {
    if (!alias.TargetKeyId || !alias.AliasName) continue;
    aliasesOf.set(alias.TargetKeyId, [...(aliasesOf.get(alias.TargetKeyId) ?? []), alias.AliasName]);
  }
  return described.map((key) => ({ ...key, aliases: (aliasesOf.get(key.keyId) ?? []).sort() }));
}

export const kmsDatasets = {
  'kms.keys': {
    scope: 'regional',
    actions: ['kms:ListKeys', 'kms:ListAliases', 'kms:DescribeKey', 'kms:GetKeyRotationStatus'],
    load: loadKeys,
  } satisfies DatasetDef<KmsKey[]>,
};
