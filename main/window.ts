// Creates the workbench window with the settings in security.ts, locks it to the app page
// (window-guard.ts), asks before leaving while the page objects (leave-guard.ts), then loads the app.
import { BrowserWindow, dialog, session } from 'electron';
import path from 'node:path';
import { guardWindow, windowOptions } from './window-guard';
import { LEAVE_QUESTION, askBeforeLeaving } from './leave-guard';

export function appUrl(): string {
  const dev = process.env['ELECTRON_RENDERER_URL'];
  return dev ?? `file://${path.join(__dirname, '..', 'renderer', 'index.html')}`;
}

export function createMainWindow(): BrowserWindow {
  const win = new BrowserWindow(windowOptions(path.join(__dirname, '..', 'preload', 'index.js')));
  const url = appUrl();
  guardWindow(win.webContents, session.defaultSession, url);
  askBeforeLeaving(win.webContents, () => dialog.showMessageBoxSync(win, LEAVE_QUESTION) === 0);
  win.once('ready-to-show', () => win.show());
  if (url.startsWith('file://')) void win.loadFile(path.join(__dirname, '..', 'renderer', 'index.html'));
  else void win.loadURL(url);
  return win;
}
