import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { openProject, recentProjects, saveProject } from './project-store';
import { PROJECT_FORMAT, type ProjectFile } from '../../common/project/project-file';
import { getTemplate } from '../../common/model/templates';

const project = (): ProjectFile => ({ format: PROJECT_FORMAT, version: 1, name: 'lenet', savedAt: '', model: getTemplate('lenet5'), layout: {}, dataset: { ref: 'mnist' }, training: { epochs: 2 }, runs: [] });

test('save writes atomically into the projects folder, open reads it back, recent lists it', async () => {
  const dir = await mkdtemp(path.join(tmpdir(), 'gw-projects-'));
  process.env['GLASSWING_PROJECTS_DIR'] = dir;
  process.env['GLASSWING_CONFIG_DIR'] = path.join(dir, '.config');
  try {
    const saved = await saveProject('lenet', project());
    assert.equal(saved.path, path.join(dir, 'lenet.glasswing.json'));
    assert.deepEqual((await readdir(dir)).filter((f) => f.endsWith('.tmp')), [], 'no temporary file left behind');
    const opened = await openProject('lenet');
    assert.deepEqual(opened.project.model, project().model);
    assert.equal((await recentProjects()).recent[0]!.path, saved.path);

    // A damaged file on disk changes nothing and says why.
    const before = await readFile(saved.path, 'utf8');
    await writeFile(path.join(dir, 'broken.glasswing.json'), '{"format": "glasswing-project", "version": 1, "model": ');
    await assert.rejects(openProject('broken'), /broken\.glasswing\.json is damaged: it is not valid JSON/);
    assert.equal(await readFile(saved.path, 'utf8'), before);
    await assert.rejects(openProject('missing'), /does not exist/);
  } finally {
    delete process.env['GLASSWING_PROJECTS_DIR'];
    delete process.env['GLASSWING_CONFIG_DIR'];
    await rm(dir, { recursive: true, force: true });
  }
});

test('saves at once all succeed and all reach the recent list; a name too long, or a folder in the way, says so', async () => {
  const dir = await mkdtemp(path.join(tmpdir(), 'gw-projects-'));
  process.env['GLASSWING_PROJECTS_DIR'] = dir;
  process.env['GLASSWING_CONFIG_DIR'] = path.join(dir, '.config');
  try {
    const names = ['a', 'b', 'c', 'd', 'e', 'f'];
    const results = await Promise.allSettled([...names, ...names].map((n) => saveProject(n, { ...project(), name: n })));
    assert.deepEqual(results.filter((r) => r.status === 'rejected'), []);
    assert.deepEqual((await recentProjects()).recent.map((r) => r.name).sort(), names);
    assert.deepEqual((await readdir(dir)).filter((f) => f.endsWith('.tmp')), []);
    await assert.rejects(saveProject('x'.repeat(300), project()), (e: Error) => e.name === 'ProjectError' && /too long \(315 bytes with \.glasswing\.json; at most 255\)/.test(e.message));
    const longest = 'y'.repeat(255 - '.glasswing.json'.length);
    assert.ok((await saveProject(longest, project())).path.endsWith(`${longest}.glasswing.json`));
    for (const folderOnly of ['runs/', 'runs\\', '.', '..', '']) await assert.rejects(saveProject(folderOnly, project()), /names a folder, not a project/, folderOnly);
    await mkdir(path.join(dir, 'folder.glasswing.json'));
    await assert.rejects(saveProject('folder', project()), /is a folder; choose another name/);
  } finally {
    delete process.env['GLASSWING_PROJECTS_DIR'];
    delete process.env['GLASSWING_CONFIG_DIR'];
    await rm(dir, { recursive: true, force: true });
  }
});
