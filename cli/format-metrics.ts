// Test metrics as the CLI prints them, one line.
import type { EvaluationMetrics, RegressionMetrics } from '../common/ipc/contract';

/** One line of test metrics, as the CLI prints them. */
export function formatTest(test: EvaluationMetrics | null, regression: RegressionMetrics | null | undefined): string | null {
  if (test) return `test: accuracy ${test.accuracy.toFixed(4)}  precision ${test.precision.toFixed(4)}  recall ${test.recall.toFixed(4)}  f1 ${test.f1.toFixed(4)}  (${test.examples} examples)`;
  if (regression) return `test: MAE ${regression.mae.toPrecision(4)}  RMSE ${regression.rmse.toPrecision(4)}  R² ${regression.r2.toFixed(4)}  (${regression.examples} examples)`;
  return null;
}
