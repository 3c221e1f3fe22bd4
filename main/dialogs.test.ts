// The desktop's native dialogs as main shows them: what the renderer asks is checked and cleaned,
// the chosen path (and only it) goes back, cancel is null.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { showDialog, type DialogApi } from './dialogs';

function fakeDialogs(result: { open?: string[]; save?: string; canceled?: boolean }) {
  const calls: { kind: string; options: unknown }[] = [];
  const api: DialogApi = {
    showOpenDialog: async (options) => {
      calls.push({ kind: 'open', options });
      return { canceled: !!result.canceled, filePaths: result.open ?? [] };
    },
    showSaveDialog: async (options) => {
      calls.push({ kind: 'save', options });
      return { canceled: !!result.canceled, ...(result.save ? { filePath: result.save } : {}) };
    },
  };
  return { api, calls };
}

test('an open dialog for a table offers table files and returns the chosen path', async () => {
  const { api, calls } = fakeDialogs({ open: ['/home/me/wine.csv'] });
  const path = await showDialog(api, { kind: 'open', options: { title: 'Choose a table', filters: [{ name: 'Tables', extensions: ['csv', 'tsv'] }] } });
  assert.equal(path, '/home/me/wine.csv');
  assert.deepEqual(calls[0], { kind: 'open', options: { title: 'Choose a table', properties: ['openFile'], filters: [{ name: 'Tables', extensions: ['csv', 'tsv'] }] } });
});

test('a folder dialog chooses a directory; cancelling gives null', async () => {
  const { api, calls } = fakeDialogs({ canceled: true });
  assert.equal(await showDialog(api, { kind: 'open', options: { title: 'Folder', folder: true, filters: [{ name: 'x', extensions: ['png'] }] } }), null);
  assert.deepEqual((calls[0]!.options as { properties: string[] }).properties, ['openDirectory']);
  assert.equal((calls[0]!.options as { filters?: unknown }).filters, undefined, 'a folder has no file filters');
});

test('a save dialog asks before replacing a file, and its offered name cannot carry a path', async () => {
  const { api, calls } = fakeDialogs({ save: '/home/me/p.glasswing.json' });
  assert.equal(await showDialog(api, { kind: 'save', options: { title: 'Save project', defaultName: '../../etc/p.glasswing.json' } }), '/home/me/p.glasswing.json');
  const o = calls[0]!.options as { defaultPath: string; properties: string[] };
  assert.equal(o.defaultPath, '..-..-etc-p.glasswing.json');
  assert.ok(o.properties.includes('showOverwriteConfirmation'));
});

test('malformed requests from the page are refused; odd filter extensions are cleaned', async () => {
  const { api, calls } = fakeDialogs({ open: ['/x'] });
  for (const bad of [null, 'open', { kind: 'delete', options: {} }, { kind: 'open' }]) await assert.rejects(showDialog(api, bad), /Malformed dialog request/);
  await showDialog(api, { kind: 'open', options: { title: 'T', filters: [{ name: 'n', extensions: ['csv;rm -rf', '*'] }] } });
  assert.deepEqual((calls.at(-1)!.options as { filters: { extensions: string[] }[] }).filters[0]!.extensions, ['csvrm-rf', '']);
});
