// Where Electron's binary is, if it was downloaded (npm install does not: see package.json's
// allowScripts), and a way to download it on demand. Shared by `npm start`, the install step and
// the Electron spec (CommonJS, so Playwright's specs and the .mjs scripts can both load it).
const { existsSync, readFileSync } = require('node:fs');
const { spawn } = require('node:child_process');
const path = require('node:path');

const electronDir = path.join(__dirname, '..', 'node_modules', 'electron');

/** The Electron executable, or null when only the package (without its binary) is installed. */
function electronBinary() {
  const pathFile = path.join(electronDir, 'path.txt');
  if (!existsSync(pathFile)) return null;
  const exe = path.join(electronDir, 'dist', readFileSync(pathFile, 'utf8').trim());
  return existsSync(exe) ? exe : null;
}

/** Runs Electron's own installer (a download from GitHub); resolves with its first error line, or null on success. */
function downloadElectron(timeoutMs = 10 * 60_000) {
  const installer = path.join(electronDir, 'install.js');
  if (!existsSync(installer)) return Promise.resolve('the electron package is not installed');
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [installer], { cwd: electronDir, stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    child.stderr.on('data', (d) => (err += String(d)));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('exit', (code) => {
      clearTimeout(timer);
      const lines = err.split('\n').map((l) => l.trim());
      const line = lines.find((l) => /error|ENOTFOUND|EAI_AGAIN|ECONN|timed out/i.test(l)) ?? lines[0];
      resolve(code === 0 && electronBinary() ? null : (line || `the installer exited with code ${code}`).replace(/^(Request)?Error:\s*/, ''));
    });
    child.on('error', (e) => resolve(e.message));
  });
}

module.exports = { electronBinary, downloadElectron };
