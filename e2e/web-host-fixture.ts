// Starts `glasswing serve` once per worker and hands tests its tokenised URL.
import { test as base } from '@playwright/test';
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';

export interface WebHostFixture {
  url: string;
  /** Where relative project paths are saved (a fresh temp folder per worker). */
  projectsDir: string;
  origin: string;
  process: ChildProcess;
}

/** Starts `glasswing serve` on a free port over `home` (its Glasswing folder; config in home/.config) and waits for its tokenised URL. */
export async function startWebHost(home: string): Promise<{ url: string; child: ChildProcess }> {
  const child = spawn(process.execPath, [path.join(__dirname, '..', 'bin', 'glasswing.cjs'), 'serve', '--port', '0'], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, GLASSWING_PROJECTS_DIR: home, GLASSWING_CONFIG_DIR: path.join(home, '.config') },
  });
  let stderr = '';
  child.stderr!.on('data', (d) => (stderr += String(d)));
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`glasswing serve printed no URL in 30 s. stderr: ${stderr}`)), 30_000);
    child.stdout!.on('data', (d) => {
      out += String(d);
      const m = /(http:\/\/127\.0\.0\.1:\d+\/\?token=[\w-]+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]!);
      }
    });
    child.once('exit', (code) => reject(new Error(`glasswing serve exited with ${code}: ${stderr}`)));
  });
  return { url, child };
}

export const test = base.extend<object, { webHost: WebHostFixture }>({
  webHost: [
    async ({}, use) => {
      const projectsDir = mkdtempSync(path.join(tmpdir(), 'gw-e2e-projects-'));
      const { url, child } = await startWebHost(projectsDir);
      await use({ url, origin: new URL(url).origin, process: child, projectsDir });
      child.kill('SIGTERM');
    },
    { scope: 'worker' },
  ],
});

export { expect } from '@playwright/test';
