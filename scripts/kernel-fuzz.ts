// `npm run fuzz:kernels`: the kernel fuzzer (engine/kernels/fuzz.ts) at full size — 300 random
// convolutions, 300 cases of the other kernels and 200 random models from FUZZ_SEED (default 1),
// each against TF.js's stock cpu kernels. Exits non-zero on any wrong result. CI runs a few seeds of
// each as a unit test (engine/kernels/fuzz.test.ts). About 15 minutes on 2 cores.
import { fuzzKernels } from '../engine/kernels/fuzz';

const count = (name: string, fallback: number): number => Number(process.env[name] ?? fallback);

fuzzKernels({
  seed: count('FUZZ_SEED', 1), convCases: count('FUZZ_CONV', 300), opCases: count('FUZZ_OPS', 300), models: count('FUZZ_MODELS', 200),
  log: (l) => process.stderr.write(`${l}\n`),
}).then(
  (report) => {
    if (report.failures.length) {
      process.stderr.write(`fuzz:kernels: ${report.failures.length} of ${report.checks} checks gave another result than the stock kernels\n`);
      process.exit(1);
    }
    process.stderr.write(`fuzz:kernels: ${report.checks} checks matched the stock kernels\n`);
  },
  (e: unknown) => {
    process.stderr.write(`fuzz:kernels failed: ${(e as Error).stack ?? e}\n`);
    process.exit(1);
  },
);
