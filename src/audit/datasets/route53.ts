import { ListHostedZonesCommand, ListResourceRecordSetsCommand, type RRType } from '@aws-sdk/client-route-53';
import { collectPages } from '../../aws/paginate.js';
import { namedError } from '../../errors.js';
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
 * Record sets of one zone, every page. Route 53 pages by the next record's
 * name, type and set identifier together; they travel as one token, so the
 * shared pagination (and its loop guard) applies.
 */
async function zoneRecords(ctx: LoadContext, zoneId: string): Promise<MailRecord[]> {
  const route53 = ctx.clients.route53();
  const sets = await collectPages(async (token) => {
    const start = token ? (JSON.parse(token) as { StartRecordName: string; StartRecordType?: RRType; StartRecordIdentifier?: string }) : {};
    const page = await route53.send(new ListResourceRecordSetsCommand({ HostedZoneId: zoneId, MaxItems: 300, ...start }));
    // More promised but no place to start from: the listing cannot be finished, so it is not trusted.
    if (page.IsTruncated && !page.NextRecordName)
      throw namedError('PaginationLoop', `ListResourceRecordSets of ${zoneId} said there was more but gave no next record`);
    const next =
      page.IsTruncated && page.NextRecordName
        ? JSON.stringify({
            StartRecordName: page.NextRecordName,
            ...(page.NextRecordType ? { StartRecordType: page.NextRecordType } : {}),
            ...(page.NextRecordIdentifier ? { StartRecordIdentifier: page.NextRecordIdentifier } : {}),
          })
        : undefined;
    return { items: page.ResourceRecordSets, next };
  });
  return sets
    .filter((set) => set.Name && set.Type && MAIL_TYPES.has(set.Type))
    .map((set) => ({ name: set.Name!, type: set.Type as 'MX' | 'TXT', values: (set.ResourceRecords ?? []).map((r) => r.Value ?? '') }));
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
