// glasswing bench: training and inference samples/s per backend, with PyTorch CPU as the yardstick.
import { parseCommand, helpText, numberFlag, type CommandSpec, type Options } from '../args';
import { CliError } from '../cli-error';
import { BENCH_MODELS, DEFAULT_BENCH_MODELS, formatBench, runBench } from '../../engine/bench/bench';
import { probeFastestBackend } from '../../engine/kernels/auto-probe';

const BACKENDS = ['cpu', 'wasm', 'tensorflow', 'auto'] as const;

const spec = {
  name: 'bench',
  usage: '[--model NAME[,NAME…]] [--backend cpu|wasm|tensorflow|auto] [--seconds S] [--rounds R] [--json]',
  description:
    'Measures training and inference samples/s of benchmark models on the available backends, and of\n' +
    'PyTorch CPU on the same models in the same run when /usr/bin/python3 has torch (ratios per round, medians).\n' +
    `  --model NAMES     comma-separated, of ${BENCH_MODELS.join(', ')}\n` +
    `                    (default: ${DEFAULT_BENCH_MODELS.join(', ')})\n` +
    '  --backend NAME    cpu, wasm, tensorflow, or auto for the one Glasswing would pick (default: all available)\n' +
    '  --seconds S       seconds of training timed per model and backend (default 3)\n' +
    '  --rounds R        rounds of Glasswing and PyTorch measurements, reported as medians (default 3)\n' +
    '  --json            print {"machine","results":[{"model","backend","batchSize","trainSamplesPerSec","inferSamplesPerSec"}],"pytorch","ratios"}',
  options: {
    model: { type: 'string' },
    backend: { type: 'string' },
    seconds: { type: 'string' },
    rounds: { type: 'string' },
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
    const models = flags.model?.split(',').map((m) => m.trim()).filter(Boolean);
    const unknown = models?.find((m) => !BENCH_MODELS.includes(m));
    if (models && (unknown !== undefined || models.length === 0)) {
      throw new CliError(`bench: --model must be one or more of ${BENCH_MODELS.join(', ')}; got "${unknown ?? flags.model}".`);
    }
    if (flags.backend !== undefined && !(BACKENDS as readonly string[]).includes(flags.backend)) {
      throw new CliError(`bench: --backend must be one of ${BACKENDS.join(', ')}; got "${flags.backend}".`);
    }
    const seconds = numberFlag(flags.seconds, 'seconds', 3, (v) => v > 0 && v <= 600, 'a number of seconds between 0 and 600');
    const rounds = numberFlag(flags.rounds, 'rounds', 3, (v) => Number.isInteger(v) && v >= 1 && v <= 20, 'a whole number of rounds from 1 to 20');
    let backends: string[] | undefined;
    if (flags.backend === 'auto') backends = [(await probeFastestBackend(['cpu', 'wasm'])).backend];
    else if (flags.backend) backends = [flags.backend];
    const report = await runBench({
      models,
      backends,
      seconds,
      rounds,
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
