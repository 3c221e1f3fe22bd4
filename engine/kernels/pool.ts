// 2-D max and average pooling (NHWC) and their gradients, in plain JS over typed arrays with the
// channel loop innermost (contiguous in NHWC); large tensors' pooling and max-pool gradients run in WebAssembly. Semantics follow the stock cpu kernels exactly:
// max picks the first maximum in row-major window order; avg divides by the in-image tap count, while
// its gradient spreads dy by 1 / (filterHeight * filterWidth) as stock AvgPoolGrad does.
import type { backend_util } from '@tensorflow/tfjs-core';
import { simd, type SimdRuntime } from './simd/runtime';
import { parallelRange } from './gemm';

type PoolInfo = backend_util.Conv2DInfo;

/** The pooling's geometry words as the SIMD kernels read them (G_* in kernels.as), at an arena address. */
function poolGeometry(rt: SimdRuntime, pi: PoolInfo): number {
  return rt.putI32([pi.batchSize, pi.inHeight, pi.inWidth, pi.inChannels, pi.filterHeight, pi.filterWidth, pi.strideHeight, pi.strideWidth,
    pi.dilationHeight, pi.dilationWidth, pi.padInfo.top, pi.padInfo.left, pi.outHeight, pi.outWidth]);
}

export function maxPool(pi: PoolInfo, x: Float32Array): Float32Array {
  return poolForward(pi, x, true);
}

export function avgPool(pi: PoolInfo, x: Float32Array): Float32Array {
  return poolForward(pi, x, false);
}

function poolForward(pi: PoolInfo, x: Float32Array, isMax: boolean): Float32Array {
  if (x.length >= 65536) {
    // Large: SIMD on the shared arena, one task per image (a JS loop is ~10 ns a value here).
    const rt = simd();
    rt.reset();
    const px = rt.put(x), size = pi.batchSize * pi.outHeight * pi.outWidth * pi.inChannels, py = rt.result(size);
    const g = poolGeometry(rt, pi);
    const works = Array.from({ length: rt.threads }, () => rt.alloc(2 * pi.filterHeight * pi.filterWidth + 16));
    rt.runTasks('pool2d', Array.from({ length: pi.batchSize }, (_, n) => [px, py, g, isMax ? 1 : 0, n, n + 1]), (t) => [works[t]!]);
    return rt.view(py, size);
  }
  const { batchSize: N, inHeight: H, inWidth: W, inChannels: C, outHeight: OH, outWidth: OW } = pi;
  const { strideHeight: sh, strideWidth: sw, dilationHeight: dh, dilationWidth: dw } = pi;
  const eh = pi.effectiveFilterHeight, ew = pi.effectiveFilterWidth;
  const pt = pi.padInfo.top, pl = pi.padInfo.left;
  const out = new Float32Array(N * OH * OW * C);
  const acc = new Float64Array(C); // avg sums in float64 like the stock kernel's JS numbers
  for (let n = 0; n < N; n++) {
    for (let oy = 0; oy < OH; oy++) {
      const y0 = oy * sh - pt;
      const yMin = Math.max(0, y0), yMax = Math.min(H, y0 + eh);
      for (let ox = 0; ox < OW; ox++) {
        const x0 = ox * sw - pl;
        const xMin = Math.max(0, x0), xMax = Math.min(W, x0 + ew);
        const o = ((n * OH + oy) * OW + ox) * C;
        acc.fill(isMax ? -Infinity : 0);
        let count = 0;
        for (let iy = yMin; iy < yMax; iy += dh) {
          for (let ix = xMin; ix < xMax; ix += dw) {
            const p = ((n * H + iy) * W + ix) * C;
            if (isMax) {
              for (let c = 0; c < C; c++) { const v = x[p + c]!; if (v > acc[c]!) acc[c] = v; }
            } else {
              for (let c = 0; c < C; c++) acc[c]! += x[p + c]!;
              count++;
            }
          }
        }
        if (isMax) for (let c = 0; c < C; c++) out[o + c] = acc[c]!;
        else for (let c = 0; c < C; c++) out[o + c] = acc[c]! / count;
      }
    }
  }
  return out;
}

/** From this many input values the max-pool gradient runs in WebAssembly for any window. */
const MAX_POOL_GRAD_SIMD_MIN = 16384;

/** 2x2 windows, stride 2, no padding or dilation, every window inside the image: maxPoolGrad2x2's case. */
export function isMaxPool2x2(pi: PoolInfo): boolean {
  return pi.effectiveFilterHeight === 2 && pi.effectiveFilterWidth === 2 && pi.strideHeight === 2 && pi.strideWidth === 2 &&
    pi.dilationHeight === 1 && pi.dilationWidth === 1 && pi.padInfo.top === 0 && pi.padInfo.left === 0 && 2 * pi.outHeight <= pi.inHeight && 2 * pi.outWidth <= pi.inWidth;
}

/**
 * dx for max pooling: each dy goes to the first maximum of its window in x. Written into `out` when
 * given (e.g. a backend's own output buffer).
 */
