import { ListHostedZonesCommand, ListResourceRecordSetsCommand, Route53Client, type HostedZone, type ResourceRecordSet } from '@aws-sdk/client-route-53';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import dmarc from '../../../checks/route53/dmarc.js';
import spf from '../../../checks/route53/spf.js';
import { findingFingerprint } from '../../../src/audit/fingerprint.js';
import { txtText } from '../../../src/rules/mail-records.js';
import { audit, awsError } from '../../helpers/aws.js';

const route53 = mockClient(Route53Client);
const OWNER = '123456789012';

const zone = (id: string, name: string, privateZone = false): HostedZone => ({
  Id: `/hostedzone/${id}`,
  Name: name,
  CallerReference: `ref-${id}`,
  Config: { PrivateZone: privateZone, Comment: '' },
  ResourceRecordSetCount: 10,
});
const record = (name: string, type: string, ...values: string[]): ResourceRecordSet => ({
  Name: name,
  Type: type as 'TXT',
  TTL: 300,
  ResourceRecords: values.map((Value) => ({ Value })),
});
const mx = (name: string) => record(name, 'MX', '10 inbound-smtp.us-east-1.amazonaws.com.');
const soa = (name: string) => [
  record(name, 'NS', 'ns-1.awsdns-01.org.'),
  record(name, 'SOA', 'ns-1.awsdns-01.org. awsdns-hostmaster.amazon.com. 1 7200 900 1209600 86400'),
];

/**
 * ListHostedZones by Marker; ListResourceRecordSets paged `perPage` sets at a
 * time by the next record's name and type, as Route 53 does.
 */
function serve(zones: HostedZone[][], records: Record<string, ResourceRecordSet[] | Error>, perPage = 100) {
  route53.on(ListHostedZonesCommand).callsFake((input: { Marker?: string }) => {
    const index = input.Marker ? Number(input.Marker.slice(1)) : 0;
    const more = index + 1 < zones.length;
    return { HostedZones: zones[index] ?? [], IsTruncated: more, MaxItems: 100, ...(more ? { NextMarker: `z${index + 1}` } : {}) };
  });
  route53.on(ListResourceRecordSetsCommand).callsFake((input: { HostedZoneId: string; StartRecordName?: string; StartRecordType?: string }) => {
    const sets = records[input.HostedZoneId] ?? [];
    if (sets instanceof Error) throw sets;
    const start = input.StartRecordName ? sets.findIndex((s) => s.Name === input.StartRecordName && s.Type === input.StartRecordType) : 0;
    const page = sets.slice(start, start + perPage);
    const next = sets[start + perPage];
    return { ResourceRecordSets: page, IsTruncated: Boolean(next), MaxItems: 300, ...(next ? { NextRecordName: next.Name, NextRecordType: next.Type } : {}) };
  });
}

