// Classification metrics as scikit-learn computes them: per-class precision, recall and F1,
// their macro averages, accuracy and the confusion matrix (rows = actual, columns = predicted).
import type { EvaluationMetrics, RegressionMetrics } from '../common/ipc/contract';

export function classificationMetrics(actual: ArrayLike<number>, predicted: ArrayLike<number>, classes: string[]): EvaluationMetrics {
  const k = classes.length;
  const confusion = Array.from({ length: k }, () => new Array<number>(k).fill(0));
  let correct = 0;
  for (let i = 0; i < actual.length; i++) {
    const a = actual[i]!;
    const p = predicted[i]!;
    confusion[a]![p]!++;
    if (a === p) correct++;
  }
  const perClass = classes.map((className, c) => {
    const tp = confusion[c]![c]!;
    const support = confusion[c]!.reduce((s, v) => s + v, 0);
    const predictedAs = confusion.reduce((s, row) => s + row[c]!, 0);
    const precision = predictedAs === 0 ? 0 : tp / predictedAs;
    const recall = support === 0 ? 0 : tp / support;
    const f1 = precision + recall === 0 ? 0 : (2 * precision * recall) / (precision + recall);
    return { className, precision, recall, f1, support };
  });
  const mean = (xs: number[]) => (xs.length ? xs.reduce((s, v) => s + v, 0) / xs.length : 0);
  // Macro averages over the classes that occur, as actual or predicted (scikit-learn's default
  // labels): a class absent from both, e.g. one the model knows but this data lacks, is not a 0.
  const present = perClass.filter((c, i) => c.support > 0 || confusion.some((row) => row[i]! > 0));
  return {
    accuracy: actual.length ? correct / actual.length : 0,
    precision: mean(present.map((c) => c.precision)),
    recall: mean(present.map((c) => c.recall)),
    f1: mean(present.map((c) => c.f1)),
    perClass,
    confusion,
    classes,
    examples: actual.length,
  };
}

/** Regression metrics: mean absolute error, root mean squared error and R² (1 − SSres/SStot). */
export function regressionMetrics(actual: ArrayLike<number>, predicted: ArrayLike<number>): RegressionMetrics {
  const n = actual.length;
  let abs = 0;
  let sq = 0;
  let mean = 0;
  for (let i = 0; i < n; i++) mean += actual[i]!;
  mean /= Math.max(1, n);
  let tot = 0;
  for (let i = 0; i < n; i++) {
    const e = predicted[i]! - actual[i]!;
    abs += Math.abs(e);
    sq += e * e;
    tot += (actual[i]! - mean) ** 2;
  }
  const step = Math.max(1, Math.ceil(n / 1000));
  const points: [number, number][] = [];
  for (let i = 0; i < n; i += step) points.push([actual[i]!, predicted[i]!]);
  return { mae: n ? abs / n : 0, rmse: n ? Math.sqrt(sq / n) : 0, r2: tot === 0 ? 0 : 1 - sq / tot, examples: n, points };
}
