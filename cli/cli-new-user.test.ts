// What a learner ran into with the CLI, each as they met it: output piped into `head`, a regression
// model's export, fine-tuning a model trained before, a CSV whose header has a typo, evaluating on
// one class, an --out that is a file, a study of another search, and labels or numbers a
// spreadsheet wrote its own way.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';

const bin = path.join(__dirname, '..', 'bin', 'glasswing.cjs');

function glasswing(...args: string[]) {
  const r = spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8', timeout: 180_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

async function inTemp(f: (dir: string) => Promise<void>): Promise<void> {
  const dir = await mkdtemp(path.join(tmpdir(), 'gw-user-'));
  try {
    await f(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** y = 3a − 2b + c²: a regression table of `rows` rows. */
function regressionCsv(rows: number): string {
  const lines = ['a,b,c,y'];
  for (let i = 0; i < rows; i++) {
    const a = ((i * 37) % 100) / 10, b = ((i * 53) % 100) / 10, c = ((i * 71) % 100) / 25;
    lines.push(`${a},${b},${c},${(3 * a - 2 * b + c * c).toFixed(3)}`);
  }
  return lines.join('\n') + '\n';
}

test('train piped into `head -1`: no stack trace, and the model is still saved', async () => {
  await inTemp(async (dir) => {
    const out = path.join(dir, 'model');
    const child = spawn(process.execPath, [bin, 'train', '--template', 'iris-mlp', '--dataset', 'iris', '--epochs', '20', '--out', out], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += String(d)));
    // The reader takes the first line and goes away, as `head -1` does.
    child.stdout.once('data', () => child.stdout.destroy());
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    assert.equal(code, 0, stderr);
    assert.doesNotMatch(stderr, /EPIPE|    at /);
    assert.ok(existsSync(path.join(out, 'model.json')) && existsSync(path.join(out, 'weights.bin')));
  });
});

test('a regression model exports with its MAE, RMSE and R² in the model card', async () => {
  await inTemp(async (dir) => {
    await writeFile(path.join(dir, 'reg.csv'), regressionCsv(200));
    const model = path.join(dir, 'm');
    assert.equal(glasswing('train', '--template', 'iris-mlp', '--dataset', path.join(dir, 'reg.csv'), '--epochs', '3', '--out', model).code, 0);
    for (const format of ['tfjs', 'onnx']) {
      const r = glasswing('export', '--model', model, '--format', format, '--out', path.join(dir, format));
      assert.equal(r.code, 0, r.stderr);
      assert.match(await readFile(path.join(dir, format, 'model-card.md'), 'utf8'), /Test set \(\d+ examples\): mean absolute error [\d.e+-]+, root mean squared error [\d.e+-]+, R² -?[\d.]+\./);
    }
  });
});

test('train --model on a trained folder fine-tunes it from its weights and scaling; an imported table model keeps its inputs as given', async () => {
  await inTemp(async (dir) => {
    const first = path.join(dir, 'first');
    assert.equal(glasswing('train', '--template', 'iris-mlp', '--dataset', 'iris', '--epochs', '60', '--seed', '1', '--out', first).code, 0);
    const scratch = JSON.parse(glasswing('train', '--template', 'iris-mlp', '--dataset', 'iris', '--epochs', '1', '--seed', '1', '--json').stdout.split('\n')[0]!);
    const again = glasswing('train', '--model', first, '--dataset', 'iris', '--epochs', '1', '--seed', '1', '--json', '--out', path.join(dir, 'again'));
    assert.equal(again.code, 0, again.stderr);
    const tuned = JSON.parse(again.stdout.split('\n')[0]!);
    assert.ok(tuned.loss < scratch.loss / 2, `fine-tuning starts where the model was (loss ${tuned.loss} vs ${scratch.loss} from scratch)`);
    const meta = async (m: string) => JSON.parse(await readFile(path.join(m, 'model.json'), 'utf8')).userDefinedMetadata.glasswing.preprocessing;
    assert.deepEqual((await meta(path.join(dir, 'again'))).mean, (await meta(first)).mean);
    // Glasswing's ONNX export keeps its scaling in preprocessing.json beside it; fine-tuning keeps it.
    assert.equal(glasswing('export', '--model', first, '--format', 'onnx', '--out', path.join(dir, 'onnx')).code, 0);
    const fromExport = glasswing('train', '--model', path.join(dir, 'onnx', 'model.onnx'), '--dataset', 'iris', '--epochs', '1', '--lr', '1e-7', '--out', path.join(dir, 'ft-export'));
    assert.equal(fromExport.code, 0, fromExport.stderr);
    assert.deepEqual((await meta(path.join(dir, 'ft-export'))).mean, (await meta(first)).mean);
    // Another ONNX file takes its inputs as given (no scaling): fine-tuning it must not start scaling them.
    await rm(path.join(dir, 'onnx', 'preprocessing.json'));
    const ft = glasswing('train', '--model', path.join(dir, 'onnx', 'model.onnx'), '--dataset', 'iris', '--epochs', '1', '--lr', '1e-7', '--out', path.join(dir, 'ft'));
    assert.equal(ft.code, 0, ft.stderr);
    const p = await meta(path.join(dir, 'ft'));
    assert.deepEqual([...new Set(p.mean)], [0]);
    assert.deepEqual([...new Set(p.std)], [1]);
  });
});

test('predict from a CSV whose header misses one of the model columns names it instead of reading by position', async () => {
  await inTemp(async (dir) => {
    const model = path.join(dir, 'm');
    assert.equal(glasswing('train', '--template', 'iris-mlp', '--dataset', 'iris', '--epochs', '2', '--out', model).code, 0);
    const names = JSON.parse(await readFile(path.join(model, 'model.json'), 'utf8')).userDefinedMetadata.glasswing.preprocessing.featureNames as string[];
    const typo = [...names.slice(1).reverse(), `${names[0]}_typo`];
    await writeFile(path.join(dir, 'rows.csv'), `${typo.join(',')}\n0.2,1.4,3.5,5.1\n`);
    const r = glasswing('predict', '--model', model, '--input', path.join(dir, 'rows.csv'));
    assert.equal(r.code, 2);
    assert.match(r.stderr, new RegExp(`rows\\.csv has no column "${names[0]!.replace(/[()]/g, '\\$&')}", which the model takes \\(the header also names "${names[0]}_typo"\\)`));
  });
});

test('evaluate takes data of one class; train --out that is a file is refused before training', async () => {
  await inTemp(async (dir) => {
    const model = path.join(dir, 'm');
    assert.equal(glasswing('train', '--template', 'iris-mlp', '--dataset', 'iris', '--epochs', '2', '--out', model).code, 0);
    const names = JSON.parse(await readFile(path.join(model, 'model.json'), 'utf8')).userDefinedMetadata.glasswing.preprocessing.featureNames as string[];
    const rows = [[...names, 'label'].join(',')];
    for (let i = 0; i < 20; i++) rows.push(`5.${i % 10},3.4,1.4,0.2,setosa`);
    await writeFile(path.join(dir, 'one.csv'), rows.join('\n') + '\n');
    const r = glasswing('evaluate', '--model', model, '--dataset', path.join(dir, 'one.csv'), '--json');
    assert.equal(r.code, 0, r.stderr);
    assert.equal(JSON.parse(r.stdout).examples, 20);
    await writeFile(path.join(dir, 'notes.txt'), 'mine');
    const started = Date.now();
    const out = glasswing('train', '--template', 'iris-mlp', '--dataset', 'iris', '--epochs', '500', '--out', path.join(dir, 'notes.txt'));
    assert.equal(out.code, 2);
    assert.match(out.stderr, /--out .*notes\.txt is a file, not a folder/);
    assert.ok(Date.now() - started < 60_000, 'refused before 500 epochs of training');
    assert.equal(await readFile(path.join(dir, 'notes.txt'), 'utf8'), 'mine');
  });
});

test('tune --study of another dataset is refused, not resumed', async () => {
  await inTemp(async (dir) => {
    const study = path.join(dir, 'study.json');
    assert.equal(glasswing('tune', '--template', 'iris-mlp', '--dataset', 'iris', '--trials', '1', '--epochs', '1', '--study', study).code, 0);
    await writeFile(path.join(dir, 'reg.csv'), regressionCsv(100));
    const r = glasswing('tune', '--template', 'iris-mlp', '--dataset', path.join(dir, 'reg.csv'), '--trials', '1', '--epochs', '1', '--study', study);
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, /The study study holds a search of the dataset "iris"; this one tunes "reg\.csv"\. Give the study another name/);
  });
});

test('a regression target with two stray words, and numbers with decimal commas, are named instead of read as classes and categories', async () => {
  await inTemp(async (dir) => {
    const lines = regressionCsv(120).split('\n');
    lines[10] = lines[10]!.replace(/[^,]+$/, 'n/a');
    lines[20] = lines[20]!.replace(/[^,]+$/, 'high');
    await writeFile(path.join(dir, 'stray.csv'), lines.join('\n'));
    for (const cmd of [['dataset', 'inspect'], ['train', '--template', 'iris-mlp', '--dataset']]) {
      const r = glasswing(...cmd, path.join(dir, 'stray.csv'));
      assert.notEqual(r.code, 0);
      assert.match(r.stdout + r.stderr, /stray\.csv line 11, column "y": "n\/a" is not a number, nor is 1 other label, while the other 118 are numbers/);
    }
    assert.equal(glasswing('dataset', 'inspect', path.join(dir, 'stray.csv'), '--task', 'classification').code, 0);
    const regression = glasswing('dataset', 'inspect', path.join(dir, 'stray.csv'), '--task', 'regression');
    assert.notEqual(regression.code, 0);
    assert.match(regression.stdout + regression.stderr, /"n\/a" is not a number, so the label cannot be a regression target/);
    await writeFile(path.join(dir, 'euro.csv'), 'a;b;label\n5,1;3,5;x\n4,9;3,0;y\n4,7;3,2;x\n4,6;3,1;y\n');
    const euro = glasswing('dataset', 'inspect', path.join(dir, 'euro.csv'));
    assert.notEqual(euro.code, 0);
    assert.match(euro.stdout + euro.stderr, /column "a": values like "\d,\d" are numbers written with a decimal comma/);
  });
});

test('a PyTorch .pt says to export ONNX; a negative flag value gets its own check; an unseen category is warned about; extra CSV columns are ignored by name', async () => {
  await inTemp(async (dir) => {
    await writeFile(path.join(dir, 'model.pt'), Buffer.from('PK\x03\x04 pickled'));
    for (const cmd of [['predict', '--input', '1,2,3,4'], ['summary'], ['train', '--dataset', 'iris']]) {
      const r = glasswing(cmd[0]!, '--model', path.join(dir, 'model.pt'), ...cmd.slice(1));
      assert.equal(r.code, 2, cmd.join(' '));
      assert.match(r.stderr, /model\.pt is a PyTorch file \(pickled Python objects\), which only Python can read\. Export the model to ONNX/);
    }
    const negative = glasswing('train', '--template', 'iris-mlp', '--dataset', 'iris', '--epochs', '-1');
    assert.equal(negative.code, 2);
    assert.match(negative.stderr, /--epochs: .*-1/);
    assert.doesNotMatch(negative.stderr, /ambiguous/);

    const rows = ['size,color,label'];
    for (let i = 0; i < 60; i++) rows.push(`${(i % 10) / 2},${['red', 'green', 'blue'][i % 3]},${i % 3 === 0 ? 'a' : 'b'}`);
    await writeFile(path.join(dir, 'cat.csv'), rows.join('\n') + '\n');
    const model = path.join(dir, 'm');
    assert.equal(glasswing('train', '--template', 'iris-mlp', '--dataset', path.join(dir, 'cat.csv'), '--epochs', '2', '--out', model).code, 0);
    const unseen = glasswing('predict', '--model', model, '--input', '2,purple');
    assert.equal(unseen.code, 0, unseen.stderr);
    assert.match(unseen.stderr, /warning: column "color": "purple" was not seen in training; read as none of its categories\./);
    await writeFile(path.join(dir, 'extra.csv'), ['size,note,color,label', ...rows.slice(1).map((r) => r.replace(',', ',x,'))].join('\n') + '\n');
    const extra = glasswing('evaluate', '--model', model, '--dataset', path.join(dir, 'extra.csv'), '--json');
    assert.equal(extra.code, 0, extra.stderr);
    assert.equal(JSON.parse(extra.stdout).examples, 60);
  });
});
