// `glasswing dataset inspect` as a user runs it: a separate process, exit codes, one-line errors.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtemp, rm, writeFile, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';

let work = '';
let runner = '';

test.before(async () => {
  work = await mkdtemp(path.join(tmpdir(), 'glasswing-cli-dataset-'));
  runner = path.join(work, 'run.ts');
  // Runs the command as cli/main.ts does: one line on stderr, exit 2 for bad input.
  await writeFile(
    runner,
    `import { runDataset } from ${JSON.stringify(path.join(__dirname, 'dataset'))};
import { CliError } from ${JSON.stringify(path.join(__dirname, '..', 'cli-error'))};
runDataset(process.argv.slice(2)).then((code) => { process.exitCode = code; }, (e) => {
  process.stderr.write('glasswing: ' + String(e.message).split('\\n')[0] + '\\n');
  process.exitCode = e instanceof CliError ? e.exitCode : e.code === 'bad-input' ? 2 : 1;
});
`,
  );
});
test.after(() => rm(work, { recursive: true, force: true }));

function glasswing(...args: string[]) {
  const r = spawnSync(process.execPath, ['--import', 'tsx', runner, ...args.slice(1)], { encoding: 'utf8', timeout: 120_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

test('dataset inspect prints columns, types, classes and problems; --json gives the whole inspection', async () => {
  const file = path.join(work, 'pets.csv');
  await writeFile(file, 'weight,color,kind\n4,black,cat\n30,brown,dog\n5,white,cat\n25,black,dog\n3.5,brown,cat\n');
  const r = glasswing('dataset', 'inspect', file, '--label', 'kind');
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /^pets\.csv: table, 5 rows, classification on "kind" into 2 classes\n/);
  assert.match(r.stdout, /input shape: 4\n/);
  assert.match(r.stdout, /weight\s+feature\s+numeric\s+0\s+5\s+min 3\.5\s+max 30/);
  assert.match(r.stdout, /color\s+feature\s+categorical\s+0\s+3\s+black 2, brown 2, white 1/);
  assert.match(r.stdout, /classes \(2\):\n\s+cat\s+3\n\s+dog\s+2/);
  const j = glasswing('dataset', 'inspect', file, '--json');
  assert.equal(j.code, 0, j.stderr);
  const parsed = JSON.parse(j.stdout);
  assert.equal(parsed.kind, 'table');
  assert.deepEqual(parsed.inputShape, [4]);
  assert.equal(parsed.columns.length, 3);
});

test('dataset inspect on an image folder, and the data errors: exit 2 with one line naming file, line and column', async () => {
  const { writeImage } = await import('../../engine/datasets/test-fixtures');
  const dir = path.join(work, 'imgs');
  await writeImage(path.join(dir, 'a', '1.png'), 6, 6, [255, 0, 0]);
  await writeImage(path.join(dir, 'b', '1.png'), 6, 6, [0, 0, 255]);
  await writeFile(path.join(dir, 'b', 'x.txt'), 'no');
  const r = glasswing('dataset', 'inspect', dir, '--image-size', '4x4', '--color', 'rgb', '--no-cache');
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /imgs: images, 2 images, classification into 2 classes\ninput shape: 4×4×3\n/);
  assert.match(r.stdout, /warning: b\/x\.txt was skipped: not an image file\./);

  const bad = path.join(work, 'bad.csv');
  await writeFile(bad, 'a,b,y\n1,2,u\n3,oops,v\n4,5,u\n6,7,v\n');
  const b = glasswing('dataset', 'inspect', bad);
  assert.equal(b.code, 2);
  assert.equal(
    b.stderr,
    'glasswing: bad.csv line 3, column "b": "oops" is not a number (it is the only value in this numeric column that is not a number). Treat them as missing values, drop those rows, read the column as categories, or ignore it. (--missing b, --drop-bad b, --categorical b or --ignore b)\n',
  );
  assert.match(b.stdout, /error: bad\.csv line 3, column "b"/);
  assert.equal(glasswing('dataset', 'inspect', bad, '--categorical', 'b').code, 0);

  const missing = glasswing('dataset', 'inspect', path.join(work, 'nope.csv'));
  assert.equal(missing.code, 2);
  assert.match(missing.stderr, /^glasswing: .*nope\.csv does not exist\./);
  await mkdir(path.join(work, 'one', 'only'), { recursive: true });
  const one = glasswing('dataset', 'inspect', path.join(work, 'one'));
  assert.equal(one.code, 2);
  assert.match(one.stderr, /at least two classes; it has only "only"\.\n$/);
  for (const args of [['dataset'], ['dataset', 'peek', 'x'], ['dataset', 'inspect'], ['dataset', 'inspect', bad, '--color', 'blue'], ['dataset', 'inspect', bad, '--image-size', '9'], ['dataset', 'inspect', bad, '--bogus']]) {
    const e = glasswing(...args);
    assert.equal(e.code, 2, args.join(' '));
    assert.equal(e.stderr.split('\n').length, 2, `one line: ${e.stderr}`);
  }
  const help = glasswing('dataset', '--help');
  assert.equal(help.code, 0);
  assert.match(help.stdout, /^Usage: glasswing dataset inspect/);
});
