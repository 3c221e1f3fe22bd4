// glasswing serve: the workbench in a browser, with the engine in its own process.
import path from 'node:path';
import { existsSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { spawn } from 'node:child_process';
import { parseCommand, helpText, numberFlag, type CommandSpec, type Options } from '../args';
import { CliError } from '../cli-error';
import { startWebHost } from '../../server/web-host';
import { forkNodeEngine } from '../../engine/host/node-transport';

const spec = {
  name: 'serve',
  usage: '[--port P] [--allow-dir DIR[,DIR…]] [--open]',
  description:
    'Serves the workbench on http://127.0.0.1 (never on other interfaces). Open the printed URL: its token is\n' +
    'required by every request. The engine runs in a separate process. Stop with Ctrl+C.\n' +
    'The page reads typed paths only in your Glasswing folder, home folder and temporary folder, and saves\n' +
    'only in your Glasswing folder; --allow-dir adds folders for both. --open opens the URL in your browser.',
  options: { port: { type: 'string' }, 'allow-dir': { type: 'string' }, open: { type: 'boolean' } },
} as const satisfies CommandSpec<Options>;

export function rendererDir(): string {
  const candidates = [path.resolve(__dirname, '..', 'renderer'), path.resolve(__dirname, '..', '..', 'out', 'renderer')];
  const found = candidates.find((c) => existsSync(path.join(c, 'index.html')));
  if (!found) throw new CliError('The web UI is not built yet: run `npm run build` first.', 1);
  return found;
}

/** Opens a URL in the default browser (xdg-open, open or start); false when there is none. */
export function openInBrowser(url: string): Promise<boolean> {
  const [command, args] =
    process.platform === 'darwin' ? ['open', [url]] : process.platform === 'win32' ? ['cmd', ['/c', 'start', '""', url]] : ['xdg-open', [url]];
  return new Promise((resolve) => {
    try {
      const child = spawn(command, args as string[], { stdio: 'ignore', detached: true });
      child.once('error', () => resolve(false));
      child.once('spawn', () => {
        child.unref();
        resolve(true);
      });
    } catch {
      resolve(false);
    }
  });
}

export async function runServe(argv: string[]): Promise<number> {
  const flags = parseCommand(spec, argv);
  if (flags.help) {
    process.stdout.write(helpText(spec));
    return 0;
  }
  const port = numberFlag(flags.port, 'port', 0, (v) => Number.isInteger(v) && v >= 0 && v < 65536, 'a port number');
  const allowed = (flags['allow-dir'] ?? '').split(',').map((d) => d.trim()).filter(Boolean).map((d) => path.resolve(d));
  for (const d of allowed) if (!existsSync(d)) throw new CliError(`--allow-dir: ${d} does not exist.`);
  // The engine restarted after a crash belongs to the same session: it lists this session's runs again.
  const engineEnv = { GLASSWING_PLACES: 'confined', GLASSWING_SESSION: randomBytes(6).toString('hex'), GLASSWING_ALLOWED_DIRS: allowed.join(path.delimiter) };
  // Whatever arrives over a socket is handled in its own error boundary; anything that still
  // escapes is logged here and the host keeps serving (the page and the engine stay up).
  process.on('uncaughtException', (e) => process.stderr.write(`glasswing serve: ${e.stack ?? e.message}\n`));
  process.on('unhandledRejection', (e) => process.stderr.write(`glasswing serve: ${(e as Error)?.stack ?? String(e)}\n`));
  let host;
  try {
    host = await startWebHost({ port, rendererDir: rendererDir(), spawnEngine: () => forkNodeEngine('web', engineEnv) });
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'EADDRINUSE') throw new CliError(`Port ${port} is already in use; choose another with --port or leave it out.`);
    throw e;
  }
  process.stdout.write(`Glasswing is running at ${host.url}\n`);
  if (flags.open && !(await openInBrowser(host.url))) process.stdout.write('No browser could be opened here; open the URL above in one.\n');
  await new Promise<void>((resolve) => {
    const stop = () => resolve();
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  await host.close();
  return 0;
}
