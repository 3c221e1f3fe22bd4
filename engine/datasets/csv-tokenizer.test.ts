import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CsvTokenizer, type CsvRecord } from './csv-tokenizer';
import { seededRandom } from '../../compute/random';

function tokenize(pieces: string[], delimiter = ','): { records: CsvRecord[]; closed: boolean } {
  const records: CsvRecord[] = [];
  const t = new CsvTokenizer(delimiter);
  for (const p of pieces) t.feed(p, (r) => records.push(r));
  const closed = t.end((r) => records.push(r));
  return { records, closed };
}

const TRICKY = [
  'a,"b,c",d\n1,"x, ""y""\nz",3\n',
  'x;y\r\n1,5;2\r\n3;4',
  '\n\na,b\n\n1,2\n\n',
  'a,b\r1,2\r3,4\r',
  '  "quoted" ,plain\n"a""b",  c  \n',
  '"",""\n"""",x\n',
  'a\tb\n"multi\r\nline"\tq\n',
  'one\n',
  'a,b,\n,,\n',
];

test('records are the same however the text is cut into pieces (quotes, CRLF and doubled quotes across the cuts)', () => {
  const random = seededRandom(9);
  for (const text of TRICKY) {
    const delimiter = text.includes(';') ? ';' : text.includes('\t') ? '\t' : ',';
    const whole = tokenize([text], delimiter);
    assert.ok(whole.closed);
    // Every single cut point, and random cuts.
    for (let cut = 0; cut <= text.length; cut++) assert.deepEqual(tokenize([text.slice(0, cut), text.slice(cut)], delimiter), whole, `${JSON.stringify(text)} cut at ${cut}`);
    for (let k = 0; k < 20; k++) {
      const pieces: string[] = [];
      for (let i = 0; i < text.length; ) {
        const n = 1 + Math.floor(random() * 4);
        pieces.push(text.slice(i, i + n));
        i += n;
      }
      assert.deepEqual(tokenize(pieces, delimiter), whole, JSON.stringify(pieces));
    }
  }
});

test('fields, blank lines and line numbers', () => {
  assert.deepEqual(tokenize(['a,"b,c",d\n1,"x, ""y""\nz",3\n']).records, [
    { line: 1, fields: ['a', 'b,c', 'd'] },
    { line: 2, fields: ['1', 'x, "y"\nz', '3'] },
  ]);
  assert.deepEqual(tokenize(['\n\na,b\n\n1,2']).records.map((r) => r.line), [3, 5]);
  assert.deepEqual(tokenize(['  "q" x,y\n']).records[0]!.fields, ['q x', 'y']);
  assert.equal(tokenize(['a,"open\n1,2\n']).closed, false);
});
