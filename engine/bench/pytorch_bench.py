"""PyTorch reference (CPU, or --device cuda/mps) for Glasswing's bench: the same models as engine/bench/models.ts (by name),
Adam, categorical cross-entropy, synthetic data; feature extractors (mobilenet-v2) on inference only. Prints one JSON list of
{"model", "backend": "pytorch" (or "pytorch-cuda", "pytorch-mps"), "batchSize", "trainSamplesPerSec", "inferSamplesPerSec", "threads"}."""
import argparse
import json
import os
import time

import torch
import torch.nn as nn


def cnn(in_shape, stages, classes):
    """Mirror of models.ts cnn(): relu convolutions ('same' or 'valid'; batch_norm: no bias, batch
    normalization before the relu), 2x2 max-pools, dropout, flatten or global average pooling, relu
    dense layers, then the classifier."""
    c, h, w = in_shape
    layers = []
    for s in stages:
        if s == 'pool':
            layers.append(nn.MaxPool2d(2))
            h, w = h // 2, w // 2
        elif s == 'gap':
            layers += [nn.AdaptiveAvgPool2d(1), nn.Flatten()]
            c, h, w = c, 1, 1
        elif s == 'flatten':
            layers.append(nn.Flatten())
            c, h, w = c * h * w, 1, 1
        elif 'dropout' in s:
            layers.append(nn.Dropout(s['dropout']))
        elif 'dense' in s:
            layers += [nn.Linear(c, s['dense']), nn.ReLU()]
            c = s['dense']
        else:
            k, st, same = s['kernel'], s.get('stride', 1), s.get('padding', 'same') == 'same'
            # Keras 'same': output ceil(size / stride); PyTorch pads symmetrically (same cost).
            pad = k // 2 if same else 0
            if s.get('batch_norm'):
                layers += [nn.Conv2d(c, s['filters'], k, stride=st, padding=pad, bias=False), nn.BatchNorm2d(s['filters']), nn.ReLU()]
            else:
                layers += [nn.Conv2d(c, s['filters'], k, stride=st, padding=pad), nn.ReLU()]
            c = s['filters']
            h = (h + 2 * pad - k) // st + 1
            w = (w + 2 * pad - k) // st + 1
    layers.append(nn.Linear(c, classes))
    return nn.Sequential(*layers)


class Residual(nn.Module):
    """The 'residual-cnn' template: conv16, [conv16, conv16 linear] + skip, relu, pool, GAP, dense."""

    def __init__(self, ch, classes):
        super().__init__()
        self.c1 = nn.Conv2d(ch, 16, 3, padding=1)
        self.c2 = nn.Conv2d(16, 16, 3, padding=1)
        self.c3 = nn.Conv2d(16, 16, 3, padding=1)
        self.head = nn.Sequential(nn.MaxPool2d(2), nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(16, classes))

    def forward(self, x):
        a = torch.relu(self.c1(x))
        b = self.c3(torch.relu(self.c2(a)))
        return self.head(torch.relu(a + b))


def conv(f, k, **kw):
    return dict(filters=f, kernel=k, **kw)


