import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

/**
 * One AWS SDK for all clients. The registry here serves no single version of
 * every client package the checks need (Classic ELB stops at 3.1075.0, Access
 * Analyzer at 3.1080.0), so those two stay at their newest; what must hold is
 * what one version is for: every client runs on the same @aws-sdk/core and
 * the same HTTP handler (the timeouts of src/aws/timeouts.ts are that
 * handler's), installed once.
 */

const SDK_VERSION = '3.1107.0';
const NOT_PUBLISHED_AT_SDK_VERSION: Record<string, string> = {
  '@aws-sdk/client-elastic-load-balancing': '3.1075.0',
  '@aws-sdk/client-accessanalyzer': '3.1080.0',
};

const root = path.resolve(import.meta.dirname, '../..');
const manifest = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as { dependencies: Record<string, string> };
const clients = Object.keys(manifest.dependencies).filter((name) => name.startsWith('@aws-sdk/client-'));

/** Where `dependency` resolves from inside `pkg`'s own folder: the copy that package runs with. */
function resolvedFrom(pkg: string, dependency: string): string {
  const fromPkg = createRequire(path.join(root, 'node_modules', pkg, 'package.json'));
  const entry = fromPkg.resolve(dependency);
  // Its package folder: up to node_modules/<scope>/<name>.
  const marker = `${path.sep}node_modules${path.sep}${dependency.split('/').join(path.sep)}${path.sep}`;
  return entry.slice(0, entry.lastIndexOf(marker) + marker.length);
}

describe('the AWS SDK', () => {
  it('pins every client exactly, at the one SDK version unless that version is not published for it', () => {
    expect(clients.length).toBeGreaterThan(10);
    for (const name of clients) expect(manifest.dependencies[name], name).toBe(NOT_PUBLISHED_AT_SDK_VERSION[name] ?? SDK_VERSION);
  });

  it('runs every client on one @aws-sdk/core, one @smithy/core and one HTTP handler', () => {
    for (const shared of ['@aws-sdk/core', '@smithy/core', '@smithy/node-http-handler']) {
      const copies = new Set(clients.map((name) => resolvedFrom(name, shared)));
      expect([...copies], shared).toHaveLength(1);
    }
  });
});
