import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { dropWork, keepWork, listWork, MAX_RECOVERY_SLOTS, readWork } from './recovery-store';
import { PROJECT_FORMAT, type ProjectFile } from '../../common/project/project-file';
import { getTemplate } from '../../common/model/templates';

const project = (name = 'Untitled'): ProjectFile => ({ format: PROJECT_FORMAT, version: 1, name, savedAt: '', model: getTemplate('iris-mlp'), layout: {}, dataset: { ref: 'iris' }, training: { epochs: 3 }, runs: [] });

async function inConfigDir(body: (dir: string) => Promise<void>): Promise<void> {
  const dir = await mkdtemp(path.join(tmpdir(), 'gw-unsaved-'));
  process.env['GLASSWING_CONFIG_DIR'] = dir;
  try {
    await body(path.join(dir, 'unsaved'));
  } finally {
    delete process.env['GLASSWING_CONFIG_DIR'];
    await rm(dir, { recursive: true, force: true });
  }
}

test('a page keeps its unsaved work in its own slot, reads it back whole, and drops it', async () => {
  await inConfigDir(async (dir) => {
    assert.deepEqual(await listWork(), [], 'nothing kept yet (no folder)');
    await keepWork('page-aaaaaaaa', { project: project('first'), path: null, dirty: true, unsavedRuns: 0 });
    await keepWork('page-bbbbbbbb', { project: { ...project('second'), runs: [] }, path: '/home/me/Glasswing/second.glasswing.json', dirty: false, unsavedRuns: 2 });
    const kept = await listWork();
    assert.deepEqual(kept.map((k) => k.id), ['page-bbbbbbbb', 'page-aaaaaaaa'], 'newest first');
    assert.deepEqual({ ...kept[0], keptAt: '' }, { id: 'page-bbbbbbbb', keptAt: '', name: 'second', path: '/home/me/Glasswing/second.glasswing.json', dirty: false, unsavedRuns: 2, runs: 0, layers: getTemplate('iris-mlp').config.layers.length });
    const back = await readWork('page-aaaaaaaa');
    assert.deepEqual(back.project, project('first'));
    assert.equal(back.dirty, true);
    // A later keep replaces the slot; many keeps at once end with the last one.
    await Promise.all(Array.from({ length: 12 }, (_, i) => keepWork('page-aaaaaaaa', { project: project(`edit ${i}`), path: null, dirty: true, unsavedRuns: i })));
    assert.equal((await readWork('page-aaaaaaaa')).project.name, 'edit 11');
    assert.deepEqual((await readdir(dir)).sort(), ['page-aaaaaaaa.json', 'page-bbbbbbbb.json'], 'no temporary files left');
    await dropWork('page-aaaaaaaa');
    await dropWork('page-aaaaaaaa');
    assert.deepEqual((await listWork()).map((k) => k.id), ['page-bbbbbbbb']);
    await assert.rejects(readWork('page-aaaaaaaa'), /no longer kept/);
  });
});

test('slots that are damaged, foreign or renamed are skipped; ids cannot name other files; only the newest slots are kept', async () => {
  await inConfigDir(async (dir) => {
    await keepWork('good-page-1', { project: project('good'), path: null, dirty: true, unsavedRuns: 0 });
    await writeFile(path.join(dir, 'broken-page.json'), '{"format": "glasswing-unsaved-work", ');
    await writeFile(path.join(dir, 'other-thing.json'), JSON.stringify({ hello: 'world' }));
    // A valid slot copied under another name is not that other page's.
    const { readFile } = await import('node:fs/promises');
    await writeFile(path.join(dir, 'copied-page.json'), await readFile(path.join(dir, 'good-page-1.json'), 'utf8'));
    assert.deepEqual((await listWork()).map((k) => k.id), ['good-page-1']);
    await assert.rejects(readWork('broken-page'), /That unsaved work cannot be restored: it is not valid JSON\./);
    await assert.rejects(readWork('copied-page'), /cannot be restored: it is not unsaved work Glasswing kept/);
    // A folder where a slot would be: said in words, not as EISDIR.
    const { mkdir } = await import('node:fs/promises');
    await mkdir(path.join(dir, 'folder-page.json'));
    await assert.rejects(keepWork('folder-page', { project: project(), path: null, dirty: true, unsavedRuns: 0 }), (e: Error) => e.name === 'ProjectError' && /folder-page\.json is a folder, not a file Glasswing wrote; move it away/.test(e.message));
    await assert.rejects(readWork('folder-page'), /cannot be restored: it is not a file/);
    for (const bad of ['../../etc/passwd', 'short', 'a/b/c/d/e/f/g', '..%2f..%2fx']) {
      await assert.rejects(keepWork(bad, { project: project(), path: null, dirty: true, unsavedRuns: 0 }), /not one Glasswing made/);
      await assert.rejects(readWork(bad), /not one Glasswing made/);
    }
    // What is kept is a project that opens: a damaged one is refused, not kept.
    await assert.rejects(keepWork('good-page-2', { project: { ...project(), model: { nope: 1 } } as unknown as ProjectFile, path: null, dirty: true, unsavedRuns: 0 }), /is damaged: its "model" is not Keras model JSON/);
    for (let i = 0; i < MAX_RECOVERY_SLOTS + 5; i++) {
      await keepWork(`many-page-${String(i).padStart(3, '0')}`, { project: project(`p${i}`), path: null, dirty: true, unsavedRuns: 0 });
      await new Promise((r) => setTimeout(r, 2));
    }
    const kept = await listWork();
    assert.equal(kept.length, MAX_RECOVERY_SLOTS);
    assert.equal(kept[0]!.id, `many-page-${String(MAX_RECOVERY_SLOTS + 4).padStart(3, '0')}`, 'the newest stays');
    assert.ok(!kept.some((k) => k.id === 'good-page-1'), 'the oldest went');
  });
});

test('past the limit, the slots of saved projects go before any unsaved work, however old', async () => {
  await inConfigDir(async () => {
    await keepWork('unsaved-oldest', { project: project('precious'), path: null, dirty: false, unsavedRuns: 3 });
    for (let i = 0; i < MAX_RECOVERY_SLOTS + 3; i++) {
      await new Promise((r) => setTimeout(r, 2));
      await keepWork(`saved-page-${String(i).padStart(3, '0')}`, { project: project(`saved ${i}`), path: `/home/me/Glasswing/p${i}.glasswing.json`, dirty: false, unsavedRuns: 0 });
    }
    const kept = await listWork();
    assert.equal(kept.length, MAX_RECOVERY_SLOTS);
    assert.ok(kept.some((k) => k.id === 'unsaved-oldest'), 'the unsaved work stays');
    assert.ok(!kept.some((k) => k.id === 'saved-page-000'), 'the oldest saved project’s slot went');
    assert.ok(kept.some((k) => k.id === `saved-page-${String(MAX_RECOVERY_SLOTS + 2).padStart(3, '0')}`), 'the newest stays');
  });
});
