// Uploads from a browser page: a file larger than one message (a trained model) arrives in pieces
// at their offsets; a piece with bytes missing before it is refused; a retried piece is harmless.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
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

test('upload mistakes get a message naming the path inside the upload, and a failed first piece leaves no folder', async () => {
  const home = mkdtempSync(path.join(tmpdir(), 'gw-upload-'));
  process.env['GLASSWING_PROJECTS_DIR'] = home;
  const engine = new Engine(() => undefined, 'web', {}, { places: new Places() });
  const router = new Router(engine.handlers, { isTrustedSender: () => true });
  const call = async (payload: unknown) => router.handle('datasets.upload', payload, { origin: 'test' });
  const error = (r: Awaited<ReturnType<typeof call>>) => (r.ok ? assert.fail('expected a refusal') : r.error);
  const b64 = (s: string) => Buffer.from(s).toString('base64');
  // Junk that base64 decoding would silently turn into other (or no) bytes.
  for (const junk of ['!!!@@@###', 'YWJj ZA==', 'YWJjZA']) {
    const e = error(await call({ name: 'junk', files: [{ path: 'a.csv', base64: junk }], fresh: true }));
    assert.equal(e.code, 'invalid-payload');
    assert.match(e.message, /base64/);
  }
  const first = await call({ name: 'pets', files: [{ path: 'cats/a.png', base64: b64('x') }], fresh: true });
  assert.ok(first.ok);
  const folder = (first as { value: { name: string; ref: string } }).value;
  const cases: [string, RegExp][] = [
    ['cats', /"cats" is a folder in this upload/],
    ['cats/a.png/b.png', /a folder on the way to "cats\/a.png\/b.png" is a file in this upload/],
    ['.glasswing-upload', /keeps for itself/],
    [`${'n'.repeat(300)}.png`, /longer than 255 bytes/],
  ];
  for (const [p, message] of cases) {
    const e = error(await call({ name: folder.name, files: [{ path: p, base64: b64('y') }], fresh: false }));
    assert.equal(e.code, 'bad-input', p);
    assert.match(e.message, message);
    assert.doesNotMatch(e.message, new RegExp(home.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')), 'no server paths in the message');
  }
  assert.deepEqual(readFileSync(path.join(folder.ref, 'cats', 'a.png'), 'utf8'), 'x');
  // A first piece that fails (its second file collides with its first) leaves no half-made upload.
  const before = readdirSync(path.join(home, 'uploads')).sort();
  const e = error(await call({ name: 'broken', files: [{ path: 'x/a.png', base64: b64('1') }, { path: 'x', base64: b64('2') }], fresh: true }));
  assert.equal(e.code, 'bad-input');
  assert.deepEqual(readdirSync(path.join(home, 'uploads')).sort(), before);
});
