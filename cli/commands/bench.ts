// glasswing bench: training and inference samples/s per backend, with PyTorch CPU as the yardstick.
import { parseCommand, helpText, numberFlag, type CommandSpec, type Options } from '../args';
import { CliError } from '../cli-error';
import { BENCH_MODELS, DEFAULT_BENCH_MODELS, formatBench, runBench } from '../../engine/bench/bench';
import { probeFastestBackend } from '../../engine/kernels/auto-probe';

const BACKENDS = ['cpu', 'wasm', 'tensorflow', 'webgpu', 'auto'] as const;

const spec = {
  name: 'bench',
  usage: '[--model NAME[,NAME…]] [--backend NAME[,NAME…]] [--seconds S] [--rounds R] [--json]',
  description:
    'Measures training and inference samples/s of benchmark models on the available backends, and of\n' +
    'PyTorch on the same models in the same run when /usr/bin/python3 (or BENCH_PYTHON) has torch — on the\n' +
    'CPU, or on the GPU with BENCH_TORCH_DEVICE=cuda or mps (ratios per round, medians).\n' +
    `  --model NAMES     comma-separated, of ${BENCH_MODELS.join(', ')}\n` +
    `                    (default: ${DEFAULT_BENCH_MODELS.join(', ')})\n` +
    '  --backend NAMES   comma-separated, of cpu, wasm, tensorflow, auto (the one Glasswing would pick), and\n' +
    '                    webgpu: TF.js\'s WebGPU kernels in Node through Dawn, for a GPU machine without a\n' +
    '                    browser (npm install --no-save webgpu). Default: cpu, wasm and tensorflow where available\n' +
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
    const named = flags.backend?.split(',').map((b) => b.trim()).filter(Boolean);
    const unknownBackend = named?.find((b) => !(BACKENDS as readonly string[]).includes(b));
    if (named && (unknownBackend !== undefined || named.length === 0)) {
      throw new CliError(`bench: --backend must be one or more of ${BACKENDS.join(', ')}; got "${unknownBackend ?? flags.backend}".`);
    }
    const seconds = numberFlag(flags.seconds, 'seconds', 3, (v) => v > 0 && v <= 600, 'a number of seconds between 0 and 600');
    const rounds = numberFlag(flags.rounds, 'rounds', 3, (v) => Number.isInteger(v) && v >= 1 && v <= 20, 'a whole number of rounds from 1 to 20');
    let backends: string[] | undefined;
    if (named) {
      const auto = named.includes('auto') ? (await probeFastestBackend(['cpu', 'wasm'])).backend : null;
      backends = [...new Set(named.map((b) => (b === 'auto' ? auto! : b)))];
    }
    const report = await runBench({
      models,
      backends,
      seconds,
      rounds,
      log: flags.json ? undefined : (line) => process.stderr.write(`${line}\n`),
    });
    if (backends && report.results.length === 0) {
      const why = (report.unavailable ?? []).map((u) => `${u.backend}: ${u.reason}`).join('; ');
      throw new CliError(`bench: ${backends.length === 1 ? `the ${backends[0]} backend is` : 'none of those backends is'} not available on this machine${why ? ` (${why})` : ''}.`, 1);
    }
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
