#!/usr/bin/env node
// Compiles src/, checks/ and commands/ to dist/ with esbuild: one .js file per .ts file, the layout tsc would emit.
// esbuild is a production dependency (tsc is not), so `npm ci --omit=dev` builds the bot too; `npm run typecheck` checks the types.
import { readdir, rm } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const SOURCES = ['src', 'checks', 'commands'];

let esbuild;
try {
  esbuild = await import('esbuild');
} catch (error) {
  process.stderr.write(`Cannot build: esbuild is not installed (${error.message.split('\n')[0]}). Run npm ci first.\n`);
  process.exit(1);
}

async function tsFiles(dir) {
  let entries;
  try {
    entries = await readdir(path.join(root, dir), { recursive: true, withFileTypes: true });
  } catch (error) {
    if (error.code === 'ENOENT') return [];
    throw error;
  }
  return entries
    .filter((e) => e.isFile() && e.name.endsWith('.ts') && !e.name.endsWith('.d.ts'))
    .map((e) => path.join(e.parentPath ?? e.path, e.name));
}

const entryPoints = (await Promise.all(SOURCES.map(tsFiles))).flat().sort();
await rm(path.join(root, 'dist'), { recursive: true, force: true });
try {
  await esbuild.build({
    absWorkingDir: root,
    entryPoints,
    outdir: path.join(root, 'dist'),
    outbase: root,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    sourcemap: true,
    logLevel: 'warning',
  });
} catch {
  // esbuild has printed what failed.
  process.exit(1);
}
process.stdout.write(`Built ${entryPoints.length} files into dist/.\n`);
