// Starts the engine as a plain Node child process (the web host, the CLI's serve command, and
// Electron's native-backend engine with ELECTRON_RUN_AS_NODE).
import { fork } from 'node:child_process';
import path from 'node:path';
import { existsSync } from 'node:fs';
import type { EngineTransport } from './engine-client';
import type { FromEngine } from './protocol';

/** The bundled engine-process script next to the running bundle (out/node/). */
export function engineProcessScript(): string {
  const candidates = [path.join(__dirname, 'engine-process.cjs'), path.resolve(__dirname, '..', '..', 'out', 'node', 'engine-process.cjs')];
  const found = candidates.find((c) => existsSync(c));
  if (!found) throw new Error(`The engine bundle is missing (looked for ${candidates.join(', ')}). Run \`npm run build:node\`.`);
  return found;
}

export function forkNodeEngine(host: string, env: NodeJS.ProcessEnv = {}): EngineTransport {
  const child = fork(engineProcessScript(), [], {
    env: { ...process.env, ...env, GLASSWING_HOST: host },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    serialization: 'advanced',
  });
  const exitListeners: ((code: number | null) => void)[] = [];
  let exited = false;
  const exit = (code: number | null) => {
    if (exited) return;
    exited = true;
    for (const l of exitListeners) l(code);
  };
  child.on('exit', (code) => exit(code));
  // A failed spawn or a write to a dead pipe (EPIPE while a large message is in flight) arrives
  // here; without a listener it would end the host. The engine is treated as gone.
  child.on('error', () => {
    if (child.exitCode === null && !child.killed) child.kill('SIGKILL');
    exit(child.exitCode);
  });
  return {
    pid: child.pid,
    send: (m) => {
      if (exited || !child.connected) throw Object.assign(new Error('The engine process is not running.'), { engineGone: true });
      child.send(m, (err) => {
        if (err) child.emit('error', err);
      });
    },
    onMessage: (l) => child.on('message', (m) => l(m as FromEngine)),
    onExit: (l) => exitListeners.push(l),
    kill: () => child.kill('SIGKILL'),
  };
}
