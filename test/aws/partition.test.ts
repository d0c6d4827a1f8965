import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { isKnownRegion, KNOWN_REGIONS, partitionOfRegion } from '../../src/aws/partition.js';

/** The partitions and regions of the installed SDK's endpoint rules (what it can build an endpoint for). */
async function sdkPartitions(): Promise<Record<string, string[]>> {
  const require = createRequire(import.meta.url);
  const core = path.dirname(require.resolve('@aws-sdk/core/package.json', { paths: [require.resolve('@aws-sdk/client-sts')] }));
  const text = await readFile(path.join(core, 'dist-es/submodules/client/util-endpoints/lib/aws/partitions.js'), 'utf8');
  const info = JSON.parse(text.slice(text.indexOf('{'), text.lastIndexOf('}') + 1)) as { partitions: { id: string; regions: Record<string, unknown> }[] };
  // `aws-global`, `aws-cn-global`…: endpoint aliases, not regions anyone audits.
  return Object.fromEntries(
    info.partitions.map((p) => [
      p.id,
      Object.keys(p.regions)
        .filter((r) => !/^aws-/.test(r))
        .sort(),
    ]),
  );
}

describe('known regions', () => {
  it('are exactly the regions of the installed SDK, partition by partition', async () => {
    const ours = Object.fromEntries(Object.entries(KNOWN_REGIONS).map(([p, regions]) => [p, [...regions].sort()]));
    expect(ours).toEqual(await sdkPartitions());
  });

  it('belong to the partition their name says', () => {
    for (const [partition, regions] of Object.entries(KNOWN_REGIONS)) {
      for (const region of regions) expect([region, partitionOfRegion(region)]).toEqual([region, partition]);
    }
    expect(isKnownRegion('aws', 'eu-west-1')).toBe(true);
    expect(isKnownRegion('aws', 'eu-wset-1')).toBe(false);
    expect(isKnownRegion('aws', 'cn-north-1')).toBe(false);
    expect(isKnownRegion('aws-cn', 'cn-north-1')).toBe(true);
  });
});
