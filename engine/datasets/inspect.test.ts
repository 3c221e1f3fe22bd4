import { test, mock } from 'node:test';
import assert from 'node:assert/strict';
import fsp from 'node:fs/promises';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { inspectDataset } from './inspect';
import { loadDataset } from './load';
import { DataError } from './dataset';
import { tempDir, writeImage } from './test-fixtures';

test('a table: column types, statistics, categories with counts, classes, first rows, problems with fixes', async () => {
  const { dir, cleanup } = await tempDir();
  try {
    const rows = Array.from({ length: 40 }, (_, i) => `${i + 1},${i % 10 === 3 ? 'NA' : 20 + i},${['red', 'blue', 'green'][i % 3]},7,${i < 36 ? 'no' : 'yes'}`);
    const file = path.join(dir, 'people.csv');
    await writeFile(file, `id,age,color,const,bought\n${rows.join('\n')}\n`);
    const r = await inspectDataset(file);
    assert.equal(r.kind, 'table');
    assert.equal(r.task, 'classification');
    assert.equal(r.count, 40);
    assert.equal(r.labelColumn, 'bought');
    assert.deepEqual(r.columns.map((c) => [c.name, c.role, c.type]), [
      ['id', 'feature', 'numeric'],
      ['age', 'feature', 'numeric'],
      ['color', 'feature', 'categorical'],
      ['const', 'feature', 'numeric'],
      ['bought', 'label', 'categorical'],
    ]);
    const age = r.columns[1]!;
    assert.equal(age.missing, 4);
    assert.equal(age.stats!.min, 20);
    assert.equal(age.stats!.max, 59);
    assert.deepEqual(r.columns[2]!.categories, [{ value: 'blue', count: 13 }, { value: 'green', count: 13 }, { value: 'red', count: 14 }].sort((a, b) => b.count - a.count || a.value.localeCompare(b.value)));
    assert.deepEqual(r.classes, [{ name: 'no', count: 36 }, { name: 'yes', count: 4 }]);
    assert.equal(r.imbalance!.ratio, 9);
    assert.deepEqual(r.inputShape, [6]);
    assert.deepEqual(r.header, ['id', 'age', 'color', 'const', 'bought']);
    assert.equal(r.firstRows.length, 10);
    assert.deepEqual(r.firstRows[3], ['4', 'NA', 'red', '7', 'no']);
    assert.equal(r.ok, true);
    const messages = r.problems.map((p) => `${p.severity}: ${p.message}`);
    assert.ok(messages.some((m) => /^warning: people\.csv: the classes are imbalanced — "no" has 36 examples, "yes" only 4 \(9\.0×\)/.test(m)), messages.join('\n'));
    assert.ok(r.problems.some((p) => p.column === 'id' && p.fixes?.[0]?.option === 'ignore' && /row identifier/.test(p.message)));
    assert.ok(r.problems.some((p) => p.column === 'const' && /same value in every row/.test(p.message)));
    assert.ok(r.problems.some((p) => p.column === 'age' && /4 of 40 values are missing; they are filled with the mean of the training split/.test(p.message)));
  } finally {
    await cleanup();
  }
});

test('a table with errors: bad rows, a non-numeric value (with the categorical fix), a missing label column — listed, not thrown', async () => {
  const { dir, cleanup } = await tempDir();
  try {
    const file = path.join(dir, 'bad.tsv');
    await writeFile(file, 'x\tsize\ty\n1\t2\ta\n2\tbig\tb\n3\t4\n4\t5\ta\n5\t6\tb\n');
    const r = await inspectDataset(file, { labelColumn: 'nope' });
    assert.equal(r.ok, false);
    assert.equal(r.inputShape, null);
    const errors = r.problems.filter((p) => p.severity === 'error');
    assert.deepEqual(errors.map((p) => p.message), [
      'bad.tsv line 4 has 2 fields; the header has 3.',
      'bad.tsv has no column "nope" to use as the label. Its columns are: x, size, y.',
      'bad.tsv line 3, column "size": "big" is not a number (it is the only value in this numeric column that is not a number). Treat them as missing values, drop those rows, read the column as categories, or ignore it.',
    ]);
    // GUI words, GUI fixes: each with what it costs (rows affected, inputs added).
    assert.deepEqual(errors[2]!.fixes, [
      { option: 'missing', column: 'size', rows: 1 },
      { option: 'drop', column: 'size', rows: 1 },
      { option: 'categorical', column: 'size', adds: 3 },
      { option: 'ignore', column: 'size' },
    ]);
    assert.equal(errors[2]!.line, 3);
    // Applying the fix: the rows with the wrong field count still stop the import.
    const fixed = await inspectDataset(file, { categorical: ['size'] });
    assert.deepEqual(fixed.problems.filter((p) => p.severity === 'error').map((p) => p.line), [4]);
  } finally {
    await cleanup();
  }
});

