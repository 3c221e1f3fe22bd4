import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { FileAccessError, Places } from './places';
import { checkUploadName } from '../services/data-service';
import { uploadNameFor } from '../../common/ipc/contract';

async function withHome(fn: (dir: string, places: Places) => Promise<void>): Promise<void> {
  const dir = await mkdtemp(path.join(tmpdir(), 'gw-places-'));
  const before = process.env['GLASSWING_PROJECTS_DIR'];
  process.env['GLASSWING_PROJECTS_DIR'] = path.join(dir, 'Glasswing');
  try {
    await mkdir(path.join(dir, 'Glasswing'), { recursive: true });
    await fn(dir, new Places({ mode: 'confined' }));
  } finally {
    if (before === undefined) delete process.env['GLASSWING_PROJECTS_DIR'];
    else process.env['GLASSWING_PROJECTS_DIR'] = before;
    await rm(dir, { recursive: true, force: true });
  }
}

test('confined reads: data files and folders in allowed places only, never hidden ones, never through a link out', async () => {
  await withHome(async (dir, places) => {
    await writeFile(path.join(dir, 'ok.csv'), 'a,b\n1,x\n');
    await writeFile(path.join(dir, 'notes.md'), 'secret');
    await mkdir(path.join(dir, '.ssh'));
    await writeFile(path.join(dir, '.ssh', 'keys.csv'), 'k\n1\n');
    await symlink('/etc/passwd', path.join(dir, 'passwd.csv'));
    assert.equal(await places.readable(path.join(dir, 'ok.csv'), 'data'), path.join(dir, 'ok.csv'));
    await assert.rejects(places.readable('/etc/passwd', 'data'), (e) => e instanceof FileAccessError && /outside the folders/.test(e.message));
    await assert.rejects(places.readable(path.join(dir, 'passwd.csv'), 'data'), /outside the folders/);
    await assert.rejects(places.readable(path.join(dir, '.ssh', 'keys.csv'), 'data'), /hidden/);
    await assert.rejects(places.readable(path.join(dir, 'notes.md'), 'data'), /not a table file/);
    // The open policy (CLI, desktop dialogs) reads what the person chose.
    assert.equal(await new Places({ mode: 'open' }).readable('/etc/passwd', 'data'), '/etc/passwd');
  });
});

test('confined writes: the Glasswing folder (relative names land there) and allowed folders only', async () => {
  await withHome(async (dir, places) => {
    assert.equal(places.writable('p.glasswing.json'), path.join(dir, 'Glasswing', 'p.glasswing.json'));
    assert.equal(places.writable('x', places.exports), path.join(dir, 'Glasswing', 'exports', 'x'));
    for (const p of ['../p', '/etc/p', path.join(dir, 'p'), 'exports/../../p']) assert.throws(() => places.writable(p), FileAccessError, p);
    const allowed = new Places({ mode: 'confined', allowed: [path.join(dir, 'mine')] });
    assert.equal(allowed.writable(path.join(dir, 'mine', 'p')), path.join(dir, 'mine', 'p'));
  });
});

test('a folder with other files is claimed only with a confirmation', async () => {
  await withHome(async (dir, places) => {
    const target = path.join(dir, 'Glasswing', 'exports', 'x');
    await places.claimFolder(target, () => false);
    await mkdir(target, { recursive: true });
    await writeFile(path.join(target, 'thesis.docx'), '…');
    await assert.rejects(places.claimFolder(target, (names) => names.every((n) => n === 'model.json')), /already holds files Glasswing did not write \(thesis\.docx\)/);
    await places.claimFolder(target, () => false, true);
  });
});

test('upload names are single safe folder names; dropped names are made safe', () => {
  for (const bad of ['.', '..', '...csv', 'a/b', 'a\\b', 'x\u0000', '.hidden', '', 'a'.repeat(121), 'CON', 'nul.txt', 'com1', 'trailing ', 'dot.']) assert.throws(() => checkUploadName(bad), FileAccessError, JSON.stringify(bad));
  for (const good of ['iris', 'my data (2)', 'wine-quality_v1.2', 'Ünïcödé']) assert.equal(checkUploadName(good), good);
  assert.equal(uploadNameFor('...csv'), 'upload');
  assert.equal(uploadNameFor('../../etc/passwd'), 'etc-passwd');
  assert.equal(uploadNameFor('wine.csv'), 'wine');
  assert.equal(uploadNameFor('.'), 'upload');
  assert.equal(uploadNameFor('CON.csv'), 'CON-data');
  assert.throws(() => checkUploadName('CON'), /Windows keeps names like CON, NUL and COM1 for devices/);
  assert.equal(uploadNameFor('notes. .csv'), 'notes');
  for (const dropped of ['CON.csv', 'aux', 'lpt1.tsv', 'x. ', 'data .csv']) assert.equal(checkUploadName(uploadNameFor(dropped)), uploadNameFor(dropped), dropped);
  assert.equal(checkUploadName(uploadNameFor('a/b\u0000c.csv')), uploadNameFor('a/b\u0000c.csv'));
});
