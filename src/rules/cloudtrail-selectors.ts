import type { GetEventSelectorsResponse } from '@aws-sdk/client-cloudtrail';

/** Which S3 object-level (data) events a trail records for every bucket. */
export interface S3DataCoverage {
  read: boolean;
  write: boolean;
}

/** `arn:aws:s3`, `arn:aws:s3:::` (and other partitions): every bucket, present and future. */
const ALL_BUCKETS = /^arn:[a-z-]+:s3(:::)?$/;

/** Advanced-selector fields that do not narrow which objects are recorded. */
const NOT_NARROWING = new Set(['eventCategory', 'resources.type', 'readOnly']);

/**
 * Whether the selectors record S3 object-level events for all buckets, reads
 * and writes apart (CIS 3.8 writes, 3.9 reads). Basic selectors: a
 * `AWS::S3::Object` data resource for every bucket. Advanced selectors:
 * eventCategory Data and resources.type AWS::S3::Object, with no field that
 * narrows them to some buckets or events (resources.ARN, eventName, ...).
 */
export function s3DataCoverage(selectors: GetEventSelectorsResponse): S3DataCoverage {
  const coverage = { read: false, write: false };
  const cover = (readWrite: string) => {
    if (readWrite === 'All' || readWrite === 'ReadOnly') coverage.read = true;
    if (readWrite === 'All' || readWrite === 'WriteOnly') coverage.write = true;
  };
  for (const selector of selectors.EventSelectors ?? []) {
    const everyBucket = (selector.DataResources ?? []).some((r) => r.Type === 'AWS::S3::Object' && (r.Values ?? []).some((v) => ALL_BUCKETS.test(v)));
    if (everyBucket) cover(selector.ReadWriteType ?? 'All');
  }
  for (const selector of selectors.AdvancedEventSelectors ?? []) {
    const fields = selector.FieldSelectors ?? [];
    const equals = (field: string, value: string) => fields.some((f) => f.Field === field && f.Equals?.includes(value));
    if (!equals('eventCategory', 'Data') || !equals('resources.type', 'AWS::S3::Object')) continue;
    if (fields.some((f) => !NOT_NARROWING.has(f.Field ?? ''))) continue;
    const readOnly = fields.filter((f) => f.Field === 'readOnly');
    if (readOnly.length === 0) cover('All');
    else if (readOnly.every((f) => f.Equals?.includes('true'))) cover('ReadOnly');
    else if (readOnly.every((f) => f.Equals?.includes('false'))) cover('WriteOnly');
  }
  return coverage;
}
