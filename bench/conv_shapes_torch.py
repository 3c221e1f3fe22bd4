"""PyTorch's time for each pass of one convolution, the yardstick beside bench/conv-shapes.ts.

Reads the shapes as JSON (a list of {size, channels, filters, kernel, stride, padding}) from
--shapes, times batch --batch in NCHW float32 on the CPU with --threads threads, and prints one
JSON list of {forward, input, filter} milliseconds per call (median of 20 after warm-up). The
forward pass is conv + bias + relu, as Glasswing's fused kernel; the gradients are aten's
convolution_backward with one output each, which is what autograd runs. TF's 'same' padding is
given as the symmetric padding that yields the same output size (k // 2), so both sides multiply
the same number of times.
"""
import argparse
import json
import statistics
import time

import torch
import torch.nn.functional as fn


def ms_per_call(run):
    warm_until = time.perf_counter() + 0.4
    calls = 0
    while calls < 30 or time.perf_counter() < warm_until:
        run()
        calls += 1
    times = []
    for _ in range(20):
        t0 = time.perf_counter()
        run()
        times.append((time.perf_counter() - t0) * 1000)
    return statistics.median(times)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument('--shapes', required=True)
    parser.add_argument('--batch', type=int, default=32)
    parser.add_argument('--threads', type=int, default=2)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    out = []
    with torch.no_grad():
        for s in json.loads(args.shapes):
            k, stride = s['kernel'], s['stride']
            pad = k // 2 if s['padding'] == 'same' else 0
            x = torch.randn(args.batch, s['channels'], s['size'], s['size'])
            w = torch.randn(s['filters'], s['channels'], k, k)
            b = torch.randn(s['filters'])
            y = fn.conv2d(x, w, b, stride=stride, padding=pad)
            dy = torch.randn_like(y)

            def backward(mask):
                return torch.ops.aten.convolution_backward(dy, x, w, None, [stride, stride], [pad, pad], [1, 1], False, [0, 0], 1, mask)

            out.append({
                'forward': ms_per_call(lambda: torch.relu_(fn.conv2d(x, w, b, stride=stride, padding=pad))),
                'input': ms_per_call(lambda: backward([True, False, False])),
                'filter': ms_per_call(lambda: backward([False, True, False])),
                'output': list(y.shape[2:]),
            })
    print(json.dumps(out))


if __name__ == '__main__':
    main()
