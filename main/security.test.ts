import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { CONTENT_SECURITY_POLICY, WINDOW_WEB_PREFERENCES, isAppUrl } from './security';

test('the window is sandboxed and isolated, with no Node in the page', () => {
  assert.equal(WINDOW_WEB_PREFERENCES.contextIsolation, true);
  assert.equal(WINDOW_WEB_PREFERENCES.sandbox, true);
  assert.equal(WINDOW_WEB_PREFERENCES.nodeIntegration, false);
  assert.equal(WINDOW_WEB_PREFERENCES.webSecurity, true);
  assert.equal(WINDOW_WEB_PREFERENCES.webviewTag, false);
});

test('the window is created with exactly these settings, and blocks navigation and new windows', () => {
  const source = readFileSync(path.join(__dirname, 'window.ts'), 'utf8');
  assert.match(source, /\.\.\.WINDOW_WEB_PREFERENCES/);
  assert.match(source, /setWindowOpenHandler\(\(\) => \(\{ action: 'deny' \}\)\)/);
  assert.match(source, /will-navigate/);
  assert.match(source, /setPermissionRequestHandler/);
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
