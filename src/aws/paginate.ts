export interface Page<T> {
  items: readonly T[] | undefined;
  /** Token for the next page; undefined or empty when this was the last one. */
  next: string | undefined;
}

/**
 * Follows pagination tokens to the end. Stops on a token it has already
 * sent: some services (and emulators) hand back the same token forever.
 */
export async function collectPages<T>(fetchPage: (token: string | undefined) => Promise<Page<T>>): Promise<T[]> {
  const out: T[] = [];
  const seen = new Set<string>();
  let token: string | undefined;
  for (;;) {
    const page = await fetchPage(token);
    if (page.items) out.push(...page.items);
    if (!page.next || seen.has(page.next)) return out;
    seen.add(page.next);
    token = page.next;
  }
}
