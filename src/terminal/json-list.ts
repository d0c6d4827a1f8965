import { jsonSafe } from './sanitize.js';

/**
 * A JSON list written a piece per item, each item built only when its turn
 * comes, so a large audit is never one string (or one list of objects) in
 * memory. Controls and bidi overrides in what AWS said are written as \u
 * escapes: the data parses back unchanged.
 */
export function* jsonListChunks(items: Iterable<unknown>): Generator<string> {
  let first = true;
  for (const item of items) {
    yield `${first ? '[\n  ' : ',\n  '}${jsonSafe(JSON.stringify(item, null, 2).replaceAll('\n', '\n  '))}`;
    first = false;
  }
  yield first ? '[]\n' : '\n]\n';
}
