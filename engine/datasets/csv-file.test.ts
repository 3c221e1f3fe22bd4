// Tables streamed from disk: the same dataset as parsing the whole text, progress as the bytes go
// by, and a table over the memory budget refused with its figures before its values are read.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { loadTableFile, scanTableFile } from './csv-file';
import { parseCsv, tableDataset } from './csv';
import { tempDir } from './test-fixtures';
import { DataError } from './dataset';

const rows = (n: number) =>
  Array.from({ length: n }, (_, i) => `${(i * 0.37) % 11},${i % 7 === 0 ? 'NA' : (i * 13) % 97},"${['red', 'blue, dark', 'green'][i % 3]}",${i % 4 === 0 ? 'yes' : 'no'}`).join('\n');

test('a streamed table equals the one parsed from its whole text', async () => {
  const { dir, cleanup } = await tempDir();
  try {
    const text = `x,y,color,label\r\n${rows(5000)}\r\n`;
    const file = path.join(dir, 'data.csv');
    await writeFile(file, text);
    const seen: number[] = [];
    const { dataset, records } = await loadTableFile(file, 'data', { onProgress: (done) => seen.push(done) });
    const expected = tableDataset(parseCsv(text, 'data.csv'), 'data.csv', 'data');
    assert.equal(records, 5000);
    assert.deepEqual(dataset.featureNames, expected.featureNames);
    assert.deepEqual(Array.from(dataset.x), Array.from(expected.x));
    assert.deepEqual(Array.from(dataset.y), Array.from(expected.y));
    assert.deepEqual(dataset.classes, expected.classes);
    assert.deepEqual(Array.from(dataset.table!.lines), Array.from(expected.table!.lines));
    assert.ok(seen.length >= 2 && seen.at(-1) === Buffer.byteLength(text), `progress ends at the file size: ${seen.join(',')}`);
  } finally {
    await cleanup();
  }
});

test('a table over the memory budget is refused with its size, before its values are read', async () => {
  const { dir, cleanup } = await tempDir();
  const before = process.env['GLASSWING_MEMORY_BUDGET_MB'];
  process.env['GLASSWING_MEMORY_BUDGET_MB'] = '1';
  try {
    const file = path.join(dir, 'big.csv');
    await writeFile(file, `x,y,color,label\n${rows(20000)}\n`);
    await assert.rejects(loadTableFile(file, 'big'), (e: unknown) => e instanceof DataError && /^big\.csv has 20,000 rows × 5 inputs: training on it needs about \d+ MB, more than the 1 MB Glasswing allows itself/.test(e.message));
    const scan = await scanTableFile(file, () => ({}));
    assert.equal(scan.analysis.rows, 20000);
  } finally {
    if (before === undefined) delete process.env['GLASSWING_MEMORY_BUDGET_MB'];
    else process.env['GLASSWING_MEMORY_BUDGET_MB'] = before;
    await cleanup();
  }
});

test('streaming keeps the errors of a parsed table: wrong field counts, unclosed quotes, binary files', async () => {
  const { dir, cleanup } = await tempDir();
  try {
    await writeFile(path.join(dir, 'w.csv'), 'a,b,c\n1,2,3\n4,5\n');
    await assert.rejects(loadTableFile(path.join(dir, 'w.csv'), 'w'), /^DataError: w\.csv line 3 has 2 fields; the header has 3\.$|w\.csv line 3 has 2 fields/);
    await writeFile(path.join(dir, 'q.csv'), 'a,b\n1,"2\n3,4\n');
    await assert.rejects(loadTableFile(path.join(dir, 'q.csv'), 'q'), /q\.csv line 2: a quoted field is never closed/);
    await writeFile(path.join(dir, 'z.csv'), Buffer.from([0x50, 0x4b, 3, 4, 0, 0]));
    await assert.rejects(loadTableFile(path.join(dir, 'z.csv'), 'z'), /binary file/);
  } finally {
    await cleanup();
  }
});
