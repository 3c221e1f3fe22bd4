// Creates the workbench window with the settings in security.ts and locks it to the app page.
import { BrowserWindow, session, shell } from 'electron';
import path from 'node:path';
import { CONTENT_SECURITY_POLICY, WINDOW_WEB_PREFERENCES, isAppUrl } from './security';

export function appUrl(): string {
  const dev = process.env['ELECTRON_RENDERER_URL'];
  return dev ?? `file://${path.join(__dirname, '..', 'renderer', 'index.html')}`;
}

export function createMainWindow(): BrowserWindow {
  const win = new BrowserWindow({
    width: 1320,
    height: 860,
    minWidth: 960,
    minHeight: 640,
    show: false,
    title: 'Glasswing',
    backgroundColor: '#f5f6f8',
    webPreferences: {
      ...WINDOW_WEB_PREFERENCES,
      preload: path.join(__dirname, '..', 'preload', 'index.js'),
    },
  });
  const url = appUrl();
  win.webContents.setWindowOpenHandler(() => ({ action: 'deny' }));
  win.webContents.on('will-navigate', (event, target) => {
    if (!isAppUrl(target, url)) event.preventDefault();
  });
  win.webContents.on('will-redirect', (event, target) => {
    if (!isAppUrl(target, url)) event.preventDefault();
  });
  win.webContents.on('will-attach-webview', (event) => event.preventDefault());
  // No camera, microphone, notifications or anything else a page could ask for.
  session.defaultSession.setPermissionRequestHandler((_wc, _permission, callback) => callback(false));
  session.defaultSession.webRequest.onHeadersReceived((details, callback) => {
    callback({ responseHeaders: { ...details.responseHeaders, 'Content-Security-Policy': [CONTENT_SECURITY_POLICY] } });
  });
  win.once('ready-to-show', () => win.show());
  if (url.startsWith('file://')) void win.loadFile(path.join(__dirname, '..', 'renderer', 'index.html'));
  else void win.loadURL(url);
  return win;
}

export { shell };
