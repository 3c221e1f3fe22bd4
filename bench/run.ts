// `npm run bench`: LeNet-5 and the MNIST MLP on every available backend plus PyTorch CPU, one LeNet-5
// epoch over 10,000 samples, printed as a table and then as JSON. BENCH_SECONDS overrides the
// per-measurement time (default 3 s; the whole run then takes about 1-2 minutes on 2 cores).
import { formatBench, runBench } from '../engine/bench/bench';

const seconds = Number(process.env.BENCH_SECONDS) > 0 ? Number(process.env.BENCH_SECONDS) : 3;
async function main(): Promise<void> {
  const report = await runBench({ models: ['lenet5', 'mnist-mlp'], seconds, epochSamples: 10_000, log: (l) => process.stderr.write(`${l}\n`) });
  process.stdout.write(`${formatBench(report)}\n\n${JSON.stringify(report, null, 2)}\n`);
}

main().then(() => process.exit(0), (e: unknown) => {
  console.error(e);
  process.exit(1);
});