describe('route53.spf and route53.dmarc', () => {
  beforeEach(() => route53.reset());

  it('declare their datasets', () => {
    expect(spf).toMatchObject({ id: 'route53.spf', service: 'route53', scope: 'global', severity: 'medium', uses: ['route53.publicZones'] });
    expect(dmarc).toMatchObject({ id: 'route53.dmarc', service: 'route53', scope: 'global', severity: 'low', uses: ['route53.publicZones'] });
  });

  it('joins the strings of a TXT value as resolvers do', () => {
    expect(txtText('"v=spf1 include:_spf.google.com" " ~all"')).toBe('v=spf1 include:_spf.google.com ~all');
    expect(txtText('"say \\"hi\\""')).toBe('say "hi"');
  });

  it('pass a mail domain with SPF (split over strings) and DMARC, and read every page of records', async () => {
    serve(
      [[zone('Z1', 'example.com.')]],
      {
        Z1: [
          ...soa('example.com.'),
          mx('example.com.'),
          record('example.com.', 'TXT', '"google-site-verification=abc"', '"v=spf1 include:_spf.google.com" " -all"'),
          record('_dmarc.example.com.', 'TXT', '"v=DMARC1; p=reject"'),
        ],
      },
      2,
    );
    const result = await audit([spf, dmarc]);
    expect(result.findings).toEqual([]);
    expect(result.errors).toEqual([]);
    expect(result.stats.byCheck['route53.spf']).toEqual({ passed: 1, failed: 0, errors: 0 });
    expect(result.stats.byCheck['route53.dmarc']).toEqual({ passed: 1, failed: 0, errors: 0 });
    expect(route53.commandCalls(ListResourceRecordSetsCommand).length).toBeGreaterThanOrEqual(3);
  });

  it('fail each mail name without SPF or DMARC, across zone pages; names without MX and private zones are not judged', async () => {
    serve([[zone('Z1', 'example.com.')], [zone('Z2', 'internal.example.', true)]], {
      Z1: [
        ...soa('example.com.'),
        mx('example.com.'),
        mx('shop.example.com.'),
        record('shop.example.com.', 'TXT', '"v=spf10 nonsense"'),
        record('www.example.com.', 'TXT', '"hello"'),
        record('_dmarc.example.com.', 'TXT', '"v=DMARC1;p=none"'),
      ],
      Z2: [mx('internal.example.')],
    });
    const result = await audit([spf, dmarc]);
    expect(result.errors).toEqual([]);
    expect(result.findings.map((f) => [f.checkId, f.resource.id])).toEqual([
      ['route53.spf', 'Z1/example.com'],
      ['route53.spf', 'Z1/shop.example.com'],
      ['route53.dmarc', 'Z1/shop.example.com'],
    ]);
    const shopSpf = result.findings.find((f) => f.checkId === 'route53.spf' && f.resource.id === 'Z1/shop.example.com');
    expect(shopSpf).toEqual({
      checkId: 'route53.spf',
      severity: 'medium',
      accountId: OWNER,
      region: 'global',
      resource: { type: 'AWS::Route53::RecordSet', id: 'Z1/shop.example.com' },
      message:
        'shop.example.com receives mail (it has MX records) but publishes no SPF record (a TXT record starting v=spf1): anyone can send mail in its name.',
      fingerprint: findingFingerprint({ checkId: 'route53.spf', accountId: OWNER, region: 'global', resourceId: 'Z1/shop.example.com' }),
      details: { hostedZoneId: 'Z1', zone: 'example.com', name: 'shop.example.com' },
    });
    expect(result.findings.find((f) => f.checkId === 'route53.dmarc')!.message).toBe(
      'shop.example.com receives mail (it has MX records) but publishes no DMARC policy (a TXT record at _dmarc.shop.example.com starting v=DMARC1).',
    );
    expect(route53.commandCalls(ListResourceRecordSetsCommand).map((c) => c.args[0].input.HostedZoneId)).toEqual(['Z1']);
  });

  it('report a zone whose records cannot be read as an error for that zone, and the whole check when zones cannot be listed', async () => {
    serve([[zone('Z1', 'example.com.'), zone('Z2', 'example.org.')]], {
      Z1: awsError('AccessDenied', 'not authorized to perform: route53:ListResourceRecordSets on resource: hostedzone/Z1'),
      Z2: [mx('example.org.')],
    });
    let result = await audit([spf]);
    expect(result.findings.map((f) => f.resource.id)).toEqual(['Z2/example.org']);
    expect(result.errors).toEqual([expect.objectContaining({ checkId: 'route53.spf', code: 'AccessDenied', resource: 'Z1' })]);

    route53.reset();
    route53.on(ListHostedZonesCommand).rejects(awsError('AccessDenied', 'not authorized to perform: route53:ListHostedZones'));
    result = await audit([spf]);
    expect(result.findings).toEqual([]);
    expect(result.errors).toEqual([expect.objectContaining({ checkId: 'route53.spf', region: 'global', code: 'AccessDenied' })]);
  });
});
