// Bundles the Node-side programs (CLI, web host, engine process) into out/node with esbuild.
// Dependencies stay external: TF.js, native addons and wasm files load from node_modules at run time.
import { build } from 'esbuild';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const pkg = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8'));
const external = [
  ...Object.keys(pkg.dependencies ?? {}),
  ...Object.keys(pkg.optionalDependencies ?? {}),
  '@tensorflow/tfjs-node', '@tensorflow/tfjs-node-gpu', 'electron',
];
await build({
  absWorkingDir: root,
  entryPoints: {
    cli: 'cli/main.ts',
    'engine-process': 'engine/host/engine-process.ts',
  },
  outdir: 'out/node',
  outExtension: { '.js': '.cjs' },
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  sourcemap: 'linked',
  external,
  logLevel: 'warning',
  define: { GLASSWING_VERSION: JSON.stringify(pkg.version) },
});
