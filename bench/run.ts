// `npm run bench`: every benchmark Glasswing reports, printed as tables and then as one JSON.
//   training  — LeNet-5, the MNIST MLP, a CIFAR-size CNN, the residual template at 32×32×3 and
//               MobileNetV2 feature extraction at 224×224 per backend beside PyTorch CPU (three
//               rounds, medians), one LeNet-5 epoch (issues 7, 16)
//   import    — 10,000 generated 64×64 PNGs and a 100,000-row CSV: time and peak memory (issue 4)
//   tuning    — our TPE vs Optuna's TPE vs random search on Branin and Hartmann-6 (issue 8)
//   transfer  — a frozen pretrained backbone + head vs the same budget from scratch (issue 8)
//   dashboard — LeNet-5 training throughput with the dashboard open in Chromium vs the CLI (issue 5)
//   memory    — engine resident size over 30 MNIST-MLP trainings through the web host (issue 12)
//   gpu       — LeNet-5 and a CIFAR-size CNN on every GPU backend Chromium offers, beside wasm (issue 15)
// `npm run bench -- training tuning` runs a subset. BENCH_SECONDS sets the per-measurement time
// of the training bench (default 3 s), BENCH_ROUNDS its rounds (default 3), BENCH_MODELS its models
// (comma-separated, e.g. the extra size-class CNNs: cnn-5x5-48,cnn-strided-64,cnn-valid-48,cnn-5x5s2-64,cnn-strided-48,cifar-cnn-bn,lenet5-classic,cnn-leaky-gmp-48,cnn-7x7-64),
// BENCH_BACKENDS its backends (default: all available), BENCH_TORCH_THREADS PyTorch's threads (default:
// one per core; with GLASSWING_THREADS=1 too, a one-core comparison that other load on the machine
// does not distort as much).
import { DEFAULT_BENCH_MODELS, formatBench, runBench } from '../engine/bench/bench';
import { formatImportBench, runImportBench } from './import';
import { formatTuningBench, runTuningBench } from './tuning';
import { formatTransferBench, runTransferBench } from './transfer';
import { formatDashboardBench, runDashboardBench } from './dashboard';
import { formatMemoryBench, runMemoryBench } from './memory';
import { formatGpuBench, runGpuBench } from './gpu';

const ALL = ['training', 'import', 'tuning', 'transfer', 'dashboard', 'memory', 'gpu'] as const;
const seconds = Number(process.env.BENCH_SECONDS) > 0 ? Number(process.env.BENCH_SECONDS) : 3;
const rounds = Number(process.env.BENCH_ROUNDS) > 0 ? Number(process.env.BENCH_ROUNDS) : 3;
const list = (v: string | undefined): string[] | undefined => (v ? v.split(',').map((s) => s.trim()).filter(Boolean) : undefined);
const log = (l: string) => process.stderr.write(`${l}\n`);

async function main(): Promise<void> {
  const asked = process.argv.slice(2).filter((a) => (ALL as readonly string[]).includes(a));
  const which = asked.length ? asked : [...ALL];
  const json: Record<string, unknown> = {};
  if (which.includes('training')) {
    const report = await runBench({
      models: list(process.env.BENCH_MODELS) ?? DEFAULT_BENCH_MODELS, backends: list(process.env.BENCH_BACKENDS),
      seconds, rounds, epochSamples: 10_000, log,
    });
    process.stdout.write(`\n## Training and inference throughput\n${formatBench(report)}\n`);
    json['training'] = report;
  }
  if (which.includes('import')) {
    const report = await runImportBench({ log });
    process.stdout.write(`\n## Dataset import\n${formatImportBench(report)}\n`);
    json['import'] = report;
  }
  if (which.includes('tuning')) {
    const report = await runTuningBench({ log });
    process.stdout.write(`\n## Hyperparameter search: Glasswing TPE vs Optuna\n${formatTuningBench(report)}\n`);
    json['tuning'] = report;
  }
  if (which.includes('transfer')) {
    const report = await runTransferBench({});
    process.stdout.write(`\n## Transfer learning: pretrained backbone vs from scratch\n${formatTransferBench(report)}\n`);
    json['transfer'] = report;
  }
  if (which.includes('dashboard')) {
    const report = await runDashboardBench({ log });
    process.stdout.write(`\n## Training with the dashboard open vs headless\n${formatDashboardBench(report)}\n`);
    json['dashboard'] = report;
  }
  if (which.includes('memory')) {
    const report = await runMemoryBench({ log });
    process.stdout.write(`\n## Engine memory over 30 trainings\n${formatMemoryBench(report)}\n`);
    json['memory'] = report;
  }
  if (which.includes('gpu')) {
    const report = await runGpuBench({ log });
    process.stdout.write(`\n## GPU training through the page's compute worker\n${formatGpuBench(report)}\n`);
    json['gpu'] = report;
  }
  process.stdout.write(`\n${JSON.stringify(json, null, 2)}\n`);
}

main().then(
  () => process.exit(0),
  (e: unknown) => {
    console.error(e);
    process.exit(1);
  },
);
