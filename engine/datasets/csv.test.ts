import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseCsv, tableDataset, detectTask } from './csv';
import { DataError } from './dataset';

const load = (text: string, options = {}) => tableDataset(parseCsv(text, 'data.csv'), 'data.csv', 'data.csv', options);

function throwsData(fn: () => unknown, pattern: RegExp): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof DataError, `a DataError, got ${String(e)}`);
    assert.match(e.message, pattern);
    assert.ok(!e.message.includes('\n'), 'one line');
    return true;
  });
}

test('delimiters and quoting are detected: commas, tabs, semicolons, quoted delimiters, doubled quotes and newlines', () => {
  const t = parseCsv('a,"b,c",d\n1,"x, ""y""\nz",3\n', 'q.csv');
  assert.equal(t.delimiter, ',');
  assert.deepEqual(t.header, ['a', 'b,c', 'd']);
  assert.deepEqual(t.rows[0]!.fields, ['1', 'x, "y"\nz', '3']);
  assert.equal(parseCsv('a\tb\n1\t2\n', 't.tsv').delimiter, '\t');
  assert.equal(parseCsv('a;b\r\n1,5;2\r\n', 's.csv').rows[0]!.fields[0], '1,5');
  // A BOM, blank lines and a missing final newline.
  const b = parseCsv('\ufeffx,y\n\n1,2\n\n3,4', 'b.csv');
  assert.deepEqual(b.header, ['x', 'y']);
  assert.deepEqual(b.rows.map((r) => r.line), [3, 5]);
});

test('an empty file, a header only, an unclosed quote, a duplicate column name: DataErrors naming the file and line', () => {
  throwsData(() => parseCsv('', 'e.csv'), /^e\.csv is empty\.$/);
  throwsData(() => parseCsv('  \n\n', 'e.csv'), /e\.csv is empty/);
  throwsData(() => parseCsv('a,b,c\n', 'h.csv'), /h\.csv has a header but no data rows/);
  throwsData(() => parseCsv('a,b\n1,"2\n3,4\n', 'u.csv'), /u\.csv line 2: a quoted field is never closed/);
  throwsData(() => parseCsv('a,b,a\n1,2,3\n', 'd.csv'), /d\.csv line 1: the column name "a" appears twice \(columns 1 and 3\)/);
});

test('a row with the wrong number of fields names its line', () => {
  throwsData(() => parseCsv('a,b,c\n1,2,3\n4,5\n6,7,8\n', 'w.csv'), /^w\.csv line 3 has 2 fields; the header has 3\.$/);
  // A quoted newline does not shift the line numbers that follow.
  throwsData(() => parseCsv('a,b\n"x\ny",1\n1,2,3\n', 'w.csv'), /w\.csv line 4 has 3 fields/);
});

test('numeric and categorical columns: categories become one-hot units, classes are sorted', () => {
  const ds = load('size,color,kind\n1.5,red,a\n2,blue,b\n3,red,a\n4,green,b\n');
  assert.equal(ds.task, 'classification');
  assert.deepEqual(ds.classes, ['a', 'b']);
  assert.deepEqual(ds.featureNames, ['size', 'color=blue', 'color=green', 'color=red']);
  assert.deepEqual(ds.inputShape, [4]);
  assert.deepEqual(Array.from(ds.x.subarray(0, 8)), [1.5, 0, 0, 1, 2, 1, 0, 0]);
  assert.deepEqual(Array.from(ds.y), [0, 1, 0, 1]);
  assert.equal(ds.table!.columns[1]!.type, 'categorical');
  assert.deepEqual(Array.from(ds.table!.lines), [2, 3, 4, 5]);
});

test('a non-numeric value in a numeric column names the line and column and offers four ways to read it', () => {
  const text = 'age,score,label\n31,1,a\n42,2,b\ntwelve,3,a\n50,4,b\n';
  throwsData(() => load(text), /^data\.csv line 4, column "age": "twelve" is not a number \(it is the only value in this numeric column that is not a number\)\. Treat them as missing values, drop those rows, read the column as categories, or ignore it\.$/);
  const forced = load(text, { categorical: ['age'] });
  assert.deepEqual(forced.featureNames, ['age=31', 'age=42', 'age=50', 'age=twelve', 'score']);
  const ignored = load(text, { ignore: ['age'] });
  assert.deepEqual(ignored.featureNames, ['score']);
  throwsData(() => load(text, { categorical: ['nope'] }), /data\.csv has no column "nope" \(named as a categorical column\)/);
});

test('missing markers in numeric columns are missing values, filled with the column mean', () => {
  const ds = load('x,y\n1,a\nNA,b\n3,a\n?,b\n');
  assert.deepEqual(Array.from(ds.x), [1, 2, 3, 2]);
  const col = ds.table!.columns[0]!;
  assert.ok(col.type === 'numeric' && Number.isNaN(col.values[1]!));
});

test('the label: missing column, one class, a missing value, regression detection', () => {
  throwsData(() => load('a,b\n1,2\n', { labelColumn: 'price' }), /^data\.csv has no column "price" to use as the label\. Its columns are: a, b\.$/);
  throwsData(() => load('a,b\n1,x\n2,x\n'), /^data\.csv, column "b": the label has only one class \("x"\); a classifier needs at least two\.$/);
  throwsData(() => load('a,b\n1,x\n2,\n3,y\n'), /^data\.csv line 3, column "b": the label is missing\.$/);
  const rows = Array.from({ length: 50 }, (_, i) => `${i},${i % 3 === 0 ? 'brick' : 'wood'},${(100_000 + i * 1234.5).toFixed(1)}`);
  const houses = load(`rooms,material,price\n${rows.join('\n')}\n`);
  assert.equal(houses.task, 'regression');
  assert.deepEqual(houses.classes, []);
  assert.equal(houses.y[1], 101234.5);
  assert.equal(load('a,b\n1,1\n2,2\n3,1\n').task, 'classification');
  assert.equal(load('a,b\n1,1\n2,2\n3,1\n', { task: 'regression' }).task, 'regression');
  assert.equal(detectTask(['1', '2', '2.5']), 'regression');
});

test('a categorical column with too many values (an identifier) is refused with a fix', () => {
  const rows = Array.from({ length: 30 }, (_, i) => `user${i},${i % 2}`);
  throwsData(() => load(`id,y\n${rows.join('\n')}\n`, { maxCategories: 10 }), /data\.csv, column "id": 30 different values are too many to one-hot encode \(at most 10\).*Ignore it\./);
});

test('a label with more than 1,000 different values (an identifier) is refused, not trained as 20,000 classes', () => {
  const rows = Array.from({ length: 3000 }, (_, i) => `${i % 97},L${i % 1500}`);
  throwsData(() => load(`x,label\n${rows.join('\n')}\n`), /^data\.csv, column "label": 1,500 different labels are too many classes \(at most 1,000\); it looks like an identifier or free text\. Choose another label column\.$/);
  const ok = Array.from({ length: 2000 }, (_, i) => `${i % 97},L${i % 1000}`);
  assert.equal(load(`x,label\n${ok.join('\n')}\n`).classes.length, 1000);
});

test('no feature columns besides the label', () => {
  throwsData(() => load('a,b\n1,x\n2,y\n', { ignore: ['a'] }), /data\.csv has no feature columns besides the label "b"/);
});
