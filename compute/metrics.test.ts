// Macro precision, recall and F1 as scikit-learn computes them (average='macro', zero_division=0):
// the values below are sklearn 1.2's for the same labels.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { classificationMetrics } from './metrics';

const close = (got: number, want: number, what: string) => assert.ok(Math.abs(got - want) < 1e-6, `${what}: ${got} vs ${want}`);

test("macro averages over the classes that occur (sklearn's labels), not every class the model knows", () => {
  const cases: [number[], number[], string[], [number, number, number]][] = [
    [[0, 0, 1, 1, 1, 0, 1, 0], [0, 1, 1, 1, 0, 0, 1, 0], ['a', 'b'], [0.75, 0.75, 0.75]],
    // Class 1 (b) neither occurs nor is predicted: it does not count as a 0.
    [[0, 0, 2, 2, 2, 0], [0, 2, 2, 2, 2, 0], ['a', 'b', 'c'], [0.875, 0.833333, 0.828571]],
    // Class 1 is predicted but never occurs: it counts (precision 0, recall 0), as in sklearn.
    [[0, 0, 0], [0, 1, 0], ['a', 'b', 'c'], [0.5, 0.333333, 0.4]],
  ];
  for (const [actual, predicted, classes, [p, r, f]] of cases) {
    const m = classificationMetrics(actual, predicted, classes);
    close(m.precision, p, 'precision');
    close(m.recall, r, 'recall');
    close(m.f1, f, 'f1');
    assert.equal(m.perClass.length, classes.length, 'every class keeps its row');
  }
});
