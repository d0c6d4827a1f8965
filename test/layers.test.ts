/**
 * The house's rules, read from the import graph of src/, checks/ and
 * commands/: layers import one way (Slack → commands → audit, the schedule →
 * digest → audit; audit → checks → inventory → AWS; findings → store →
 * renderers → Slack), checks
 * import only the audit contract and shared rules, and no files import each
 * other in a circle.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

interface Import {
  /** Repository-relative path of a file of the tree, or the package name. */
  target: string;
  typeOnly: boolean;
}

const ROOTS = ['src', 'checks', 'commands'];

function files(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile() && e.name.endsWith('.ts') && !e.name.endsWith('.d.ts'))
    .map((e) => path.join(e.parentPath, e.name).split(path.sep).join('/'));
}

/** Static imports and re-exports (dynamic `import()` loads later, on purpose: it does not make a layer). */
function importsOf(file: string): Import[] {
  const text = readFileSync(file, 'utf8');
  const out: Import[] = [];
  for (const m of text.matchAll(/^(?:import|export)\s+(type\s+)?(?:[^'";]*?\sfrom\s+)?'([^']+)'/gm)) {
    const spec = m[2]!;
    // `import type { A }`, or `import { type A, type B }`: nothing of the module is loaded.
    const names = /^(?:import|export)\s+\{([^}]*)\}/.exec(m[0])?.[1];
    const typeOnly = Boolean(m[1]) || names?.split(',').every((n) => n.trim() === '' || n.trim().startsWith('type ')) === true;
    const target = spec.startsWith('.') ? path.posix.normalize(path.posix.join(path.posix.dirname(file), spec)).replace(/\.js$/, '.ts') : spec;
    out.push({ target, typeOnly });
  }
  return out;
}

const GRAPH = new Map(ROOTS.flatMap(files).map((f) => [f, importsOf(f)]));
const under = (prefix: string) => (f: string) => f === prefix || f.startsWith(`${prefix}/`);
const violations = (from: (f: string) => boolean, bad: (i: Import) => boolean) =>
  [...GRAPH].flatMap(([file, imports]) => (from(file) ? imports.filter(bad).map((i) => `${file} -> ${i.target}`) : []));

/** Everything a file loads when it is imported: its non-type imports, and theirs. */
function loads(file: string, seen = new Set<string>()): Set<string> {
  for (const i of GRAPH.get(file) ?? []) {
    if (i.typeOnly || seen.has(i.target)) continue;
    seen.add(i.target);
    loads(i.target, seen);
  }
  return seen;
}

describe('the layers', () => {
  it('reads a graph of the whole tree', () => {
    expect(GRAPH.size).toBeGreaterThan(100);
    expect(GRAPH.get('checks/index.ts')?.length).toBeGreaterThan(50);
  });

  it('checks import the audit contract, shared rules and SDK types, nothing else', () => {
    const allowed = [
      'src/audit/check.ts',
      'src/audit/types.ts',
      'src/errors.ts',
      'src/aws/partition.ts',
      'src/aws/iam-policy.ts',
      'src/aws/transport-errors.ts',
      'src/wildcard.ts',
    ];
    const bad = (i: Import) => {
      if (i.target.startsWith('node:') || under('checks')(i.target) || under('src/rules')(i.target) || allowed.includes(i.target)) return false;
      // The shapes of the data they read, and of AWS's answers: types only.
      if (i.typeOnly && (under('src/audit/datasets')(i.target) || i.target.startsWith('@aws-sdk/'))) return false;
      return true;
    };
    expect(violations(under('checks'), bad)).toEqual([]);
  });

  it('src/aws knows nothing of the audit; the store nothing of Slack; renderers nothing of AWS', () => {
    expect(violations(under('src/aws'), (i) => under('src/audit')(i.target) || under('checks')(i.target))).toEqual([]);
    expect(violations(under('src/store'), (i) => under('src/slack')(i.target) || under('commands')(i.target) || i.target.startsWith('@slack/'))).toEqual([]);
    expect(violations(under('src/slack/render'), (i) => (!i.typeOnly && i.target.startsWith('@aws-sdk/')) || under('src/aws')(i.target))).toEqual([]);
    // Nor through what they import: a renderer that loads an AWS client (or the code that builds one) is no longer pure.
    const reached = [...GRAPH.keys()]
      .filter(under('src/slack/render'))
      .flatMap((file) =>
        [...loads(file)].filter((t) => t.startsWith('@aws-sdk/client-') || t === 'src/aws/clients.ts' || t === 'src/aws/sts.ts').map((t) => `${file} ~> ${t}`),
      );
    expect(reached).toEqual([]);
  });

  it('nothing imports commands/ but the composition root', () => {
    const root = (f: string) => f === 'src/serve.ts' || under('commands')(f);
    expect(
      violations(
        (f) => !root(f),
        (i) => under('commands')(i.target),
      ),
    ).toEqual([]);
  });

  it('commands reach AWS only through the audit and the fix service', () => {
    expect(
      violations(under('commands'), (i) => under('src/aws')(i.target) || under('checks')(i.target) || (!i.typeOnly && i.target.startsWith('@aws-sdk/'))),
    ).toEqual([]);
  });

  // Top-level functions: a register… function counts with the arrow listeners it holds.
  it('no listener of commands/ is longer than 80 lines', () => {
    const long: string[] = [];
    for (const file of [...GRAPH.keys()].filter(under('commands'))) {
      const lines = readFileSync(file, 'utf8').split('\n');
      lines.forEach((line, i) => {
        if (!/^(export )?(async )?function /.test(line)) return;
        const end = lines.findIndex((l, j) => j > i && l.startsWith('}'));
        if (end - i + 1 > 80) long.push(`${file}:${i + 1} ${line.slice(0, 60)} (${end - i + 1} lines)`);
      });
    }
    expect(long).toEqual([]);
  });

  it('no files import each other in a circle', () => {
    const circles: string[] = [];
    const state = new Map<string, 'open' | 'done'>();
    const walk = (file: string, trail: string[]) => {
      state.set(file, 'open');
      for (const { target } of GRAPH.get(file) ?? []) {
        if (!GRAPH.has(target)) continue;
        if (state.get(target) === 'open') circles.push([...trail.slice(trail.indexOf(target)), target].join(' -> '));
        else if (!state.has(target)) walk(target, [...trail, target]);
      }
      state.set(file, 'done');
    };
    for (const file of GRAPH.keys()) if (!state.has(file)) walk(file, [file]);
    expect(circles).toEqual([]);
  });
});
