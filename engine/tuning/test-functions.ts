// Standard black-box test functions for comparing samplers (the same as optuna_bench.py).
import type { SearchSpace } from './space';
import type { Trial } from './study';

export interface TestFunction {
  name: string;
  space: SearchSpace;
  /** The global minimum, for regret. */
  optimum: number;
  evaluate(x: Record<string, number>): number;
}

export const BRANIN: TestFunction = {
  name: 'branin',
  space: { x1: { type: 'float', low: -5, high: 10 }, x2: { type: 'float', low: 0, high: 15 } },
  optimum: 0.39788735772973816,
  evaluate: ({ x1, x2 }) => {
    const b = 5.1 / (4 * Math.PI ** 2);
    const c = 5 / Math.PI;
    const t = 1 / (8 * Math.PI);
    return (x2! - b * x1! ** 2 + c * x1! - 6) ** 2 + 10 * (1 - t) * Math.cos(x1!) + 10;
  },
};

const H_ALPHA = [1.0, 1.2, 3.0, 3.2];
const H_A = [
  [10, 3, 17, 3.5, 1.7, 8],
  [0.05, 10, 17, 0.1, 8, 14],
  [3, 3.5, 1.7, 10, 17, 8],
  [17, 8, 0.05, 10, 0.1, 14],
];
const H_P = [
  [1312, 1696, 5569, 124, 8283, 5886],
  [2329, 4135, 8307, 3736, 1004, 9991],
  [2348, 1451, 3522, 2883, 3047, 6650],
  [4047, 8828, 8732, 5743, 1091, 381],
];

export const HARTMANN6: TestFunction = {
  name: 'hartmann6',
  space: Object.fromEntries(Array.from({ length: 6 }, (_, i) => [`x${i + 1}`, { type: 'float', low: 0, high: 1 }])) as SearchSpace,
  optimum: -3.3223680114155147,
  evaluate: (p) => {
    const x = Array.from({ length: 6 }, (_, i) => p[`x${i + 1}`]!);
    let total = 0;
    for (let i = 0; i < 4; i++) {
      let inner = 0;
      for (let j = 0; j < 6; j++) inner += H_A[i]![j]! * (x[j]! - H_P[i]![j]! * 1e-4) ** 2;
      total += H_ALPHA[i]! * Math.exp(-inner);
    }
    return -total;
  },
};

export const TEST_FUNCTIONS: Record<string, TestFunction> = { branin: BRANIN, hartmann6: HARTMANN6 };

/** An objective for Study.optimize that samples the function's parameters in Optuna's order. */
export function testObjective(fn: TestFunction): (trial: Trial) => number {
  const names = Object.keys(fn.space);
  return (trial) => {
    const x: Record<string, number> = {};
    for (const n of names) x[n] = trial.suggest(n, fn.space[n]!) as number;
    return fn.evaluate(x);
  };
}
