import { test, mock } from 'node:test';
import assert from 'node:assert/strict';
import fsp from 'node:fs/promises';
import { readdir, utimes, writeFile, mkdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { loadImageFolder } from './image-folder';
import { loadDataset, importDataset } from './load';
import { DataError, ImportCancelledError, type ImportProgress } from './dataset';
import { bmp24, bmp8, tempDir, writeImage } from './test-fixtures';
import { imageForModel } from '../image-input';

const RED: [number, number, number] = [200, 30, 10];
const BLUE: [number, number, number] = [10, 40, 220];

/** cats/ and dogs/ in every format, plus files that must be skipped. */
async function makeFolder(dir: string): Promise<void> {
  await writeImage(path.join(dir, 'cats', 'a.png'), 8, 8, RED);
  await writeImage(path.join(dir, 'cats', 'b.jpg'), 16, 12, RED, 'jpeg');
  await writeImage(path.join(dir, 'cats', 'c.webp'), 8, 8, RED, 'webp');
  await writeFile(path.join(dir, 'cats', 'd.bmp'), bmp24(5, 3, RED));
  await writeImage(path.join(dir, 'dogs', 'a.png'), 8, 8, BLUE);
  await writeImage(path.join(dir, 'dogs', 'b.gif'), 8, 8, BLUE, 'gif');
  await writeImage(path.join(dir, 'dogs', 'nested', 'c.tiff'), 8, 8, BLUE, 'tiff');
  await writeFile(path.join(dir, 'dogs', 'notes.txt'), 'not an image');
  await writeFile(path.join(dir, 'dogs', '.DS_Store'), 'ignored quietly');
  // A truncated PNG and random bytes named .jpg.
  const png = await readFile(path.join(dir, 'dogs', 'a.png'));
  await writeFile(path.join(dir, 'dogs', 'truncated.png'), png.subarray(0, Math.floor(png.length / 2)));
  await writeFile(path.join(dir, 'cats', 'corrupt.jpg'), Buffer.from('this is not a jpeg at all, just text'));
}

test('every format imports; non-images, corrupt and truncated images are skipped and listed; progress reports rate and ETA', async () => {
  const { dir, cleanup } = await tempDir();
  try {
    await makeFolder(dir);
    const progress: ImportProgress[] = [];
    const { dataset, report } = await loadImageFolder(dir, { height: 4, width: 4, color: 'rgb', cacheDir: false, onProgress: (_d, _t, p) => progress.push(p) });
    assert.deepEqual(dataset.classes, ['cats', 'dogs']);
    assert.equal(dataset.count, 7);
    assert.deepEqual(Array.from(dataset.y), [0, 0, 0, 0, 1, 1, 1]);
    assert.ok(dataset.x instanceof Uint8Array);
    assert.equal(dataset.x.length, 7 * 4 * 4 * 3);
    assert.deepEqual(dataset.inputShape, [4, 4, 3]);
    // Lossless formats keep their colour exactly (BMP through our own decoder); JPEG nearly.
    for (const i of [0, 2, 3]) assert.deepEqual(Array.from(dataset.x.subarray(i * 48, i * 48 + 3)), RED, `cats image ${i}`);
    for (const i of [4, 5]) assert.deepEqual(Array.from(dataset.x.subarray(i * 48, i * 48 + 3)), BLUE, `dogs image ${i}`);
    // JPEG, and TIFF (sharp writes it JPEG-compressed), nearly.
    for (const [i, color] of [[1, RED], [6, BLUE]] as const) {
      const got = Array.from(dataset.x.subarray(i * 48, i * 48 + 3));
      got.forEach((v, k) => assert.ok(Math.abs(v - color[k]!) <= 4, `image ${i}: ${got}`));
    }
    const skipped = Object.fromEntries(report.skipped.map((s) => [s.file, s.reason]));
    assert.deepEqual(Object.keys(skipped).sort(), [path.join('cats', 'corrupt.jpg'), path.join('dogs', 'notes.txt'), path.join('dogs', 'truncated.png')]);
    assert.equal(skipped[path.join('dogs', 'notes.txt')], 'not an image file');
    assert.match(skipped[path.join('cats', 'corrupt.jpg')]!, /^not an image/);
    assert.match(skipped[path.join('dogs', 'truncated.png')]!, /^corrupt or truncated image/);
    assert.equal(report.found, 10);
    assert.equal(report.imported, 7);
    const last = progress.at(-1)!;
    assert.equal(last.phase, 'done');
    assert.equal(last.done, 10);
    assert.equal(last.total, 10);
    assert.equal(last.skipped, 3);
    assert.ok(last.rate > 0);
    assert.equal(last.etaSeconds, 0);
  } finally {
    await cleanup();
  }
});

test('grayscale and resizing go through the one image path (BT.601 luma, bilinear), rounded to bytes', async () => {
  const { dir, cleanup } = await tempDir();
  try {
    const grad = (x: number, y: number): [number, number, number] => [x * 20, y * 25, 100];
    await writeImage(path.join(dir, 'a', '1.png'), 10, 7, grad);
    await writeImage(path.join(dir, 'b', '1.png'), 10, 7, BLUE);
    const { dataset } = await loadImageFolder(dir, { height: 5, width: 4, color: 'grayscale', cacheDir: false });
    const expected = await imageForModel(path.join(dir, 'a', '1.png'), [5, 4, 1]);
    assert.deepEqual(Array.from(dataset.x.subarray(0, 20)), Array.from(expected, (v) => Math.round(v)));
    assert.equal(dataset.x[20], Math.round(0.299 * BLUE[0] + 0.587 * BLUE[1] + 0.114 * BLUE[2]));
  } finally {
    await cleanup();
  }
});

test('the cache makes re-opening instant and reuses unchanged images when some change', async () => {
  const { dir, cleanup } = await tempDir();
  try {
    for (let i = 0; i < 6; i++) await writeImage(path.join(dir, i % 2 ? 'odd' : 'even', `${i}.png`), 6, 6, [i * 40, 0, 0]);
    await writeFile(path.join(dir, 'odd', 'junk.txt'), 'x');
    const first = await loadImageFolder(dir, { height: 6, width: 6, color: 'rgb' });
    assert.equal(first.report.fromCache, false);
    assert.ok(first.report.cacheFile?.startsWith(path.join(dir, '.glasswing-cache')));
    assert.ok((await readdir(path.join(dir, '.glasswing-cache'))).some((f) => f.endsWith('.json')));
    const second = await loadImageFolder(dir, { height: 6, width: 6, color: 'rgb' });
    assert.equal(second.report.fromCache, true);
    assert.deepEqual(Array.from(second.dataset.x), Array.from(first.dataset.x));
    assert.deepEqual(Array.from(second.dataset.y), Array.from(first.dataset.y));
    assert.deepEqual(second.report.skipped, first.report.skipped);
    // Another size is another cache entry.
    assert.equal((await loadImageFolder(dir, { height: 3, width: 3, color: 'rgb' })).report.fromCache, false);
    // Change one image and add one: the other five come from the cache.
    await writeImage(path.join(dir, 'even', '0.png'), 6, 6, [255, 255, 255]);
    await utimes(path.join(dir, 'even', '0.png'), new Date(), new Date(Date.now() + 5000));
    await writeImage(path.join(dir, 'odd', '7.png'), 6, 6, [1, 2, 3]);
    const third = await loadImageFolder(dir, { height: 6, width: 6, color: 'rgb' });
    assert.equal(third.report.fromCache, false);
    assert.equal(third.report.reused, 5);
    assert.equal(third.dataset.count, 7);
    assert.deepEqual(Array.from(third.dataset.x.subarray(0, 3)), [255, 255, 255]);
    const fresh = await loadImageFolder(dir, { height: 6, width: 6, color: 'rgb', cacheDir: false });
    assert.deepEqual(Array.from(third.dataset.x), Array.from(fresh.dataset.x));
  } finally {
    await cleanup();
  }
});

test('a read-only dataset folder caches in the user cache folder instead', async () => {
  const { dir, cleanup } = await tempDir();
  const cache = await tempDir('glasswing-cache-');
  const previous = process.env['GLASSWING_CACHE_DIR'];
  process.env['GLASSWING_CACHE_DIR'] = cache.dir;
  // Root ignores permissions, so the folder's cache is blocked by a file of that name instead.
  try {
    await writeImage(path.join(dir, 'a', '1.png'), 4, 4, RED);
    await writeImage(path.join(dir, 'b', '1.png'), 4, 4, BLUE);
    await writeFile(path.join(dir, '.glasswing-cache'), 'not a folder');
    const first = await loadImageFolder(dir, { height: 4, width: 4 });
    assert.ok(first.report.cacheFile?.startsWith(cache.dir), String(first.report.cacheFile));
    assert.equal((await loadImageFolder(dir, { height: 4, width: 4 })).report.fromCache, true);
  } finally {
    if (previous === undefined) delete process.env['GLASSWING_CACHE_DIR'];
    else process.env['GLASSWING_CACHE_DIR'] = previous;
    await cleanup();
    await cache.cleanup();
  }
});

test('an import can be cancelled with an AbortSignal', async () => {
  const { dir, cleanup } = await tempDir();
  try {
    for (let i = 0; i < 40; i++) await writeImage(path.join(dir, i % 2 ? 'x' : 'y', `${i}.png`), 4, 4, [i, i, i]);
    const controller = new AbortController();
    let calls = 0;
    await assert.rejects(
      loadImageFolder(dir, {
        cacheDir: false,
        concurrency: 1,
        signal: controller.signal,
        onProgress: (done) => {
          calls++;
          if (done >= 0) controller.abort();
        },
      }),
      (e: unknown) => e instanceof ImportCancelledError && e.name === 'AbortError' && /cancelled/.test(e.message),
    );
    assert.ok(calls >= 1);
    const aborted = new AbortController();
    aborted.abort();
    await assert.rejects(loadDataset(dir, { signal: aborted.signal }), ImportCancelledError);
  } finally {
    await cleanup();
  }
});

test('fewer than two classes, no readable images, a path that does not exist: DataErrors', async () => {
  const { dir, cleanup } = await tempDir();
  try {
    await mkdir(path.join(dir, 'empty'));
    await assert.rejects(loadImageFolder(path.join(dir, 'empty')), (e: unknown) => e instanceof DataError && /needs one sub-folder of images per class and at least two classes; it has none/.test(e.message));
    await writeImage(path.join(dir, 'one', 'only', '1.png'), 4, 4, RED);
    await assert.rejects(loadImageFolder(path.join(dir, 'one')), (e: unknown) => e instanceof DataError && /it has only "only"/.test(e.message));
    await mkdir(path.join(dir, 'two', 'a'), { recursive: true });
    await mkdir(path.join(dir, 'two', 'b'), { recursive: true });
    await writeFile(path.join(dir, 'two', 'a', 'x.png'), 'broken');
    await writeFile(path.join(dir, 'two', 'b', 'y.txt'), 'text');
    await assert.rejects(loadImageFolder(path.join(dir, 'two'), { cacheDir: false }), (e: unknown) => e instanceof DataError && /has no readable images \(2 files skipped/.test(e.message));
    // Readable images in one class only.
    await writeImage(path.join(dir, 'two', 'a', 'ok.png'), 4, 4, RED);
    await assert.rejects(loadImageFolder(path.join(dir, 'two'), { cacheDir: false }), (e: unknown) => e instanceof DataError && /readable images in only one class \("a"\)/.test(e.message));
    // A class folder with no readable images is left out with a warning when two others remain.
    await writeImage(path.join(dir, 'two', 'c', 'ok.png'), 4, 4, BLUE);
    const r = await loadImageFolder(path.join(dir, 'two'), { cacheDir: false });
    assert.deepEqual(r.dataset.classes, ['a', 'c']);
    assert.deepEqual(Array.from(r.dataset.y), [0, 1]);
    assert.match(r.report.warnings[0]!, /"b" has no readable images and is left out/);
    await assert.rejects(loadDataset(path.join(dir, 'nope')), (e: unknown) => e instanceof DataError && /nope does not exist/.test(e.message));
  } finally {
    await cleanup();
  }
});

test('an unreadable image (permission denied) is skipped and listed; root ignores chmod, so EACCES is simulated', async (t) => {
  const { dir, cleanup } = await tempDir();
  try {
    await writeImage(path.join(dir, 'a', '1.png'), 4, 4, RED);
    await writeImage(path.join(dir, 'a', 'locked.png'), 4, 4, RED);
    await writeImage(path.join(dir, 'b', '1.png'), 4, 4, BLUE);
    const real = fsp.readFile;
    t.mock.method(fsp, 'readFile', async (file: Parameters<typeof real>[0], ...rest: unknown[]) => {
      if (String(file).endsWith('locked.png')) throw Object.assign(new Error(`EACCES: permission denied, open '${String(file)}'`), { code: 'EACCES' });
      return (real as (...a: unknown[]) => Promise<unknown>)(file, ...rest);
    });
    const { dataset, report } = await importDataset(dir, { height: 4, width: 4, cacheDir: false });
    assert.equal(dataset.count, 2);
    assert.deepEqual(report.skipped, [{ file: path.join('a', 'locked.png'), reason: 'cannot read the file: permission denied' }]);
  } finally {
    mock.restoreAll();
    await cleanup();
  }
});

test('BMP: 24-bit bottom-up and 8-bit palette top-down decode exactly', async () => {
  const { decodeBmp } = await import('./bmp');
  const img = decodeBmp(bmp24(3, 2, (x, y) => [x * 50, y * 100, 7]));
  assert.deepEqual([img.width, img.height, img.channels], [3, 2, 3]);
  assert.deepEqual(Array.from(img.pixels.subarray(0, 9)), [0, 0, 7, 50, 0, 7, 100, 0, 7]);
  assert.deepEqual(Array.from(img.pixels.subarray(9, 12)), [0, 100, 7]);
  const pal = decodeBmp(bmp8(3, 2, [[255, 0, 0], [0, 255, 0]], (x, y) => (x + y) % 2));
  assert.deepEqual(Array.from(pal.pixels.subarray(0, 6)), [255, 0, 0, 0, 255, 0]);
  assert.deepEqual(Array.from(pal.pixels.subarray(9, 12)), [0, 255, 0]);
  const whole = bmp24(4, 4, RED);
  assert.throws(() => decodeBmp(whole.subarray(0, 60), 'x.bmp'), /x\.bmp cannot be decoded as an image: the file is truncated/);
});
