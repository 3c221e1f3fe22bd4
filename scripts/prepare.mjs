// Runs after `npm install`: builds the engine, the CLI and the web UI, so `glasswing serve` and
// `npm start` work at once. Electron's binary is not downloaded here (its install script is not
// allowed to run: a failed download would fail the whole install offline); `npm start` fetches it
// when it is first needed, and falls back to the browser when it cannot.
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import electron from './electron-binary.cjs';

const { electronBinary } = electron;

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const run = (cmd, args) => spawnSync(cmd, args, { cwd: root, stdio: 'inherit', shell: process.platform === 'win32' });
if (run(process.execPath, [path.join(root, 'scripts', 'build-node.mjs')]).status !== 0) process.exit(1);
if (run(process.platform === 'win32' ? 'npx.cmd' : 'npx', ['electron-vite', 'build', '--logLevel', 'warn']).status !== 0) process.exit(1);
if (!electronBinary()) process.stdout.write("Glasswing is built. Electron's binary is not installed yet: `npm start` downloads it, or opens the app in your browser where it cannot.\n");
