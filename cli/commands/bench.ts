// glasswing bench: training and inference samples/s per backend, with PyTorch CPU as the yardstick.
import { parseCommand, helpText, numberFlag, type CommandSpec, type Options } from '../args';
import { CliError } from '../cli-error';
import { BENCH_MODELS, formatBench, runBench, type BenchModel } from '../../engine/bench/bench';
import { probeFastestBackend } from '../../engine/kernels/auto-probe';

const BACKENDS = ['cpu', 'wasm', 'tensorflow', 'auto'] as const;

const spec = {
  name: 'bench',
  usage: '[--model lenet5|mnist-mlp|iris-mlp] [--backend cpu|wasm|tensorflow|auto] [--seconds S] [--json]',
  description:
    'Measures training and inference samples/s (batch 64) of template models on the available backends,\n' +
    'and of PyTorch CPU on the same models when /usr/bin/python3 has torch.\n' +
    '  --model NAME      lenet5, mnist-mlp or iris-mlp (default: lenet5 and mnist-mlp)\n' +
    '  --backend NAME    cpu, wasm, tensorflow, or auto for the one Glasswing would pick (default: all available)\n' +
    '  --seconds S       seconds of training timed per model and backend (default 3)\n' +
    '  --json            print {"machine","results":[{"model","backend","batchSize","trainSamplesPerSec","inferSamplesPerSec"}],"pytorch","ratios"}',
  options: {
    model: { type: 'string' },
    backend: { type: 'string' },
    seconds: { type: 'string' },
    json: { type: 'boolean' },
  },
} as const satisfies CommandSpec<Options>;

export async function runBenchCommand(argv: string[]): Promise<number> {
  try {
    const flags = parseCommand(spec, argv);
    if (flags.help) {
      process.stdout.write(helpText(spec));
      return 0;
    }
    if (flags.model !== undefined && !BENCH_MODELS.includes(flags.model as BenchModel)) {
      throw new CliError(`bench: --model must be one of ${BENCH_MODELS.join(', ')}; got "${flags.model}".`);
    }
    if (flags.backend !== undefined && !(BACKENDS as readonly string[]).includes(flags.backend)) {
      throw new CliError(`bench: --backend must be one of ${BACKENDS.join(', ')}; got "${flags.backend}".`);
    }
    const seconds = numberFlag(flags.seconds, 'seconds', 3, (v) => v > 0 && v <= 600, 'a number of seconds between 0 and 600');
    let backends: string[] | undefined;
    if (flags.backend === 'auto') backends = [(await probeFastestBackend(['cpu', 'wasm'])).backend];
    else if (flags.backend) backends = [flags.backend];
    const report = await runBench({
      models: flags.model ? [flags.model as BenchModel] : undefined,
      backends,
      seconds,
      log: flags.json ? undefined : (line) => process.stderr.write(`${line}\n`),
    });
    if (backends && report.results.length === 0) throw new CliError(`bench: the ${backends[0]} backend is not available on this machine.`, 1);
    process.stdout.write(flags.json ? `${JSON.stringify(report)}\n` : `${formatBench(report)}\n`);
    return 0;
  } catch (e) {
    if (e instanceof CliError) {
      process.stderr.write(`${e.message}\n`);
      return e.exitCode;
    }
    throw e;
  }
}
