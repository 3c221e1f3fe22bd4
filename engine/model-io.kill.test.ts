// `train --out` killed at any moment while saving never leaves a folder that loads with files of
// two different saves: 50 seeded kills of a process that saves two different models (with their
// metrics.json) into one folder over and over. After each kill the folder either loads, and its
// weights and metrics belong to the same save, or it does not exist yet; the next save clears
// whatever the killed one left behind.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { loadModel, saveModel } from './model-io';
import { seededRandom } from '../compute/random';
import { tf } from './backends';

const TRIES = 50;

function runUntilKilled(dir: string, delayMs: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', path.join(__dirname, 'test-support', 'save-loop.ts'), dir], { stdio: ['ignore', 'pipe', 'inherit'] });
    child.stdout.on('data', (d) => {
      if (String(d).includes('ready')) setTimeout(() => child.kill('SIGKILL'), delayMs);
    });
    child.on('error', reject);
    child.on('exit', () => resolve());
  });
}

test(`a model folder killed mid-save ${TRIES} times never loads with mismatched files`, async () => {
  const root = await mkdtemp(path.join(tmpdir(), 'gw-kill-'));
  const random = seededRandom(2024);
  await tf.setBackend('cpu');
  let loaded = 0;
  try {
    for (let t = 0; t < TRIES; t++) {
      const dir = path.join(root, 'model');
      await runUntilKilled(dir, Math.floor(random() * 120));
      let result;
      try {
        result = await loadModel(dir);
      } catch (e) {
        // Only "not there" is acceptable: between two renames the folder is briefly absent.
        assert.match((e as Error).message, /does not exist/, `try ${t}`);
        continue;
      }
      loaded++;
      const first = result.model.getWeights()[0]!.dataSync()[0];
      const metrics = JSON.parse(await readFile(path.join(dir, 'metrics.json'), 'utf8')) as { model: number };
      assert.equal(first, metrics.model, `try ${t}: the weights and metrics.json come from one save`);
      result.model.dispose();
    }
    assert.ok(loaded >= TRIES / 2, `the folder loaded after ${loaded} of ${TRIES} kills`);
    // The next save removes what interrupted ones left beside the folder.
    const survivor = await loadModel(path.join(root, 'model')).catch(() => null);
    if (survivor) {
      await saveModel(survivor.model, path.join(root, 'model'), survivor.metadata!);
      assert.deepEqual((await readdir(root)).sort(), ['model']);
    }
  } finally {
    await rm(root, { recursive: true, force: true });
  }
});
