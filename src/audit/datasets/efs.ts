import { DescribeFileSystemsCommand, type FileSystemDescription } from '@aws-sdk/client-efs';
import { collectPages } from '../../aws/paginate.js';
import type { DatasetDef, LoadContext } from './types.js';

/** The region's EFS file systems (the account's own: DescribeFileSystems lists no one else's). */
async function loadFileSystems(ctx: LoadContext): Promise<FileSystemDescription[]> {
  const efs = ctx.clients.efs(ctx.region);
  return collectPages(async (Marker) => {
    const page = await efs.send(new DescribeFileSystemsCommand({ MaxItems: 100, Marker }));
    return { items: page.FileSystems, next: page.NextMarker };
  });
}

export const efsDatasets = {
  'efs.fileSystems': { scope: 'regional', actions: ['elasticfilesystem:DescribeFileSystems'], load: loadFileSystems } satisfies DatasetDef<
    FileSystemDescription[]
  >,
};
