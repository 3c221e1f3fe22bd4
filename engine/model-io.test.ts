// What a model.json may make the engine read, which folders a save may replace whole, and atomic
// writes under concurrent saves and long names.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readdir, readFile, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import * as tfl from '@tensorflow/tfjs-layers';
import { isModelFolder, loadModel, saveModel, writeFileAtomic } from './model-io';
import { Places } from './files/places';
import { tf } from './backends';

async function savedModel(dir: string): Promise<void> {
  await tf.setBackend('cpu');
  const model = tfl.sequential({ layers: [tfl.layers.dense({ units: 2, inputShape: [3] })] });
  await saveModel(model, dir, { formatVersion: 1, task: 'classification', classes: ['a', 'b'], inputShape: [3], preprocessing: { kind: 'none' } as never });
  model.dispose();
}

test("a model.json's weight paths stay in its folder: no '..', absolute paths, links out or devices", async () => {
  const root = await mkdtemp(path.join(tmpdir(), 'gw-weights-'));
  const dir = path.join(root, 'model');
  await savedModel(dir);
  const secret = path.join(root, 'secret.bin');
  await writeFile(secret, new Uint8Array(32));
  await symlink(secret, path.join(dir, 'link.bin'));
  const json = JSON.parse(await readFile(path.join(dir, 'model.json'), 'utf8'));
  (await loadModel(dir)).model.dispose();
  for (const p of ['../secret.bin', secret, 'sub/../../secret.bin', '..\\secret.bin', 'link.bin', '/dev/zero', '']) {
    // No hash: the loader must refuse by the path itself, not because the bytes differ.
    const hostile = { ...json, userDefinedMetadata: {}, weightsManifest: [{ ...json.weightsManifest[0], paths: [p] }] };
    await writeFile(path.join(dir, 'model.json'), JSON.stringify(hostile));
    await assert.rejects(loadModel(dir), /not in the model's folder|does not exist/, p);
  }
  await writeFile(path.join(dir, 'model.json'), JSON.stringify({ ...json, weightsManifest: [{ weights: [] }] }));
  await assert.rejects(loadModel(dir), /each weightsManifest entry needs a list of paths/);
  // A weights file in a subfolder of the model's folder is still the model's.
  await mkdir(path.join(dir, 'shards'));
  await writeFile(path.join(dir, 'shards', 'w.bin'), await readFile(path.join(dir, 'weights.bin')));
  await writeFile(path.join(dir, 'model.json'), JSON.stringify({ ...json, weightsManifest: [{ ...json.weightsManifest[0], paths: ['shards/w.bin'] }] }));
  (await loadModel(dir)).model.dispose();
});

test('a folder with hidden files of its own (.git, .env) is not replaced whole by a save or an export', async () => {
  assert.equal(isModelFolder(['model.json', 'weights.bin', '.DS_Store', '.model.json.4242.1a2b3c4d5e6f.tmp', '.weights.bin.17.1733220000000.tmp']), true);
  assert.equal(isModelFolder(['model.json', '.git']), false);
  assert.equal(isModelFolder(['model.json', '.env']), false);
  const root = await mkdtemp(path.join(tmpdir(), 'gw-export-'));
  const dir = path.join(root, 'repo');
  await mkdir(path.join(dir, '.git'), { recursive: true });
  await writeFile(path.join(dir, '.git', 'HEAD'), 'ref: refs/heads/main\n');
  await writeFile(path.join(dir, '.env'), 'TOKEN=1\n');
  await assert.rejects(new Places().claimFolder(dir, isModelFolder), /already holds files Glasswing did not write \(\.env, \.git\)|already holds files Glasswing did not write \(\.git, \.env\)/);
  // Confirmed: Glasswing's files are added beside the user's, which stay.
  await savedModel(dir);
  assert.deepEqual((await readdir(dir)).sort(), ['.env', '.git', 'model.json', 'weights.bin']);
  assert.equal(await readFile(path.join(dir, '.git', 'HEAD'), 'utf8'), 'ref: refs/heads/main\n');
});

test('atomic writes: concurrent saves of one file all succeed and leave one of them; long names work up to the limit', async () => {
  const root = await mkdtemp(path.join(tmpdir(), 'gw-atomic-'));
  const file = path.join(root, 'project.glasswing.json');
  const texts = Array.from({ length: 40 }, (_, i) => `save ${i} `.repeat(2000));
  await Promise.all(texts.map((t) => writeFileAtomic(file, t)));
  assert.ok(texts.includes(await readFile(file, 'utf8')));
  assert.deepEqual(await readdir(root), ['project.glasswing.json'], 'no temporary files left');
  const longest = path.join(root, `${'a'.repeat(250)}.json`);
  await writeFileAtomic(longest, 'ok');
  assert.equal(await readFile(longest, 'utf8'), 'ok');
  await assert.rejects(writeFileAtomic(path.join(root, `${'a'.repeat(300)}.json`), 'no'), /too long \(305 bytes; at most 255\)/);
});
