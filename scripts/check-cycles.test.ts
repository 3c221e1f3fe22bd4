// The import-cycle check (part of `npm run lint`) finds a cycle planted in a fixture — type-only
// imports, .svelte.ts modules and index files included — and finds none in the project.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
// @ts-expect-error — a plain .mjs script
import { findCycles, importGraph, sourceFiles } from './check-cycles.mjs';

type Check = (files: string[]) => string[][];
const cyclesIn = ((files) => findCycles(importGraph(files))) as Check;

test('a planted cycle (through a type import, a .svelte.ts module and an index file) is found', async () => {
  const dir = await mkdtemp(path.join(tmpdir(), 'gw-cycles-'));
  try {
    await mkdir(path.join(dir, 'pkg'));
    await writeFile(path.join(dir, 'a.ts'), "import type { B } from './b';\nexport type A = B;\n");
    await writeFile(path.join(dir, 'b.ts'), "import { c } from './state/c.svelte';\nexport type B = typeof c;\n");
    await mkdir(path.join(dir, 'state'));
    await writeFile(path.join(dir, 'state', 'c.svelte.ts'), "export { d as c } from '../pkg';\n");
    await writeFile(path.join(dir, 'pkg', 'index.ts'), "import type { A } from '../a';\nexport const d: A | null = null;\n");
    await writeFile(path.join(dir, 'leaf.ts'), "// import { x } from './a'; — a comment is not an import\nexport const leaf = 1;\n");
    const cycles = cyclesIn(sourceFiles([dir]));
    assert.equal(cycles.length, 1);
    assert.deepEqual(cycles[0]!.map((f) => path.relative(dir, f)), ['a.ts', 'b.ts', path.join('state', 'c.svelte.ts'), path.join('pkg', 'index.ts'), 'a.ts']);
    // Breaking one edge breaks the cycle.
    await writeFile(path.join(dir, 'pkg', 'index.ts'), 'export const d = null;\n');
    assert.deepEqual(cyclesIn(sourceFiles([dir])), []);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('the project has no import cycles', () => {
  const roots = ['common', 'engine', 'main', 'preload', 'renderer/src', 'server', 'cli', 'bench', 'scripts', 'e2e'].map((r) => path.join(__dirname, '..', r));
  assert.deepEqual(cyclesIn(sourceFiles(roots)).map((c) => c.map((f) => path.relative(path.join(__dirname, '..'), f)).join(' → ')), []);
});
