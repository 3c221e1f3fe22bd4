// A 279 KB PNG of 16,000 × 16,000 and a 1-bit 30,000 × 30,000 BMP are skipped with their sizes
// named, from their headers, and the import stays far under 1 GB (this file runs in a process of
// its own, so the peak resident size measured is the import's).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { loadImageFolder } from './image-folder';
import { imageForModel } from '../image-input';
import { decodeBmp } from './bmp';
import { open } from 'node:fs/promises';
import { tempDir, writeHugeImages, writeImage } from './test-fixtures';

test('images over the pixel budget are skipped with their size named, and memory stays low', async () => {
  const { dir, cleanup } = await tempDir();
  try {
    await writeHugeImages(path.join(dir, 'cats', 'huge.png'), path.join(dir, 'dogs', 'huge.bmp'));
    for (const cls of ['cats', 'dogs']) for (let i = 0; i < 3; i++) await writeImage(path.join(dir, cls, `small${i}.png`), 8, 8, cls === 'cats' ? [255, 0, 0] : [0, 0, 255]);
    const { dataset, report } = await loadImageFolder(dir, { cacheDir: false });
    assert.equal(dataset.count, 6);
    const reasons = Object.fromEntries(report.skipped.map((s) => [s.file, s.reason]));
    assert.match(reasons[path.join('cats', 'huge.png')]!, /^too large: 16,000×16,000 pixels \(256 MP\), more than the 40 MP Glasswing decodes$/);
    assert.match(reasons[path.join('dogs', 'huge.bmp')]!, /^too large: 30,000×30,000 pixels \(900 MP\), more than the 40 MP Glasswing decodes$/);
    // One image on its own (predict, Grad-CAM) is refused with the same words.
    const head = await readHead(path.join(dir, 'dogs', 'huge.bmp'));
    await assert.rejects(imageForModel(path.join(dir, 'cats', 'huge.png'), [28, 28, 1], 'huge.png'), /huge\.png is 16,000×16,000 pixels \(256 MP\)/);
    assert.throws(() => decodeBmp(head, 'huge.bmp'), /huge\.bmp is 30,000×30,000 pixels/);
    const peakMb = process.resourceUsage().maxRSS / 1024;
    assert.ok(peakMb < 1024, `peak resident size ${peakMb.toFixed(0)} MB`);
  } finally {
    await cleanup();
  }
});

/** The first 64 KB of a file: enough for a BMP's header (the check needs no pixel data). */
async function readHead(file: string): Promise<Uint8Array> {
  const handle = await open(file, 'r');
  try {
    const buf = new Uint8Array(65536);
    await handle.read(buf, 0, buf.length, 0);
    return buf;
  } finally {
    await handle.close();
  }
}
