// `npm start`: the desktop app when Electron's binary is there (or can be downloaded now);
// otherwise, in one line saying so, the same app in the browser — the web host, opened in the
// default browser. So `npm install && npm start` works on every machine, online or not.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import electron from './electron-binary.cjs';

const { downloadElectron, electronBinary } = electron;

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const run = (cmd, args) => spawnSync(cmd, args, { cwd: root, stdio: 'inherit', shell: process.platform === 'win32' });
const npx = process.platform === 'win32' ? 'npx.cmd' : 'npx';

let binary = electronBinary();
let why = '';
if (!binary && process.env.GLASSWING_WEB !== '1') {
  process.stdout.write("Downloading Electron's binary for the desktop window (once)…\n");
  why = (await downloadElectron()) ?? '';
  binary = electronBinary();
}

if (binary && process.env.GLASSWING_WEB !== '1') {
  if (run(process.execPath, [path.join(root, 'scripts', 'build-node.mjs')]).status !== 0) process.exit(1);
  process.exit(run(npx, ['electron-vite', 'preview']).status ?? 1);
}

const reason = process.env.GLASSWING_WEB === '1' ? 'GLASSWING_WEB=1 is set' : `Electron's binary could not be downloaded (${why || 'no binary'})`;
process.stdout.write(`${reason}: opening the same app in your browser instead (the web host).\n`);
if (!existsSync(path.join(root, 'out', 'node', 'cli.cjs')) || !existsSync(path.join(root, 'out', 'renderer', 'index.html'))) {
  if (run('npm', ['run', 'build', '--silent']).status !== 0) process.exit(1);
}
const child = spawn(process.execPath, [path.join(root, 'bin', 'glasswing.cjs'), 'serve', '--open', ...process.argv.slice(2)], { cwd: root, stdio: 'inherit' });
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal));
child.on('exit', (code) => process.exit(code ?? 0));