test('regression targets get statistics instead of classes', async () => {
  const { dir, cleanup } = await tempDir();
  try {
    const rows = Array.from({ length: 30 }, (_, i) => `${50 + i},${i % 2 ? 'north' : 'south'},${100000 + i * 2500}`);
    const file = path.join(dir, 'houses.csv');
    await writeFile(file, `area,side,price\n${rows.join('\n')}\n`);
    const r = await inspectDataset(file);
    assert.equal(r.task, 'regression');
    assert.deepEqual(r.classes, []);
    assert.equal(r.target!.min, 100000);
    assert.equal(r.target!.max, 172500);
    assert.deepEqual(r.inputShape, [3]);
  } finally {
    await cleanup();
  }
});

test('an image folder: classes with counts, sample images as PNG data URLs, skipped files as problems', async () => {
  const { dir, cleanup } = await tempDir();
  try {
    for (let i = 0; i < 5; i++) await writeImage(path.join(dir, 'cat', `${i}.png`), 10, 10, [200, i * 10, 0]);
    for (let i = 0; i < 2; i++) await writeImage(path.join(dir, 'dog', `${i}.png`), 10, 10, [0, 0, 200]);
    await writeFile(path.join(dir, 'dog', 'readme.md'), '# dogs');
    const r = await inspectDataset(dir, { height: 8, width: 8, color: 'rgb', samplesPerClass: 3, cacheDir: false });
    assert.equal(r.kind, 'images');
    assert.equal(r.count, 7);
    assert.deepEqual(r.classes, [{ name: 'cat', count: 5 }, { name: 'dog', count: 2 }]);
    assert.deepEqual(r.inputShape, [8, 8, 3]);
    assert.equal(r.sampleImages.length, 5);
    assert.deepEqual(r.sampleImages.map((s) => s.class), ['cat', 'cat', 'cat', 'dog', 'dog']);
    assert.match(r.sampleImages[0]!.dataUrl, /^data:image\/png;base64,iVBORw0KGgo/);
    assert.equal(r.sampleImages[0]!.file, path.join('cat', '0.png'));
    assert.ok(r.problems.some((p) => p.message === `${path.join('dog', 'readme.md')} was skipped: not an image file.`));
    assert.equal(r.report!.skipped.length, 1);
    const mnist = await inspectDataset('mnist', { samplesPerClass: 1 });
    assert.equal(mnist.sampleImages.length, 10);
    assert.equal(mnist.classes.length, 10);
  } finally {
    await cleanup();
  }
});

test('nothing usable: a missing path, an empty file, a header only, an unreadable file are DataErrors', async () => {
  const { dir, cleanup } = await tempDir();
  const rejects = (p: Promise<unknown>, re: RegExp) => assert.rejects(p, (e: unknown) => e instanceof DataError && re.test(e.message) && !e.message.includes('\n'));
  try {
    await rejects(inspectDataset(path.join(dir, 'missing.csv')), /missing\.csv does not exist\. Use a CSV file, an image folder, or a built-in dataset/);
    await writeFile(path.join(dir, 'empty.csv'), '');
    await rejects(inspectDataset(path.join(dir, 'empty.csv')), /^empty\.csv is empty\.$/);
    await rejects(loadDataset(path.join(dir, 'empty.csv')), /^empty\.csv is empty\.$/);
    await writeFile(path.join(dir, 'head.csv'), 'a,b,c\n');
    await rejects(inspectDataset(path.join(dir, 'head.csv')), /^head\.csv has a header but no data rows\.$/);
    await writeImage(path.join(dir, 'pic.png'), 4, 4, [1, 2, 3]);
    await rejects(loadDataset(path.join(dir, 'pic.png')), /^pic\.png line 1: this is a binary file \(an image or an archive\), not a CSV or TSV table\.$/);
    await writeFile(path.join(dir, 'locked.csv'), 'a,b\n1,x\n2,y\n');
    // Root reads files whatever their mode, so permission denied is simulated.
    const real = fsp.open;
    mock.method(fsp, 'open', async (file: Parameters<typeof real>[0], ...rest: unknown[]) => {
      if (String(file).endsWith('locked.csv')) throw Object.assign(new Error('EACCES: permission denied'), { code: 'EACCES' });
      return (real as (...a: unknown[]) => Promise<unknown>)(file, ...rest);
    });
    await rejects(loadDataset(path.join(dir, 'locked.csv')), /^Cannot read .*locked\.csv: permission denied\.$/);
    await rejects(inspectDataset(path.join(dir, 'locked.csv')), /permission denied/);
  } finally {
    mock.restoreAll();
    await cleanup();
  }
});
