import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseCsv, tableDataset } from './csv';
import { DataError, type Dataset, type TablePreprocessing } from './dataset';
import { applyPreprocessing, datasetInputs, encodeRawRow, encodeRawRows, fitTablePreprocessing, prepareData, prepareDataWithSplit, preprocessRawRows } from './prepare';
import { splitIndices } from './split';
import { loadIris } from './builtin';

const table = (text: string, options = {}) => tableDataset(parseCsv(text, 't.csv'), 't.csv', 't.csv', options);

function close(a: ArrayLike<number>, b: ArrayLike<number>, eps = 1e-5): void {
  assert.equal(a.length, b.length);
  for (let i = 0; i < a.length; i++) assert.ok(Math.abs(a[i]! - b[i]!) < eps, `[${i}] ${a[i]} vs ${b[i]}`);
}

test('categories are fitted on the training split: a category seen only outside it encodes as all zeros', () => {
  const ds = table('n,color,y\n1,red,a\n2,blue,b\n3,red,a\n4,blue,b\n5,green,a\n');
  const split = { train: [0, 1, 2, 3], validation: [], test: [4] };
  const p = prepareDataWithSplit(ds, split);
  assert.equal(p.preprocessing.kind, 'table');
  const pre = p.preprocessing as TablePreprocessing;
  assert.deepEqual(pre.columns, [
    { name: 'n', type: 'numeric', fill: 2.5 },
    { name: 'color', type: 'categorical', categories: ['blue', 'red'] },
  ]);
  assert.deepEqual(pre.featureNames, ['n', 'color=blue', 'color=red']);
  assert.deepEqual(p.inputShape, [3]);
  // n standardised on the training rows (mean 2.5, std √1.25); one-hot units unscaled.
  close(p.test.x, [(5 - 2.5) / Math.sqrt(1.25), 0, 0]);
  close(p.train.x.subarray(0, 3), [(1 - 2.5) / Math.sqrt(1.25), 0, 1]);
});

test('standardisation uses the training split only; min–max and no scaling are options', () => {
  const rows = Array.from({ length: 40 }, (_, i) => `${i},${i % 2 ? 'a' : 'b'}`).join('\n');
  const ds = table(`x,y\n${rows}\n`);
  const split = splitIndices(ds, 0.25, 0.25, 7);
  const p = prepareDataWithSplit(ds, split);
  const trainValues = split.train.map((r) => ds.x[r]!);
  const mean = trainValues.reduce((a, b) => a + b, 0) / trainValues.length;
  assert.ok(Math.abs((p.preprocessing as TablePreprocessing).mean[0]! - mean) < 1e-9);
  const xs = Array.from(p.train.x);
  assert.ok(Math.abs(xs.reduce((a, b) => a + b, 0) / xs.length) < 1e-5, 'training inputs have mean 0');
  const mm = prepareDataWithSplit(ds, split, { scaling: 'minmax' });
  const train = Array.from(mm.train.x);
  assert.equal(Math.min(...train), 0);
  assert.ok(Math.abs(Math.max(...train) - 1) < 1e-6);
  assert.equal((mm.preprocessing as TablePreprocessing).scaling, 'minmax');
  const none = prepareDataWithSplit(ds, split, { scaling: 'none' });
  assert.deepEqual(Array.from(none.test.x), split.test.map((r) => r));
});

test('missing numbers are filled with the training mean, at prepare and at predict time', () => {
  const ds = table('x,y\n1,a\n3,b\nNA,a\n5,b\n');
  const p = prepareDataWithSplit(ds, { train: [0, 1], validation: [], test: [2, 3] }, { scaling: 'none' });
  assert.deepEqual(Array.from(p.test.x), [2, 5]);
  assert.deepEqual(Array.from(encodeRawRows([[''], [null], ['NA'], [7]], p.preprocessing as TablePreprocessing)), [2, 2, 2, 7]);
});

test('a stored split is reused exactly; a split that does not fit the data is a DataError', () => {
  const iris = loadIris();
  const a = prepareData(iris, 0.2, 0.2, 3);
  const stored = JSON.parse(JSON.stringify(a.split));
  const b = prepareDataWithSplit(iris, stored);
  assert.deepEqual(b.test.indices, a.test.indices);
  assert.deepEqual(Array.from(b.train.x), Array.from(a.train.x));
  assert.deepEqual(b.preprocessing, a.preprocessing);
  assert.throws(() => prepareDataWithSplit(iris, { ...stored, test: [...stored.test, 150] }), (e: unknown) => e instanceof DataError && /example 150, but Iris flowers has 150 examples/.test(e.message));
  assert.throws(() => prepareDataWithSplit(iris, { ...stored, test: [...stored.test, stored.train[0]] }), (e: unknown) => e instanceof DataError && /twice/.test(e.message));
});

