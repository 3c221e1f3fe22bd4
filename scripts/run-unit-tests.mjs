// Runs every *.test.ts beside the code with Node's test runner (TypeScript through tsx).
// Node 20's runner takes no globs, so the files are found here.
import { readdirSync, statSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import path from 'node:path';

const roots = ['common', 'compute', 'engine', 'server', 'cli', 'main', 'preload', 'scripts', 'bench'];
const filter = process.argv.slice(2);
const files = [];
function walk(dir) {
  for (const name of readdirSync(dir)) {
    const p = path.join(dir, name);
    if (name === 'node_modules') continue;
    if (statSync(p).isDirectory()) walk(p);
    else if (name.endsWith('.test.ts') && (filter.length === 0 || filter.some((f) => p.includes(f)))) files.push(p);
  }
}
for (const r of roots) {
  try { walk(r); } catch { /* a root that does not exist yet */ }
}
if (files.length === 0) {
  console.error('No unit tests found.');
  process.exit(1);
}
const result = spawnSync(process.execPath, ['--import', 'tsx', '--test', '--test-concurrency=2', ...files], { stdio: 'inherit' });
process.exit(result.status ?? 1);
