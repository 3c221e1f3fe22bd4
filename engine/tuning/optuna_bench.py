"""Optuna's TPESampler (and RandomSampler) on standard test functions, for Glasswing's tuning bench.

Usage: python3 optuna_bench.py --trials 50 --seeds 20 [--functions branin,hartmann6] [--random]
Prints one JSON object: {"optuna": version, "results": {function: {"tpe": [best per seed],
"random": [...]}}, "seconds": {...}}. Seeds are 0..N-1.
"""
import argparse
import json
import math
import sys
import time

import optuna

optuna.logging.set_verbosity(optuna.logging.ERROR)


def branin(trial):
    x1 = trial.suggest_float("x1", -5.0, 10.0)
    x2 = trial.suggest_float("x2", 0.0, 15.0)
    a, b, c, r, s, t = 1.0, 5.1 / (4 * math.pi ** 2), 5 / math.pi, 6.0, 10.0, 1 / (8 * math.pi)
    return a * (x2 - b * x1 ** 2 + c * x1 - r) ** 2 + s * (1 - t) * math.cos(x1) + s


H_ALPHA = [1.0, 1.2, 3.0, 3.2]
H_A = [
    [10, 3, 17, 3.5, 1.7, 8],
    [0.05, 10, 17, 0.1, 8, 14],
    [3, 3.5, 1.7, 10, 17, 8],
    [17, 8, 0.05, 10, 0.1, 14],
]
H_P = [
    [1312, 1696, 5569, 124, 8283, 5886],
    [2329, 4135, 8307, 3736, 1004, 9991],
    [2348, 1451, 3522, 2883, 3047, 6650],
    [4047, 8828, 8732, 5743, 1091, 381],
]


def hartmann6(trial):
    x = [trial.suggest_float(f"x{i + 1}", 0.0, 1.0) for i in range(6)]
    total = 0.0
    for i in range(4):
        inner = sum(H_A[i][j] * (x[j] - H_P[i][j] * 1e-4) ** 2 for j in range(6))
        total += H_ALPHA[i] * math.exp(-inner)
    return -total


FUNCTIONS = {"branin": branin, "hartmann6": hartmann6}


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--trials", type=int, default=50)
    parser.add_argument("--seeds", type=int, default=20)
    parser.add_argument("--functions", default="branin,hartmann6")
    parser.add_argument("--random", action="store_true", help="also run RandomSampler")
    args = parser.parse_args()
    results = {}
    seconds = {}
    for name in args.functions.split(","):
        fn = FUNCTIONS[name]
        results[name] = {"tpe": []}
        if args.random:
            results[name]["random"] = []
        t0 = time.time()
        for seed in range(args.seeds):
            study = optuna.create_study(sampler=optuna.samplers.TPESampler(seed=seed))
            study.optimize(fn, n_trials=args.trials)
            results[name]["tpe"].append(study.best_value)
            if args.random:
                study = optuna.create_study(sampler=optuna.samplers.RandomSampler(seed=seed))
                study.optimize(fn, n_trials=args.trials)
                results[name]["random"].append(study.best_value)
        seconds[name] = time.time() - t0
    json.dump({"optuna": optuna.__version__, "trials": args.trials, "seeds": args.seeds, "results": results, "seconds": seconds}, sys.stdout)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
