// The CLI as a user runs it: a separate process, exit codes, one-line errors, files on disk.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import * as tfl from '@tensorflow/tfjs-layers';

const bin = path.join(__dirname, '..', 'bin', 'glasswing.cjs');

function glasswing(...args: string[]) {
  const r = spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8', timeout: 120_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

test('summary reports the parameter counts Keras does', () => {
  for (const [template, params] of [['lenet5', 61_706], ['mnist-mlp', 203_530], ['iris-mlp', 191]] as const) {
    const r = glasswing('summary', '--template', template, '--json');
    assert.equal(r.code, 0, r.stderr);
    const s = JSON.parse(r.stdout);
    assert.equal(s.totalParams, params);
    assert.equal(s.trainableParams, params);
    for (const l of s.layers) assert.deepEqual(Object.keys(l).slice(0, 4), ['name', 'className', 'outputShape', 'params']);
  }
  const lenet = JSON.parse(glasswing('summary', '--template', 'lenet5', '--json').stdout);
  assert.deepEqual(lenet.layers[0].outputShape, [null, 28, 28, 6]);
  assert.deepEqual(lenet.layers[4].outputShape, [null, 400]);
});

test('every command has --help and exits 0', () => {
  for (const cmd of ['summary', 'train', 'evaluate', 'predict', 'serve', 'bench', 'dataset', 'featuremaps', 'gradcam', 'tune', 'export']) {
    const r = glasswing(cmd, '--help');
    assert.equal(r.code, 0, cmd);
    assert.match(r.stdout, new RegExp(`^Usage: glasswing ${cmd}`));
  }
});

test('bad input gives one line on stderr and a non-zero exit, without a stack trace', async () => {
  const dir = await mkdtemp(path.join(tmpdir(), 'gw-cli-'));
  try {
    await writeFile(path.join(dir, 'nolabel.csv'), 'a,b\n1,2\n3,4\n');
    await writeFile(path.join(dir, 'text.csv'), 'a,b,label\n1,2,x\n3,oops,y\n5,6,x\n');
    const cases: [string[], RegExp][] = [
      [['summary', '--template', 'nope'], /Unknown template "nope"/],
      [['train', '--template', 'iris-mlp', '--dataset', path.join(dir, 'missing.csv')], /missing\.csv does not exist/],
      [['train', '--template', 'iris-mlp', '--dataset', path.join(dir, 'nolabel.csv'), '--label', 'species'], /no column "species"/],
      [['train', '--template', 'iris-mlp', '--dataset', path.join(dir, 'text.csv')], /text\.csv line 3, column "b": "oops" is not a number/],
      [['train', '--template', 'iris-mlp', '--dataset', 'iris', '--epochs', 'ten'], /--epochs must be a whole number/],
      [['train', '--template', 'iris-mlp', '--dataset', 'iris', '--frobnicate'], /Unknown option '--frobnicate'/],
      [['frobnicate'], /Unknown command "frobnicate"/],
    ];
    for (const [args, message] of cases) {
      const r = glasswing(...args);
      assert.notEqual(r.code, 0, args.join(' '));
      assert.match(r.stderr, message, args.join(' '));
      assert.equal(r.stderr.trim().split('\n').length, 1, `one line for ${args.join(' ')}: ${r.stderr}`);
      assert.doesNotMatch(r.stderr, /    at /);
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('train writes a model stock TF.js loads and that predicts the same classes', async () => {
  const dir = await mkdtemp(path.join(tmpdir(), 'gw-train-'));
  try {
    const r = glasswing('train', '--template', 'iris-mlp', '--dataset', 'iris', '--epochs', '100', '--batch-size', '16', '--seed', '1', '--out', dir, '--json');
    assert.equal(r.code, 0, r.stderr);
    const lines = r.stdout.trim().split('\n').map((l) => JSON.parse(l));
    assert.equal(lines.length, 100);
    assert.deepEqual(Object.keys(lines[0]), ['epoch', 'loss', 'accuracy', 'valLoss', 'valAccuracy', 'samplesPerSec']);
    const metrics = JSON.parse(await readFile(path.join(dir, 'metrics.json'), 'utf8'));
    assert.ok(metrics.test.accuracy >= 0.9, `test accuracy ${metrics.test.accuracy}`);
    assert.ok(['cpu', 'wasm', 'tensorflow'].includes(metrics.backend));
    assert.equal(metrics.history.length, 100);
    for (const k of ['accuracy', 'precision', 'recall', 'f1', 'confusion', 'classes']) assert.ok(k in metrics.test, k);

    // Stock TF.js, over plain HTTP, exactly as a web page would load it.
    const server = createServer(async (req, res) => {
      try {
        res.end(await readFile(path.join(dir, path.basename(req.url ?? ''))));
      } catch {
        res.statusCode = 404;
        res.end();
      }
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const port = (server.address() as { port: number }).port;
      await tf.setBackend('cpu');
      const model = await tfl.loadLayersModel(`http://127.0.0.1:${port}/model.json`);
      const meta = (model.getUserDefinedMetadata() as { glasswing: { preprocessing: { mean: number[]; std: number[] }; classes: string[] } }).glasswing;
      const rows = [[5.1, 3.5, 1.4, 0.2], [6.0, 2.7, 4.1, 1.0], [6.7, 3.0, 5.2, 2.3]];
      const scaled = rows.map((r) => r.map((v, j) => (v - meta.preprocessing.mean[j]!) / meta.preprocessing.std[j]!));
      const probs = (model.predict(tf.tensor2d(scaled)) as tf.Tensor).arraySync() as number[][];
      const stockClasses = probs.map((p) => meta.classes[p.indexOf(Math.max(...p))]);
      const cli = rows.map((row) => JSON.parse(glasswing('predict', '--model', dir, '--input', row.join(','), '--json').stdout).class);
      assert.deepEqual(stockClasses, cli);
      assert.deepEqual(stockClasses, ['setosa', 'versicolor', 'virginica']);
    } finally {
      server.close();
    }

    const evaluation = glasswing('evaluate', '--model', dir, '--dataset', 'iris', '--json');
    assert.equal(evaluation.code, 0, evaluation.stderr);
    const ev = JSON.parse(evaluation.stdout);
    assert.equal(ev.examples, 150);
    assert.ok(ev.accuracy > 0.9);

    const wrong = glasswing('predict', '--model', dir, '--input', '1,2,3');
    assert.equal(wrong.code, 2);
    assert.match(wrong.stderr, /has 3 values; the model expects 4/);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('train on a regression CSV prints test MAE, RMSE and R² and writes them to metrics.json', async () => {
  const dir = await mkdtemp(path.join(tmpdir(), 'gw-regression-'));
  try {
    // y = 3·a − 2·b + 0.5·c plus a little noise: a linear target a small MLP learns in a few epochs.
    let seed = 7;
    const rand = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    const rows = ['a,b,c,price'];
    for (let i = 0; i < 400; i++) {
      const [a, b, c] = [rand() * 10, rand() * 10, rand() * 10];
      rows.push(`${a.toFixed(3)},${b.toFixed(3)},${c.toFixed(3)},${(3 * a - 2 * b + 0.5 * c + (rand() - 0.5)).toFixed(3)}`);
    }
    const csv = path.join(dir, 'prices.csv');
    await writeFile(csv, rows.join('\n') + '\n');
    const out = path.join(dir, 'model');
    const r = glasswing('train', '--template', 'iris-mlp', '--dataset', csv, '--label', 'price', '--epochs', '60', '--lr', '0.01', '--seed', '1', '--out', out);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /test: MAE [\d.]+ {2}RMSE [\d.]+ {2}R² [-\d.]+ {2}\(\d+ examples\)/);
    const metrics = JSON.parse(await readFile(path.join(out, 'metrics.json'), 'utf8'));
    for (const k of ['mae', 'rmse', 'r2', 'examples']) assert.ok(typeof metrics.test[k] === 'number', k);
    assert.ok(metrics.test.r2 > 0.8, `R² ${metrics.test.r2}`);
    assert.ok(metrics.test.rmse >= metrics.test.mae);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('bench with only an unavailable backend says why in one line and runs nothing (no PyTorch either)', () => {
  const r = spawnSync(process.execPath, [bin, 'bench', '--backend', 'webgpu', '--model', 'iris-mlp', '--rounds', '1'], {
    encoding: 'utf8',
    timeout: 120_000,
    env: { ...process.env, GLASSWING_DAWN: '/nonexistent/webgpu/index.js' },
  });
  assert.equal(r.status, 1, r.stderr);
  assert.match(r.stderr, /^bench: the webgpu backend is not available on this machine \(webgpu: Dawn for Node is not installed \(npm install --no-save webgpu/);
  assert.doesNotMatch(r.stderr, /PyTorch/);
  assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
  const bad = glasswing('bench', '--backend', 'wasm,cuda');
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /--backend must be one or more of cpu, wasm, tensorflow, webgpu, auto; got "cuda"/);
});
