"""PyTorch CPU reference for Glasswing's bench: the same models as common/model/templates.ts, Adam,
categorical cross-entropy, synthetic data. Prints one JSON list of
{"model", "backend": "pytorch", "batchSize", "trainSamplesPerSec", "inferSamplesPerSec", "threads"}."""
import argparse
import json
import os
import time

import torch
import torch.nn as nn


def build(model):
    if model == 'lenet5':
        # Keras 'same' padding for a 5x5 stride-1 conv is padding=2.
        net = nn.Sequential(
            nn.Conv2d(1, 6, 5, padding=2), nn.ReLU(), nn.MaxPool2d(2),
            nn.Conv2d(6, 16, 5), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(),
            nn.Linear(400, 120), nn.ReLU(), nn.Linear(120, 84), nn.ReLU(), nn.Linear(84, 10))
        return net, (1, 28, 28), 10
    if model == 'mnist-mlp':
        return nn.Sequential(nn.Linear(784, 256), nn.ReLU(), nn.Linear(256, 10)), (784,), 10
    if model == 'iris-mlp':
        return nn.Sequential(nn.Linear(4, 12), nn.ReLU(), nn.Linear(12, 8), nn.ReLU(), nn.Linear(8, 3)), (4,), 3
    raise SystemExit('unknown model ' + model)


def timed(step, seconds):
    for _ in range(3):
        step()
    n = 0
    t0 = time.perf_counter()
    while True:
        step()
        n += 1
        dt = time.perf_counter() - t0
        if dt >= seconds:
            return n / dt


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--models', default='lenet5,mnist-mlp')
    ap.add_argument('--batch', type=int, default=64)
    ap.add_argument('--seconds', type=float, default=3.0)
    ap.add_argument('--threads', type=int, default=os.cpu_count() or 1)
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    torch.manual_seed(0)
    out = []
    for model in args.models.split(','):
        net, shape, classes = build(model)
        opt = torch.optim.Adam(net.parameters(), lr=1e-3)
        loss_fn = nn.CrossEntropyLoss()  # softmax + categorical cross-entropy, as the Keras model
        x = torch.rand(args.batch, *shape)
        y = torch.randint(0, classes, (args.batch,))

        def train():
            opt.zero_grad()
            loss = loss_fn(net(x), y)
            loss.backward()
            opt.step()

        def infer():
            with torch.no_grad():
                torch.softmax(net(x), dim=1)

        train_rate = timed(train, args.seconds) * args.batch
        net.eval()
        infer_rate = timed(infer, args.seconds / 2) * args.batch
        out.append({'model': model, 'backend': 'pytorch', 'batchSize': args.batch,
                    'trainSamplesPerSec': round(train_rate, 1), 'inferSamplesPerSec': round(infer_rate, 1),
                    'threads': args.threads, 'version': torch.__version__})
    print(json.dumps(out))


if __name__ == '__main__':
    main()