export function maxPoolGrad(pi: PoolInfo, dy: Float32Array, x: Float32Array, out?: Float32Array): Float32Array {
  const { batchSize: N, inHeight: H, inWidth: W, inChannels: C, outHeight: OH, outWidth: OW } = pi;
  const { strideHeight: sh, strideWidth: sw, dilationHeight: dh, dilationWidth: dw } = pi;
  const eh = pi.effectiveFilterHeight, ew = pi.effectiveFilterWidth;
  const pt = pi.padInfo.top, pl = pi.padInfo.left;
  // The common case (2×2 windows, stride 2, no padding or dilation) in WebAssembly, split by image.
  // Every window must lie inside the image ('same' on an odd size pads the last one).
  if (isMaxPool2x2(pi)) {
    const rt = simd();
    rt.reset();
    const px = rt.put(x), pdy = rt.put(dy);
    const pdx = rt.alloc(x.length);
    parallelRange(rt, N, 8, (lo, hi) => ({ fn: 'maxPoolGrad2x2', args: [px, pdy, pdx, H, W, C, OH, OW, lo, hi] }));
    if (out) { out.set(rt.view(pdx, x.length)); return out; }
    return rt.view(pdx, x.length);
  }
  if (x.length >= MAX_POOL_GRAD_SIMD_MIN) {
    // Any other window in WebAssembly SIMD, one task per image (JS: 3-4x slower than PyTorch on
    // 3x3 stride-2 windows), straight into `out` where it is a view of the kernels' memory.
    const rt = simd();
    rt.reset();
    const px = rt.put(x), pdy = rt.put(dy);
    const target = out ?? new Float32Array(x.length);
    const inPlace = rt.inPlaceAddress(target);
    const pdx = inPlace || rt.alloc(x.length);
    const g = poolGeometry(rt, pi);
    parallelRange(rt, N, 1, (lo, hi) => ({ fn: 'maxPoolGradAny', args: [px, pdy, pdx, g, lo, hi] }));
    if (!inPlace) target.set(rt.view(pdx, x.length));
    return target;
  }
  const dx = out ? out.fill(0) : new Float32Array(N * H * W * C);
  const best = new Float32Array(C);
  const where = new Int32Array(C);
  for (let n = 0; n < N; n++) {
    for (let oy = 0; oy < OH; oy++) {
      const y0 = oy * sh - pt;
      const yMin = Math.max(0, y0), yMax = Math.min(H, y0 + eh);
      for (let ox = 0; ox < OW; ox++) {
        const x0 = ox * sw - pl;
        const xMin = Math.max(0, x0), xMax = Math.min(W, x0 + ew);
        for (let c = 0; c < C; c++) {
          best[c] = -Infinity;
          where[c] = -1;
        }
        for (let iy = yMin; iy < yMax; iy += dh) {
          for (let ix = xMin; ix < xMax; ix += dw) {
            const p = ((n * H + iy) * W + ix) * C;
            for (let c = 0; c < C; c++) {
              const v = x[p + c]!;
              if (v > best[c]!) { best[c] = v; where[c] = p + c; }
            }
          }
        }
        const o = ((n * OH + oy) * OW + ox) * C;
        for (let c = 0; c < C; c++) { const w = where[c]!; if (w >= 0) dx[w]! += dy[o + c]!; }
      }
    }
  }
  return dx;
}

/** dx for average pooling, as the stock cpu AvgPoolGrad computes it. */
export function avgPoolGrad(pi: PoolInfo, dy: Float32Array): Float32Array {
  const { batchSize: N, inHeight: H, inWidth: W, inChannels: C, outHeight: OH, outWidth: OW } = pi;
  const { strideHeight: sh, strideWidth: sw, dilationHeight: dh, dilationWidth: dw } = pi;
  const eh = pi.effectiveFilterHeight, ew = pi.effectiveFilterWidth;
  const pt = pi.padInfo.top, pl = pi.padInfo.left;
  const mult = 1 / (pi.filterHeight * pi.filterWidth);
  const acc = new Float64Array(N * H * W * C);
  for (let n = 0; n < N; n++) {
    for (let oy = 0; oy < OH; oy++) {
      const y0 = oy * sh - pt;
      for (let ox = 0; ox < OW; ox++) {
        const x0 = ox * sw - pl;
        const o = ((n * OH + oy) * OW + ox) * C;
        for (let ky = 0; ky < eh; ky += dh) {
          const iy = y0 + ky;
          if (iy < 0 || iy >= H) continue;
          for (let kx = 0; kx < ew; kx += dw) {
            const ix = x0 + kx;
            if (ix < 0 || ix >= W) continue;
            const p = ((n * H + iy) * W + ix) * C;
            for (let c = 0; c < C; c++) acc[p + c]! += dy[o + c]!;
          }
        }
      }
    }
  }
  const dx = new Float32Array(acc.length);
  for (let i = 0; i < acc.length; i++) dx[i] = acc[i]! * mult;
  return dx;
}
