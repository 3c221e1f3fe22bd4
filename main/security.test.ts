import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { CONTENT_SECURITY_POLICY, WINDOW_WEB_PREFERENCES, isAppUrl } from './security';
import { guardWindow, windowOptions, type GuardedContents, type GuardedSession } from './window-guard';

test('the window is sandboxed and isolated, with no Node in the page', () => {
  assert.equal(WINDOW_WEB_PREFERENCES.contextIsolation, true);
  assert.equal(WINDOW_WEB_PREFERENCES.sandbox, true);
  assert.equal(WINDOW_WEB_PREFERENCES.nodeIntegration, false);
  assert.equal(WINDOW_WEB_PREFERENCES.webSecurity, true);
  assert.equal(WINDOW_WEB_PREFERENCES.webviewTag, false);
});

test('the window is created with these settings, and its guard blocks navigation, redirects, new windows, webviews and permissions', () => {
  assert.deepEqual(windowOptions('/app/preload.js').webPreferences, { ...WINDOW_WEB_PREFERENCES, preload: '/app/preload.js' });
  const listeners = new Map<string, (event: { preventDefault(): void }, url?: string) => void>();
  let openHandler: (() => { action: string }) | null = null;
  let permission: ((c: unknown, p: string, cb: (granted: boolean) => void) => void) | null = null;
  let headers: Parameters<GuardedSession['webRequest']['onHeadersReceived']>[0] | null = null;
  const contents = {
    setWindowOpenHandler: (h: () => { action: 'deny' }) => (openHandler = h),
    on: (event: string, l: (event: { preventDefault(): void }, url?: string) => void) => listeners.set(event, l),
  } as unknown as GuardedContents;
  const fakeSession: GuardedSession = {
    setPermissionRequestHandler: (h) => (permission = h),
    webRequest: { onHeadersReceived: (l) => (headers = l) },
  };
  const app = 'file:///opt/glasswing/out/renderer/index.html';
  guardWindow(contents, fakeSession, app);
  assert.deepEqual(openHandler!(), { action: 'deny' });
  const prevented = (event: string, url?: string) => {
    let p = false;
    listeners.get(event)!({ preventDefault: () => (p = true) }, url);
    return p;
  };
  assert.equal(prevented('will-navigate', 'https://evil.example/'), true);
  assert.equal(prevented('will-navigate', 'file:///etc/passwd'), true);
  assert.equal(prevented('will-navigate', `${app}#inspect`), false);
  assert.equal(prevented('will-redirect', 'http://127.0.0.1:9/'), true);
  assert.equal(prevented('will-attach-webview'), true);
  let granted: boolean | null = null;
  permission!(null, 'media', (g) => (granted = g));
  assert.equal(granted, false);
  let sent: Record<string, unknown> | null = null;
  headers!({ responseHeaders: { 'X-A': ['1'] } }, (r) => (sent = r.responseHeaders));
  assert.deepEqual(sent, { 'X-A': ['1'], 'Content-Security-Policy': [CONTENT_SECURITY_POLICY] });
});

test('the Content-Security-Policy allows nothing remote', () => {
  assert.match(CONTENT_SECURITY_POLICY, /default-src 'self'/);
  assert.match(CONTENT_SECURITY_POLICY, /script-src 'self'(;|$)/);
  assert.doesNotMatch(CONTENT_SECURITY_POLICY, /https?:|\*|unsafe-eval/);
  const html = readFileSync(path.join(__dirname, '..', 'renderer', 'index.html'), 'utf8');
  assert.ok(html.includes(`content="${CONTENT_SECURITY_POLICY}"`), 'index.html carries the same policy');
});

test('only the app page counts as the app', () => {
  const app = 'file:///opt/glasswing/out/renderer/index.html';
  assert.equal(isAppUrl('file:///opt/glasswing/out/renderer/index.html#x', app), true);
  assert.equal(isAppUrl('file:///etc/passwd', app), false);
  assert.equal(isAppUrl('https://example.com/', app), false);
  assert.equal(isAppUrl('http://localhost:5173/x', 'http://localhost:5173/'), true);
  assert.equal(isAppUrl('http://localhost:5174/', 'http://localhost:5173/'), false);
});
