import { namedError } from '../errors.js';

export interface Page<T> {
  items: readonly T[] | undefined;
  /** Token for the next page; undefined or empty when this was the last one. */
  next: string | undefined;
}

/**
 * Follows pagination tokens to the end. A token it has already sent (a
 * broken service or emulator would loop forever) stops it with an error
 * rather than a partial list: resources on pages never read would look
 * fixed, so the listing is not trusted.
 */
export async function collectPages<T>(fetchPage: (token: string | undefined) => Promise<Page<T>>): Promise<T[]> {
  const out: T[] = [];
  const seen = new Set<string>();
  let token: string | undefined;
  for (;;) {
    const page = await fetchPage(token);
    if (page.items) out.push(...page.items);
    if (!page.next) return out;
    if (seen.has(page.next)) {
      throw namedError(
        'PaginationLoop',
        `the service repeated pagination token ${JSON.stringify(page.next.slice(0, 40))} after ${out.length} items: the listing may be incomplete`,
      );
    }
    seen.add(page.next);
    token = page.next;
  }
}
