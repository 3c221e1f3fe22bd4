// Uploads from a browser page: a file larger than one message (a trained model) arrives in pieces
// at their offsets; a piece with bytes missing before it is refused; a retried piece is harmless.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Engine } from '../engine';
import { Places } from '../files/places';
import { Router } from '../../common/ipc/router';

test('a large file arrives in pieces at their offsets, and only in order', async () => {
  const home = mkdtempSync(path.join(tmpdir(), 'gw-upload-'));
  process.env['GLASSWING_PROJECTS_DIR'] = home;
  const engine = new Engine(() => undefined, 'web', {}, { places: new Places() });
  const router = new Router(engine.handlers, { isTrustedSender: () => true });
  const call = async (payload: unknown) => router.handle('datasets.upload', payload, { origin: 'test' });
  const bytes = Buffer.from(Array.from({ length: 3000 }, (_, i) => i % 251));
  const piece = (from: number, to: number) => bytes.subarray(from, to).toString('base64');
  const first = await call({ name: 'resnet18', files: [{ path: 'resnet18.onnx', base64: piece(0, 1000) }], fresh: true });
  assert.ok(first.ok);
  const folder = (first as { value: { name: string; ref: string } }).value;
  assert.ok((await call({ name: folder.name, files: [{ path: 'resnet18.onnx', base64: piece(1000, 2000), offset: 1000 }], fresh: false })).ok);
  // The same piece again (a retry): nothing changes.
  assert.ok((await call({ name: folder.name, files: [{ path: 'resnet18.onnx', base64: piece(1000, 2000), offset: 1000 }], fresh: false })).ok);
  const gap = await call({ name: folder.name, files: [{ path: 'resnet18.onnx', base64: piece(2500, 3000), offset: 2500 }], fresh: false });
  assert.equal(gap.ok, false);
  assert.match((gap as { error: { message: string } }).error.message, /missing bytes before 2500/);
  assert.ok((await call({ name: folder.name, files: [{ path: 'resnet18.onnx', base64: piece(2000, 3000), offset: 2000 }], fresh: false })).ok);
  assert.deepEqual(readFileSync(path.join(folder.ref, 'resnet18.onnx')), bytes);
  // A piece for a file this upload never started is refused too.
  const stray = await call({ name: folder.name, files: [{ path: 'other.onnx', base64: piece(0, 10), offset: 10 }], fresh: false });
  assert.equal(stray.ok, false);
});
