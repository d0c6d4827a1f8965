/**
 * What each command loads at start, read from the build's metafile (the
 * bundle test/global-setup.ts builds): the static imports of an entry are
 * what Node loads before the command does anything.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

interface Metafile {
  inputs: Record<string, { imports: { path: string; kind: string; external?: boolean }[] }>;
}

const meta = JSON.parse(readFileSync(path.resolve('dist/build-meta.json'), 'utf8')) as Metafile;

/** Every input a module reaches through static imports (bundled ones and external package names). */
function staticallyLoaded(from: string): Set<string> {
  const seen = new Set<string>([from]);
  const queue = [from];
  while (queue.length > 0) {
    for (const i of meta.inputs[queue.shift()!]?.imports ?? []) {
      if (i.kind !== 'import-statement' || seen.has(i.path)) continue;
      seen.add(i.path);
      if (!i.external) queue.push(i.path);
    }
  }
  return seen;
}

const sdk = (files: Set<string>) => [...files].filter((f) => /@aws-sdk\/|@smithy\//.test(f));

describe('what a command loads before it runs', () => {
  it('--help and accounts: no config library, SDK or Slack code at start', () => {
    const cli = staticallyLoaded('src/cli.ts');
    expect(sdk(cli)).toEqual([]);
    expect([...cli].filter((f) => /slack|zod|yaml/.test(f))).toEqual([]);
  });

  it('serve: Bolt, but no AWS SDK until the first audit, role session or fix', () => {
    const serve = staticallyLoaded('src/serve.ts');
    expect(serve.has('@slack/bolt')).toBe(true);
    expect(sdk(serve)).toEqual([]);
  });

  it('audit: the SDK, but no Slack code', () => {
    const audit = staticallyLoaded('src/cli/audit.ts');
    expect(sdk(audit).length).toBeGreaterThan(0);
    expect([...audit].filter((f) => /slack/.test(f))).toEqual([]);
  });
});
