import { ListHostedZonesCommand, ListResourceRecordSetsCommand, type RRType } from '@aws-sdk/client-route-53';
import { collectPages } from '../../aws/paginate.js';
import { attempt, type DatasetDef, type LoadContext, type Read } from './types.js';

/** One MX or TXT record set: its name as Route 53 writes it (`mail.example.com.`), and its values. */
export interface MailRecord {
  name: string;
  type: 'MX' | 'TXT';
  values: string[];
}

export interface PublicZone {
  /** `Z0123456789ABCDEFGHIJ` (without `/hostedzone/`). */
  id: string;
  /** `example.com.` */
  name: string;
  /** The zone's MX and TXT record sets; one zone whose records cannot be read is an error for that zone. */
  records: Read<MailRecord[]>;
}

const MAIL_TYPES = new Set(['MX', 'TXT']);

/**
 * Record sets of one zone, every page: Route 53 pages by the next record's
 * name, type and set identifier together, not by an opaque token.
 */
async function zoneRecords(ctx: LoadContext, zoneId: string): Promise<MailRecord[]> {
  const route53 = ctx.clients.route53();
  const out: MailRecord[] = [];
  const seen = new Set<string>();
  let start: { StartRecordName?: string; StartRecordType?: RRType; StartRecordIdentifier?: string } = {};
  for (;;) {
    const page = await route53.send(new ListResourceRecordSetsCommand({ HostedZoneId: zoneId, MaxItems: 300, ...start }));
    for (const set of page.ResourceRecordSets ?? []) {
      if (!set.Name || !set.Type || !MAIL_TYPES.has(set.Type)) continue;
      out.push({ name: set.Name, type: set.Type as 'MX' | 'TXT', values: (set.ResourceRecords ?? []).map((r) => r.Value ?? '') });
    }
    if (!page.IsTruncated) return out;
    const key = `${page.NextRecordName}|${page.NextRecordType}|${page.NextRecordIdentifier ?? ''}`;
    if (!page.NextRecordName || seen.has(key)) {
      throw Object.assign(new Error(`ListResourceRecordSets of ${zoneId} said there was more but gave ${page.NextRecordName ? 'the same next record again' : 'no next record'}`), { name: 'PaginationLoop' });
    }
    seen.add(key);
    start = {
      StartRecordName: page.NextRecordName,
      ...(page.NextRecordType ? { StartRecordType: page.NextRecordType } : {}),
      ...(page.NextRecordIdentifier ? { StartRecordIdentifier: page.NextRecordIdentifier } : {}),
    };
  }
}

/** The account's public hosted zones (private ones answer only inside VPCs: no one mails them) with their MX and TXT records. */
async function loadPublicZones(ctx: LoadContext): Promise<PublicZone[]> {
  const route53 = ctx.clients.route53();
  const zones = await collectPages(async (Marker) => {
    const page = await route53.send(new ListHostedZonesCommand({ MaxItems: 100, Marker }));
    return { items: page.HostedZones, next: page.IsTruncated ? page.NextMarker : undefined };
  });
  return Promise.all(
    zones
      .filter((z) => z.Id && z.Name && z.Config?.PrivateZone !== true)
      .map(async (z): Promise<PublicZone> => {
        const id = z.Id!.replace(/^\/hostedzone\//, '');
        return { id, name: z.Name!, records: await attempt(() => zoneRecords(ctx, id)) };
      }),
  );
}

export const route53Datasets = {
  'route53.publicZones': {
    scope: 'global',
    actions: ['route53:ListHostedZones', 'route53:ListResourceRecordSets'],
    load: loadPublicZones,
  } satisfies DatasetDef<PublicZone[]>,
};
