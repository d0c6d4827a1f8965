#!/usr/bin/env node
// Bundles the command line (src/cli.ts, and through it the bot, the checks and the fix actions) into dist/ with esbuild.
//
// Why a bundle: loading @aws-sdk/client-ec2 from node_modules alone costs Node ~0.6 s and 130 MiB (thousands
// of CommonJS files resolved and compiled one by one); the same code bundled from the SDK's ES modules, tree
// shaken (the packages declare sideEffects: false), loads in a fraction of that. The AWS SDK and its own
// dependencies are bundled; everything else stays in node_modules, loaded as published (Bolt, pino, lowdb,
// zod, yaml...): they are small to load, and some read their own files at run time.
//
// Each command is its own chunk (src/cli.ts imports them when asked for): `--help` loads neither the SDK nor
// Slack, `audit` loads no Slack code.
//
// esbuild is a production dependency (tsc is not), so `npm ci --omit=dev` builds the bot too; `npm run
// typecheck` checks the types.
import { readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

let esbuild;
try {
  esbuild = await import('esbuild');
} catch (error) {
  process.stderr.write(`Cannot build: esbuild is not installed (${error.message.split('\n')[0]}). Run npm ci first.\n`);
  process.exit(1);
}

/** The AWS SDK and what it depends on: bundled. */
const BUNDLED = /^(@aws-sdk|@smithy|@aws-crypto|@aws)\/|^(fast-xml-parser|strnum|tslib|bowser|uuid)(\/|$)/;

const packagesOutsideTheSdk = {
  name: 'packages-outside-the-sdk',
  setup(build) {
    build.onResolve({ filter: /^[^./]/ }, (args) => {
      if (args.path.startsWith('node:')) return { path: args.path, external: true };
      if (BUNDLED.test(args.path)) return undefined;
      // A package the SDK itself imports (by a name not listed above) is bundled with it.
      if (/[\\/]node_modules[\\/](@aws-sdk|@smithy|@aws-crypto)[\\/]/.test(args.importer)) return undefined;
      return { path: args.path, external: true };
    });
  },
};

/**
 * The SDK's generated schema files (one per client, 1.3 MB for EC2) write each shape's traits with computed
 * keys, `{ [_xN]: "groupId" }`, where `_xN` is a string constant of the same file. esbuild cannot prove a
 * computed key free of side effects, so it kept every shape of every client, used or not (6,700 shapes, 3.3 MB
 * of the bundle, a quarter second of compiling at every start). The same keys written as the literals they
 * stand for tree-shake: only the shapes the audit's operations reach are left (and the errors each client
 * registers).
 */
const literalSchemaKeys = {
  name: 'literal-schema-keys',
  setup(build) {
    build.onLoad({ filter: /[\\/]node_modules[\\/]@aws-sdk[\\/]client-[^\\/]+[\\/]dist-es[\\/]schemas[\\/]schemas_\d+\.js$/ }, async (args) => {
      const source = await readFile(args.path, 'utf8');
      const constants = new Map();
      for (const [, name, value] of source.matchAll(/^const (_\w+) = ("(?:[^"\\\n]|\\.)*");$/gm)) constants.set(name, value);
      // A key that is not such a constant stays as it is (and its shape in the bundle). List and map members
      // are flags like `64 | 0`: esbuild keeps a statement holding an operator, so they are folded too.
      const contents = source
        .replace(/\[(_\w+)\]:/g, (whole, name) => (constants.has(name) ? `${constants.get(name)}:` : whole))
        .replace(/\b(\d+) \| (\d+)\b/g, (_, a, b) => String(Number(a) | Number(b)));
      return { contents, loader: 'js' };
    });
  },
};

await rm(path.join(root, 'dist'), { recursive: true, force: true });
let result;
try {
  result = await esbuild.build({
    absWorkingDir: root,
    // The store is an entry of its own too: another process can open the bot's database with the bot's own
    // code and locking (the lock tests run one as a separate process, test/fixtures/hold-store.mjs).
    entryPoints: ['src/cli.ts', 'src/store/store.ts'],
    outdir: path.join(root, 'dist'),
    outbase: root,
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    // The SDK's ES modules: what its tree shaking is written for.
    mainFields: ['module', 'main'],
    chunkNames: 'chunks/[name]-[hash]',
    plugins: [packagesOutsideTheSdk, literalSchemaKeys],
    sourcemap: true,
    metafile: true,
    logLevel: 'warning',
    // A CommonJS module inside the bundle may still call require() for a Node built-in.
    banner: { js: "import { createRequire as __bundleRequire } from 'node:module'; const require = __bundleRequire(import.meta.url);" },
  });
} catch {
  // esbuild has printed what failed.
  process.exit(1);
}
// BUILD_ANALYZE=1 npm run build: what each output holds, biggest inputs first.
if (process.env.BUILD_ANALYZE) process.stdout.write(await esbuild.analyzeMetafile(result.metafile));
if (process.env.BUILD_METAFILE) await (await import('node:fs/promises')).writeFile(process.env.BUILD_METAFILE, JSON.stringify(result.metafile));
const outputs = Object.entries(result.metafile.outputs).filter(([file]) => file.endsWith('.js'));
const bytes = outputs.reduce((n, [, o]) => n + o.bytes, 0);
process.stdout.write(`Built dist/ (${outputs.length} files, ${(bytes / 1024 / 1024).toFixed(1)} MiB).\n`);
