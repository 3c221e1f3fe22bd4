// `npm start` on a machine where Electron's binary cannot be had: it says so in one line, starts
// the web host, and the URL it prints serves the workbench (the browser it tries to open may not
// exist here; Playwright's Chromium opens the URL instead).
import { test, expect } from '@playwright/test';
import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
// A plain CommonJS helper shared with scripts/start.mjs.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { electronBinary } = require('../scripts/electron-binary.cjs') as { electronBinary(): string | null };

test.skip(electronBinary() !== null, 'Electron is installed here: `npm start` opens the desktop window (the Electron spec covers it).');

test('npm start without Electron opens the same app through the web host', async ({ page }) => {
  const home = mkdtempSync(path.join(tmpdir(), 'gw-start-'));
  const child = spawn('npm', ['start', '--silent'], { cwd: path.join(__dirname, '..'), env: { ...process.env, GLASSWING_PROJECTS_DIR: home, GLASSWING_CONFIG_DIR: path.join(home, '.config') }, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  let out = '';
  child.stdout.on('data', (d) => (out += String(d)));
  child.stderr.on('data', (d) => (out += String(d)));
  try {
    const url = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`npm start printed no URL in 120 s:\n${out}`)), 120_000);
      child.stdout.on('data', () => {
        const m = /(http:\/\/127\.0\.0\.1:\d+\/\?token=[\w-]+)/.exec(out);
        if (m) {
          clearTimeout(timer);
          resolve(m[1]!);
        }
      });
      child.once('exit', (code) => reject(new Error(`npm start exited with ${code}:\n${out}`)));
    });
    expect(out).toMatch(/opening the same app in your browser instead \(the web host\)\./);
    expect(out).not.toMatch(/\n\s+at /);
    await page.goto(url);
    await expect(page.getByRole('heading', { name: 'Glasswing' })).toBeVisible();
    // The token leaves the address bar once the page has it.
    await expect.poll(() => page.url()).not.toContain('token=');
  } finally {
    process.kill(-child.pid!, 'SIGTERM');
  }
});