test('splits are stratified and fixed by the seed', () => {
  const iris = loadIris();
  const s1 = splitIndices(iris, 0.2, 0.2, 5);
  assert.deepEqual(splitIndices(iris, 0.2, 0.2, 5), s1);
  assert.notDeepEqual(splitIndices(iris, 0.2, 0.2, 6).test, s1.test);
  for (let k = 0; k < 3; k++) assert.equal(s1.test.filter((r) => iris.y[r] === k).length, 10);
});

test('encodeRawRow: raw values (numbers or strings) to the model input, as at training', () => {
  const ds = table('n,color,y\n1,red,a\n2,blue,b\n3,red,a\n4,blue,b\n');
  const p = prepareData(ds, 0, 0, 1);
  const pre = p.preprocessing as TablePreprocessing;
  close(encodeRawRow([3, 'red'], pre), [3, 0, 1]);
  close(encodeRawRow(['3', ' blue '], pre), [3, 1, 0]);
  close(encodeRawRow([3, 'purple'], pre), [3, 0, 0]);
  // The whole path equals the training inputs, row for row.
  const rows = p.train.indices.map((r) => [['1', '2', '3', '4'][r]!, ['red', 'blue', 'red', 'blue'][r]!]);
  close(preprocessRawRows(rows, pre), p.train.x);
  assert.throws(() => encodeRawRow([1], pre), /Input 1 has 1 value; the model takes 2 \(n, color\)/);
  assert.throws(() => encodeRawRow(['x', 'red'], pre), /Input 1, column "n": "x" is not a number/);
});

test('older table preprocessing (no columns) still works for applyPreprocessing and encodeRawRows', () => {
  const legacy: TablePreprocessing = { kind: 'table', featureNames: ['a', 'b'], mean: [1, 2], std: [2, 4] };
  close(applyPreprocessing(Float32Array.from([3, 6]), legacy), [1, 1]);
  close(encodeRawRows([[3, 6]], legacy), [3, 6]);
  assert.throws(() => encodeRawRows([[3, null]], legacy), /column "b": the value is missing/);
});

test('datasetInputs re-encodes a freshly loaded table with a saved model\'s recipe', () => {
  const ds = table('n,color,y\n1,red,a\n2,blue,b\n3,red,a\n4,blue,b\n5,green,a\n6,red,b\n');
  const p = prepareData(ds, 0, 0.33, 2);
  const again = table('n,color,y\n1,red,a\n2,blue,b\n3,red,a\n4,blue,b\n5,green,a\n6,red,b\n');
  close(datasetInputs(again, p.preprocessing, p.test.indices), p.test.x);
  // A file missing one of the model's columns.
  const other = table('m,color,y\n1,red,a\n2,blue,b\n');
  assert.throws(() => datasetInputs(other, p.preprocessing), /has no column "n", which the model takes/);
});

test('fitTablePreprocessing keeps working for plain numeric tables', () => {
  const iris = loadIris();
  const rows = Array.from({ length: 150 }, (_, i) => i);
  const p = fitTablePreprocessing(iris, rows);
  assert.deepEqual(p.featureNames, ['sepal_length', 'sepal_width', 'petal_length', 'petal_width']);
  close([p.mean[0]!], [5.843333], 1e-4);
});

test('image datasets: Uint8 pixels become scaled Float32 inputs at prepare time', () => {
  const x = Uint8Array.from({ length: 4 * 2 * 2 }, (_, i) => (i * 17) % 256);
  const ds: Dataset = {
    id: 'img',
    name: 'img',
    kind: 'images',
    task: 'classification',
    x,
    inputShape: [2, 2, 1],
    y: Float32Array.from([0, 1, 0, 1]),
    classes: ['a', 'b'],
    count: 4,
    featureNames: [],
    fixedPreprocessing: { kind: 'image', height: 2, width: 2, channels: 1, scale: 1 / 255, mean: [0], std: [1] },
  };
  const p = prepareDataWithSplit(ds, { train: [2, 0], validation: [1], test: [3] });
  assert.ok(p.train.x instanceof Float32Array);
  close(p.train.x, [...Array.from(x.subarray(8, 12)), ...Array.from(x.subarray(0, 4))].map((v) => v / 255));
  close(applyPreprocessing(x.subarray(12), p.preprocessing), p.test.x);
  assert.deepEqual(p.inputShape, [2, 2, 1]);
});
