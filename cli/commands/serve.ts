// glasswing serve: the workbench in a browser, with the engine in its own process.
import path from 'node:path';
import { existsSync } from 'node:fs';
import { parseCommand, helpText, numberFlag, type CommandSpec, type Options } from '../args';
import { CliError } from '../cli-error';
import { startWebHost } from '../../server/web-host';
import { forkNodeEngine } from '../../engine/host/node-transport';

const spec = {
  name: 'serve',
  usage: '[--port P]',
  description:
    'Serves the workbench on http://127.0.0.1 (never on other interfaces). Open the printed URL: its token is\n' +
    'required by every request. The engine runs in a separate process. Stop with Ctrl+C.',
  options: { port: { type: 'string' } },
} as const satisfies CommandSpec<Options>;

export function rendererDir(): string {
  const candidates = [path.resolve(__dirname, '..', 'renderer'), path.resolve(__dirname, '..', '..', 'out', 'renderer')];
  const found = candidates.find((c) => existsSync(path.join(c, 'index.html')));
  if (!found) throw new CliError('The web UI is not built yet: run `npm run build` first.', 1);
  return found;
}

export async function runServe(argv: string[]): Promise<number> {
  const flags = parseCommand(spec, argv);
  if (flags.help) {
    process.stdout.write(helpText(spec));
    return 0;
  }
  const port = numberFlag(flags.port, 'port', 0, (v) => Number.isInteger(v) && v >= 0 && v < 65536, 'a port number');
  let host;
  try {
    host = await startWebHost({ port, rendererDir: rendererDir(), spawnEngine: () => forkNodeEngine('web') });
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'EADDRINUSE') throw new CliError(`Port ${port} is already in use; choose another with --port or leave it out.`);
    throw e;
  }
  process.stdout.write(`Glasswing is running at ${host.url}\n`);
  await new Promise<void>((resolve) => {
    const stop = () => resolve();
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  await host.close();
  return 0;
}
