// Fails (exit 1) on any import cycle among the project's own modules, type-only imports included:
// a cycle is a design knot even when the compiler erases it. Reads every .ts, .mjs, .cjs and
// .svelte file under the given roots, resolves relative imports (and dynamic import()/require()),
// and reports each strongly connected group of files with one path through it.
// Usage: node scripts/check-cycles.mjs [root …]   (default: the project's source folders)
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';

const DEFAULT_ROOTS = ['common', 'compute', 'engine', 'main', 'preload', 'renderer/src', 'server', 'cli', 'bench', 'scripts', 'e2e'];
const EXTENSIONS = ['.ts', '.mjs', '.cjs', '.js', '.svelte'];
const SKIP = new Set(['node_modules', 'out', 'dist', 'fixtures', 'test-results']);

export function sourceFiles(roots) {
  const files = [];
  const walk = (dir) => {
    for (const name of readdirSync(dir)) {
      if (SKIP.has(name) || name.startsWith('.')) continue;
      const p = path.join(dir, name);
      if (statSync(p).isDirectory()) walk(p);
      else if (EXTENSIONS.some((e) => name.endsWith(e)) && !name.endsWith('.d.ts')) files.push(path.resolve(p));
    }
  };
  for (const r of roots) if (existsSync(r)) walk(r);
  return files;
}

const IMPORT = /(?:^|[\s;])(?:import|export)\s+(?:type\s+)?(?:[\w*{}\s,$]+?\s+from\s+)?['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)|require\(\s*['"]([^'"]+)['"]\s*\)/gm;

function resolve(from, spec) {
  if (!spec.startsWith('.')) return null;
  const base = path.resolve(path.dirname(from), spec);
  const candidates = [base, ...EXTENSIONS.map((e) => base + e), ...EXTENSIONS.map((e) => path.join(base, `index${e}`))];
  if (/\.(m|c)?js$/.test(base)) candidates.push(base.replace(/\.(m|c)?js$/, '.ts'));
  return candidates.find((c) => existsSync(c) && statSync(c).isFile()) ?? null;
}

export function importGraph(files) {
  const graph = new Map();
  for (const file of files) {
    const text = readFileSync(file, 'utf8').replace(/\/\*[\s\S]*?\*\//g, '').replace(/^\s*\/\/.*$/gm, '');
    const deps = new Set();
    for (const m of text.matchAll(IMPORT)) {
      const target = resolve(file, m[1] ?? m[2] ?? m[3]);
      if (target && target !== file) deps.add(target);
    }
    graph.set(file, [...deps]);
  }
  return graph;
}

/** Tarjan's strongly connected components with more than one file (or a file importing itself). */
export function findCycles(graph) {
  let index = 0;
  const indices = new Map();
  const low = new Map();
  const stack = [];
  const onStack = new Set();
  const cycles = [];
  const visit = (v) => {
    indices.set(v, index);
    low.set(v, index++);
    stack.push(v);
    onStack.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!graph.has(w)) continue;
      if (!indices.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v), low.get(w)));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v), indices.get(w)));
    }
    if (low.get(v) === indices.get(v)) {
      const group = [];
      let w;
      do {
        w = stack.pop();
        onStack.delete(w);
        group.push(w);
      } while (w !== v);
      if (group.length > 1) cycles.push(group);
    }
  };
  for (const v of graph.keys()) if (!indices.has(v)) visit(v);
  // Each loop starts at its alphabetically first file, so reports are stable.
  return cycles.map((group) => pathThrough(graph, new Set(group), [...group].sort()[0]));
}

/** One loop through a group: start → … → start. */
function pathThrough(graph, group, start) {
  const previous = new Map([[start, null]]);
  const queue = [start];
  while (queue.length) {
    const v = queue.shift();
    for (const w of graph.get(v) ?? []) {
      if (!group.has(w)) continue;
      if (w === start) {
        const loop = [start];
        for (let u = v; u !== null && u !== start; u = previous.get(u)) loop.splice(1, 0, u);
        return [...loop, start];
      }
      if (!previous.has(w)) {
        previous.set(w, v);
        queue.push(w);
      }
    }
  }
  return [...group, start];
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const roots = process.argv.slice(2).length ? process.argv.slice(2) : DEFAULT_ROOTS;
  const cycles = findCycles(importGraph(sourceFiles(roots)));
  const rel = (f) => path.relative(process.cwd(), f);
  if (cycles.length) {
    for (const c of cycles) console.error(`import cycle: ${c.map(rel).join(' → ')}`);
    console.error(`${cycles.length} import cycle${cycles.length === 1 ? '' : 's'}: break each by moving what both sides need into a module of its own.`);
    process.exit(1);
  }
  console.log(`no import cycles among ${sourceFiles(roots).length} files`);
}
