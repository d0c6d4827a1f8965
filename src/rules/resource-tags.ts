/** An AWS tag list as the listings return it. */
export type TagList = readonly { Key?: string | undefined; Value?: string | undefined }[] | undefined;

/** AWS's own limits: 50 tags a resource, keys of 128 characters, values of 256. */
const MAX_TAGS = 50;

/**
 * A tag list as a finding's resource tags (what config mutes match), to
 * spread into a resource: `{ ...ref, ...resourceTags(x.Tags) }`. Nothing
 * when there are none. Keys are own properties (`__proto__` included).
 */
export function resourceTags(list: TagList): { tags?: Record<string, string> } {
  const entries = (list ?? [])
    .filter((t): t is { Key: string; Value?: string } => typeof t.Key === 'string' && t.Key !== '')
    .slice(0, MAX_TAGS)
    .map((t) => [t.Key.slice(0, 128), (t.Value ?? '').slice(0, 256)] as const);
  return entries.length > 0 ? { tags: Object.fromEntries(entries) } : {};
}
