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
  return {
    pid: child.pid,
    send: (m) => child.send(m),
    onMessage: (l) => child.on('message', (m) => l(m as FromEngine)),
    onExit: (l) => child.on('exit', (code) => l(code)),
    kill: () => child.kill('SIGKILL'),
  };
}
