/**
 * `*` (any run of characters) and `?` (one character) matching, as IAM
 * resource ARNs and the CLI's `--check` globs use them. Linear-time: the
 * patterns come from bucket policies, which anyone allowed to write one
 * controls, and a backtracking regular expression built from
 * `a*a*a*…b` would block the process for minutes.
 */
export function wildcardMatch(pattern: string, text: string): boolean {
  let p = 0;
  let t = 0;
  // Where the last `*` was, and the text position it currently absorbs up to.
  let star = -1;
  let resume = 0;
  while (t < text.length) {
    if (p < pattern.length && (pattern[p] === '?' || pattern[p] === text[t])) {
      p++;
      t++;
    } else if (p < pattern.length && pattern[p] === '*') {
      star = p++;
      resume = t;
    } else if (star !== -1) {
      // Let the last `*` absorb one more character and retry from there.
      p = star + 1;
      t = ++resume;
    } else {
      return false;
    }
  }
  while (p < pattern.length && pattern[p] === '*') p++;
  return p === pattern.length;
}