def build(model):
    """(network, input shape CHW, classes; 0 classes: inference only)."""
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
    if model == 'cifar-cnn':
        return cnn((3, 32, 32), [conv(32, 3), conv(32, 3), 'pool', conv(64, 3), conv(64, 3), 'pool', 'flatten', {'dense': 512}], 10), (3, 32, 32), 10
    if model == 'cifar-cnn-bn':
        bn = dict(batch_norm=True)
        return cnn((3, 32, 32), [conv(32, 3, **bn), conv(32, 3, **bn), 'pool', {'dropout': 0.25}, conv(64, 3, **bn), conv(64, 3, **bn), 'pool', {'dropout': 0.25},
                                 'flatten', {'dense': 512}, {'dropout': 0.5}], 10), (3, 32, 32), 10
    if model == 'lenet5-classic':
        net = nn.Sequential(
            nn.Conv2d(1, 6, 5, padding=2), nn.Tanh(), nn.AvgPool2d(2),
            nn.Conv2d(6, 16, 5), nn.Tanh(), nn.AvgPool2d(2), nn.Flatten(),
            nn.Linear(400, 120), nn.Tanh(), nn.Linear(120, 84), nn.Tanh(), nn.Linear(84, 10))
        return net, (1, 28, 28), 10
    if model == 'cnn-leaky-gmp-48':
        def block(i, o):
            return [nn.Conv2d(i, o, 3, padding=1), nn.LeakyReLU(0.1)]
        net = nn.Sequential(*block(3, 32), nn.MaxPool2d(3, 2, 1), *block(32, 64), nn.MaxPool2d(3, 2, 1), *block(64, 128),
                            nn.AdaptiveMaxPool2d(1), nn.Flatten(), nn.Linear(128, 10))
        return net, (3, 48, 48), 10
    if model == 'residual-cnn':
        return Residual(3, 10), (3, 32, 32), 10
    if model == 'mobilenet-v2':
        # torchvision's MobileNetV2 (random weights) cut where Glasswing's bundled backbone ends:
        # features[0] is the stem, features[1..11] Keras's blocks 0-10 (to block_10_project_BN).
        import torchvision
        feats = torchvision.models.mobilenet_v2(weights=None).features[:12]
        return nn.Sequential(feats, nn.AdaptiveAvgPool2d(1), nn.Flatten()), (3, 224, 224), 0
    if model == 'cnn-5x5-48':
        return cnn((3, 48, 48), [conv(32, 5), 'pool', conv(64, 5), 'pool', conv(64, 5), 'pool', 'flatten', {'dense': 256}], 10), (3, 48, 48), 10
    if model == 'cnn-strided-64':
        return cnn((3, 64, 64), [conv(32, 3, stride=2), conv(32, 3), conv(64, 3, stride=2), conv(64, 3),
                                 conv(128, 3, stride=2), conv(128, 3), 'gap'], 10), (3, 64, 64), 10
    if model == 'cnn-strided-48':
        return cnn((3, 48, 48), [conv(32, 3, stride=2), conv(64, 3, stride=2), conv(128, 3, stride=2), 'gap'], 10), (3, 48, 48), 10
    if model == 'cnn-5x5s2-64':
        return cnn((3, 64, 64), [conv(32, 5, stride=2), conv(64, 5, stride=2), conv(128, 5, stride=2), 'gap'], 10), (3, 64, 64), 10
    if model == 'cnn-7x7-64':
        return cnn((3, 64, 64), [conv(32, 7), 'pool', conv(64, 7), 'pool', conv(64, 7), 'pool', 'gap'], 10), (3, 64, 64), 10
    if model == 'cnn-valid-48':
        v = dict(padding='valid')
        return cnn((3, 48, 48), [conv(32, 3, **v), conv(32, 3, **v), 'pool', conv(64, 3, **v), conv(64, 3, **v), 'pool', 'gap', {'dense': 128}], 10), (3, 48, 48), 10
    raise SystemExit('unknown model ' + model)


def synchronizer(device):
    """Waits for the device's queued work: GPU calls return before the GPU has finished."""
    if device.type == 'cuda':
        return torch.cuda.synchronize
    if device.type == 'mps':
        return torch.mps.synchronize
    return lambda: None


def timed(step, seconds, sync=lambda: None):
    """Warm-up (3 calls, or fewer when they take over `seconds`), then calls per second over `seconds`."""
    w0 = time.perf_counter()
    for i in range(3):
        if i > 0 and time.perf_counter() - w0 >= seconds:
            break
        step()
        sync()
    n = 0
    t0 = time.perf_counter()
    while True:
        step()
        sync()
        n += 1
        dt = time.perf_counter() - t0
        if dt >= seconds:
            return n / dt


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--models', default='lenet5:64,mnist-mlp:64', help='comma-separated model[:batch]')
    ap.add_argument('--batch', type=int, default=64, help='batch for models given without one')
    ap.add_argument('--seconds', type=float, default=3.0)
    ap.add_argument('--threads', type=int, default=os.cpu_count() or 1)
    ap.add_argument('--device', default='cpu', help='cpu, cuda or mps')
    args = ap.parse_args()
    device = torch.device(args.device)
    sync = synchronizer(device)
    torch.set_num_threads(args.threads)
    torch.manual_seed(0)
    out = []
    for item in args.models.split(','):
        model, _, b = item.partition(':')
        batch = int(b) if b else args.batch
        net, shape, classes = build(model)
        net = net.to(device)
        x = torch.rand(batch, *shape, device=device)
        train_rate = 0.0
        if classes > 0:
            opt = torch.optim.Adam(net.parameters(), lr=1e-3)
            loss_fn = nn.CrossEntropyLoss()  # softmax + categorical cross-entropy, as the Keras model
            y = torch.randint(0, classes, (batch,), device=device)

            def train():
                opt.zero_grad()
                loss = loss_fn(net(x), y)
                loss.backward()
                opt.step()

            train_rate = timed(train, args.seconds, sync) * batch

        def infer():
            with torch.no_grad():
                out_ = net(x)
                if classes > 0:
                    torch.softmax(out_, dim=1)

        net.eval()
        infer_rate = timed(infer, args.seconds / 2 if classes > 0 else args.seconds, sync) * batch
        out.append({'model': model, 'backend': 'pytorch' if device.type == 'cpu' else 'pytorch-' + device.type, 'batchSize': batch,
                    'trainSamplesPerSec': round(train_rate, 1), 'inferSamplesPerSec': round(infer_rate, 1),
                    'threads': args.threads, 'version': torch.__version__})
    print(json.dumps(out))


if __name__ == '__main__':
    main()
