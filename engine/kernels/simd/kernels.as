// SIMD compute core of the fast kernel pack, in AssemblyScript (compiled by scripts in
// engine/kernels/simd/build.mjs to kernels.wasm, shipped as base64 in simd-binary.ts so that installs
// need no toolchain). Every function works on raw byte addresses in one imported shared memory, so
// worker threads running the same module can split a job by rows without copying.
//
// GEMM is BLIS-style: B is packed in panels of NR columns, A in panels of MR rows, and a register-tiled
// MR x NR micro-kernel does the multiply-adds with f32x4 vectors. Strides on A and B let one routine
// serve A*B, A^T*B and A*B^T (dense layers, im2col convolutions and their gradients).

const MR: i32 = 6;
const NR: i32 = 8;
const KC: i32 = 256;
const MC: i32 = 72;
const NC: i32 = 2048;

/** Bytes of scratch one gemm call needs (packed A block, packed B panel, edge tile). */
export function gemmWorkBytes(): i32 {
  return (MC * KC + KC * NC + MR * NR) * 4 + 64;
}

// C(MR x NR, row stride ldc bytes) += Ap(kc x MR) * Bp(kc x NR), or = when !acc (edge tiles go to a
// scratch tile first, of which only the valid part is added to C).
function kernel(kc: i32, ap: usize, bp: usize, c: usize, ldc: usize, acc: bool): void {
  let c00 = f32x4.splat(0), c01 = f32x4.splat(0);
  let c10 = f32x4.splat(0), c11 = f32x4.splat(0);
  let c20 = f32x4.splat(0), c21 = f32x4.splat(0);
  let c30 = f32x4.splat(0), c31 = f32x4.splat(0);
  let c40 = f32x4.splat(0), c41 = f32x4.splat(0);
  let c50 = f32x4.splat(0), c51 = f32x4.splat(0);
  for (let k = 0; k < kc; k++) {
    const b0 = v128.load(bp);
    const b1 = v128.load(bp, 16);
    let a = v128.load32_splat(ap);
    c00 = f32x4.add(c00, f32x4.mul(a, b0)); c01 = f32x4.add(c01, f32x4.mul(a, b1));
    a = v128.load32_splat(ap, 4);
    c10 = f32x4.add(c10, f32x4.mul(a, b0)); c11 = f32x4.add(c11, f32x4.mul(a, b1));
    a = v128.load32_splat(ap, 8);
    c20 = f32x4.add(c20, f32x4.mul(a, b0)); c21 = f32x4.add(c21, f32x4.mul(a, b1));
    a = v128.load32_splat(ap, 12);
    c30 = f32x4.add(c30, f32x4.mul(a, b0)); c31 = f32x4.add(c31, f32x4.mul(a, b1));
    a = v128.load32_splat(ap, 16);
    c40 = f32x4.add(c40, f32x4.mul(a, b0)); c41 = f32x4.add(c41, f32x4.mul(a, b1));
    a = v128.load32_splat(ap, 20);
    c50 = f32x4.add(c50, f32x4.mul(a, b0)); c51 = f32x4.add(c51, f32x4.mul(a, b1));
    ap += MR * 4;
    bp += NR * 4;
  }
  if (acc) {
    v128.store(c, f32x4.add(v128.load(c), c00)); v128.store(c, f32x4.add(v128.load(c, 16), c01), 16); c += ldc;
    v128.store(c, f32x4.add(v128.load(c), c10)); v128.store(c, f32x4.add(v128.load(c, 16), c11), 16); c += ldc;
    v128.store(c, f32x4.add(v128.load(c), c20)); v128.store(c, f32x4.add(v128.load(c, 16), c21), 16); c += ldc;
    v128.store(c, f32x4.add(v128.load(c), c30)); v128.store(c, f32x4.add(v128.load(c, 16), c31), 16); c += ldc;
    v128.store(c, f32x4.add(v128.load(c), c40)); v128.store(c, f32x4.add(v128.load(c, 16), c41), 16); c += ldc;
    v128.store(c, f32x4.add(v128.load(c), c50)); v128.store(c, f32x4.add(v128.load(c, 16), c51), 16);
  } else {
    v128.store(c, c00); v128.store(c, c01, 16); c += ldc;
    v128.store(c, c10); v128.store(c, c11, 16); c += ldc;
    v128.store(c, c20); v128.store(c, c21, 16); c += ldc;
    v128.store(c, c30); v128.store(c, c31, 16); c += ldc;
    v128.store(c, c40); v128.store(c, c41, 16); c += ldc;
    v128.store(c, c50); v128.store(c, c51, 16);
  }
}

// Packs rows [0, mc) x cols [0, kc) of A (element strides rsa, csa) into MR-row panels, zero-padded.
function packA(mc: i32, kc: i32, a: usize, rsa: i32, csa: i32, dst: usize): void {
  for (let i0 = 0; i0 < mc; i0 += MR) {
    const rows = min(MR, mc - i0);
    const base = a + <usize>(i0 * rsa) * 4;
    if (rows == MR && rsa == 1) {
      for (let k = 0; k < kc; k++) {
        const src = base + <usize>(k * csa) * 4;
        v128.store(dst, v128.load(src));
        store<u64>(dst, load<u64>(src, 16), 16);
        dst += MR * 4;
      }
    } else {
      for (let k = 0; k < kc; k++) {
        const src = base + <usize>(k * csa) * 4;
        for (let r = 0; r < MR; r++) {
          store<f32>(dst + <usize>r * 4, r < rows ? load<f32>(src + <usize>(r * rsa) * 4) : 0);
        }
        dst += MR * 4;
      }
    }
  }
}

// Packs rows [0, kc) x cols [0, nc) of B (element strides rsb, csb) into NR-column panels, zero-padded.
function packB(kc: i32, nc: i32, b: usize, rsb: i32, csb: i32, dst: usize): void {
  for (let j0 = 0; j0 < nc; j0 += NR) {
    const cols = min(NR, nc - j0);
    const base = b + <usize>(j0 * csb) * 4;
    if (cols == NR && csb == 1) {
      for (let k = 0; k < kc; k++) {
        const src = base + <usize>(k * rsb) * 4;
        v128.store(dst, v128.load(src));
        v128.store(dst, v128.load(src, 16), 16);
        dst += NR * 4;
      }
    } else {
      for (let k = 0; k < kc; k++) {
        const src = base + <usize>(k * rsb) * 4;
        for (let j = 0; j < NR; j++) {
          store<f32>(dst + <usize>j * 4, j < cols ? load<f32>(src + <usize>(j * csb) * 4) : 0);
        }
        dst += NR * 4;
      }
    }
  }
}

/**
 * C[i*ldc + j] += sum_k (or = when `overwrite` is 1) A(i,k) * B(k,j) for i < M, j < N, where A(i,k) = a[i*rsa + k*csa] and
 * B(k,j) = b[k*rsb + j*csb] (element strides; addresses in bytes). `work` is gemmWorkBytes() of scratch.
 */
export function gemm(M: i32, N: i32, K: i32, a: usize, rsa: i32, csa: i32, b: usize, rsb: i32, csb: i32, c: usize, ldc: i32, work: usize, overwrite: i32): void {
  const pa = (work + 15) & ~(<usize>15);
  const pb = pa + <usize>(MC * KC) * 4;
  const tmp = pb + <usize>(KC * NC) * 4;
  for (let jc = 0; jc < N; jc += NC) {
    const nc = min(NC, N - jc);
    for (let pc = 0; pc < K; pc += KC) {
      const kc = min(KC, K - pc);
      packB(kc, nc, b + <usize>(pc * rsb + jc * csb) * 4, rsb, csb, pb);
      for (let ic = 0; ic < M; ic += MC) {
        const mc = min(MC, M - ic);
        packA(mc, kc, a + <usize>(ic * rsa + pc * csa) * 4, rsa, csa, pa);
        for (let jr = 0; jr < nc; jr += NR) {
          const nr = min(NR, nc - jr);
          const bp = pb + <usize>(jr * kc) * 4;
          for (let ir = 0; ir < mc; ir += MR) {
            const mr = min(MR, mc - ir);
            const ap = pa + <usize>(ir * kc) * 4;
            const cp = c + <usize>((ic + ir) * ldc + jc + jr) * 4;
            // The first K block overwrites C when asked (saves the caller zeroing it), later ones add.
            const add = overwrite == 0 || pc > 0;
            if (mr == MR && nr == NR) {
              kernel(kc, ap, bp, cp, <usize>ldc * 4, add);
            } else {
              kernel(kc, ap, bp, tmp, NR * 4, false);
              for (let r = 0; r < mr; r++) {
                const crow = cp + <usize>(r * ldc) * 4;
                const trow = tmp + <usize>(r * NR) * 4;
                for (let j = 0; j < nr; j++) {
                  const t = load<f32>(trow + <usize>j * 4);
                  store<f32>(crow + <usize>j * 4, add ? load<f32>(crow + <usize>j * 4) + t : t);
                }
              }
            }
          }
        }
      }
    }
  }
}

// Copies n floats (vectorised when possible).
@inline function copyFloats(dst: usize, src: usize, n: i32): void {
  let i = 0;
  for (; i + 4 <= n; i += 4) v128.store(dst + <usize>i * 4, v128.load(src + <usize>i * 4));
  for (; i < n; i++) store<f32>(dst + <usize>i * 4, load<f32>(src + <usize>i * 4));
}

@inline function addFloats(dst: usize, src: usize, n: i32): void {
  let i = 0;
  for (; i + 4 <= n; i += 4) v128.store(dst + <usize>i * 4, f32x4.add(v128.load(dst + <usize>i * 4), v128.load(src + <usize>i * 4)));
  for (; i < n; i++) store<f32>(dst + <usize>i * 4, load<f32>(dst + <usize>i * 4) + load<f32>(src + <usize>i * 4));
}

/**
 * im2col for NHWC input x[N,H,W,C]: row m = (n*OH + oy)*OW + ox of col holds the receptive field in
 * (ky, kx, c) order, matching a [KH, KW, C, F] filter viewed as a (KH*KW*C) x F matrix. Out-of-image
 * taps (padding) are zero. Only rows [m0, m1) are written, so threads can split the work.
 */
export function im2col(x: usize, H: i32, W: i32, C: i32, KH: i32, KW: i32, sh: i32, sw: i32, dh: i32, dw: i32, pt: i32, pl: i32, OH: i32, OW: i32, col: usize, m0: i32, m1: i32): void {
  const K = KH * KW * C;
  const rowBytes = <usize>(KW * C) * 4;
  // Walk (n, oy, ox) incrementally: one division per call, not three per row.
  let ox = m0 % OW;
  let oy = (m0 / OW) % OH;
  let n = m0 / (OW * OH);
  let dst = col + <usize>m0 * <usize>K * 4;
  for (let m = m0; m < m1; m++) {
    const iy0 = oy * sh - pt;
    const ix0 = ox * sw - pl;
    const img = x + <usize>(n * H) * <usize>(W * C) * 4;
    const inside = dw == 1 && ix0 >= 0 && ix0 + KW <= W;
    for (let ky = 0; ky < KH; ky++) {
      const iy = iy0 + ky * dh;
      if (iy < 0 || iy >= H) {
        memory.fill(dst, 0, rowBytes);
      } else if (inside) {
        copyFloats(dst, img + (<usize>(iy * W + ix0) * <usize>C) * 4, KW * C);
      } else {
        const rowp = img + <usize>(iy * W) * <usize>C * 4;
        let d = dst;
        for (let kx = 0; kx < KW; kx++) {
          const ix = ix0 + kx * dw;
          if (ix < 0 || ix >= W) memory.fill(d, 0, <usize>C * 4);
          else copyFloats(d, rowp + <usize>(ix * C) * 4, C);
          d += <usize>C * 4;
        }
      }
      dst += rowBytes;
    }
    if (++ox == OW) { ox = 0; if (++oy == OH) { oy = 0; n++; } }
  }
}

/** The adjoint of im2col: adds each col row back into dx[N,H,W,C] (which the caller zeroes), images [n0, n1). */
export function col2im(col: usize, H: i32, W: i32, C: i32, KH: i32, KW: i32, sh: i32, sw: i32, dh: i32, dw: i32, pt: i32, pl: i32, OH: i32, OW: i32, dx: usize, n0: i32, n1: i32): void {
  const K = KH * KW * C;
  for (let n = n0; n < n1; n++) {
    const img = dx + <usize>(n * H) * <usize>(W * C) * 4;
    for (let oy = 0; oy < OH; oy++) {
      for (let ox = 0; ox < OW; ox++) {
        let src = col + <usize>((n * OH + oy) * OW + ox) * <usize>K * 4;
        const iy0 = oy * sh - pt;
        const ix0 = ox * sw - pl;
        for (let ky = 0; ky < KH; ky++) {
          const iy = iy0 + ky * dh;
          if (iy < 0 || iy >= H) { src += <usize>(KW * C) * 4; continue; }
          const rowp = img + <usize>(iy * W) * <usize>C * 4;
          if (dw == 1 && ix0 >= 0 && ix0 + KW <= W) {
            addFloats(rowp + <usize>(ix0 * C) * 4, src, KW * C);
            src += <usize>(KW * C) * 4;
            continue;
          }
          for (let kx = 0; kx < KW; kx++) {
            const ix = ix0 + kx * dw;
            if (ix >= 0 && ix < W) addFloats(rowp + <usize>(ix * C) * 4, src, C);
            src += <usize>C * 4;
          }
        }
      }
    }
  }
}

/** dst[i] += src[i] for i < n (reduces split-K partial results). */
export function addInto(dst: usize, src: usize, n: i32): void {
  addFloats(dst, src, n);
}

/** Adds bias[j] to every row of x[rows, cols] and optionally applies relu (activation 1). */
export function biasAct(x: usize, rows: i32, cols: i32, bias: usize, act: i32): void {
  const zero = f32x4.splat(0);
  for (let r = 0; r < rows; r++) {
    const row = x + <usize>(r * cols) * 4;
    let j = 0;
    if (bias != 0) {
      for (; j + 4 <= cols; j += 4) {
        let v = f32x4.add(v128.load(row + <usize>j * 4), v128.load(bias + <usize>j * 4));
        if (act == 1) v = f32x4.max(v, zero);
        v128.store(row + <usize>j * 4, v);
      }
      for (; j < cols; j++) {
        let v = load<f32>(row + <usize>j * 4) + load<f32>(bias + <usize>j * 4);
        if (act == 1) v = v > 0 ? v : 0;
        store<f32>(row + <usize>j * 4, v);
      }
    } else if (act == 1) {
      for (; j + 4 <= cols; j += 4) v128.store(row + <usize>j * 4, f32x4.max(v128.load(row + <usize>j * 4), zero));
      for (; j < cols; j++) { const v = load<f32>(row + <usize>j * 4); store<f32>(row + <usize>j * 4, v > 0 ? v : 0); }
    }
  }
}

/**
 * dx for 2x2, stride-2, unpadded max pooling of x[N,H,W,C] with dy[N,OH,OW,C], images [n0, n1): each
 * dy goes to the first maximum of its window in row-major order (as the stock kernel picks), every
 * other dx element is 0. dx is written whole, so it need not be zeroed.
 */
export function maxPoolGrad2x2(x: usize, dy: usize, dx: usize, H: i32, W: i32, C: i32, OH: i32, OW: i32, n0: i32, n1: i32): void {
  const rowBytes = <usize>(W * C) * 4;
  const cb = <usize>C * 4;
  const zero = f32x4.splat(0);
  for (let n = n0; n < n1; n++) {
    const img = <usize>(n * H) * rowBytes;
    // Rows and columns past the last full window (odd H or W) get no gradient.
    if (H & 1) memory.fill(dx + img + <usize>(H - 1) * rowBytes, 0, rowBytes);
    for (let oy = 0; oy < OH; oy++) {
      const r0 = img + <usize>(2 * oy) * rowBytes;
      const r1 = r0 + rowBytes;
      if (W & 1) {
        memory.fill(dx + r0 + <usize>(W - 1) * cb, 0, cb);
        memory.fill(dx + r1 + <usize>(W - 1) * cb, 0, cb);
      }
      const o = dy + <usize>((n * OH + oy) * OW) * cb;
      for (let ox = 0; ox < OW; ox++) {
        const p00 = r0 + <usize>(2 * ox) * cb;
        const p10 = r1 + <usize>(2 * ox) * cb;
        const orow = o + <usize>ox * cb;
        let c: usize = 0;
        // Four channels at a time: masks pick the first maximum, each of the four taps is written.
        for (; c + 16 <= cb; c += 16) {
          const a = v128.load(x + p00 + c);
          const b = v128.load(x + p00 + cb + c);
          const d = v128.load(x + p10 + c);
          const e = v128.load(x + p10 + cb + c);
          const g = v128.load(orow + c);
          const mb = f32x4.gt(b, a);
          let best = v128.bitselect(b, a, mb);
          const md = f32x4.gt(d, best);
          best = v128.bitselect(d, best, md);
          const me = f32x4.gt(e, best);
          // Later winners clear the earlier ones.
          const wE = me;
          const wD = v128.andnot(md, me);
          const wB = v128.andnot(v128.andnot(mb, md), me);
          const wA = v128.not(v128.or(v128.or(mb, md), me));
          v128.store(dx + p00 + c, v128.bitselect(g, zero, wA));
          v128.store(dx + p00 + cb + c, v128.bitselect(g, zero, wB));
          v128.store(dx + p10 + c, v128.bitselect(g, zero, wD));
          v128.store(dx + p10 + cb + c, v128.bitselect(g, zero, wE));
        }
        for (; c < cb; c += 4) {
          const a = load<f32>(x + p00 + c);
          const b = load<f32>(x + p00 + cb + c);
          const d = load<f32>(x + p10 + c);
          const e = load<f32>(x + p10 + cb + c);
          const g = load<f32>(orow + c);
          let w = 0;
          let best = a;
          if (b > best) { best = b; w = 1; }
          if (d > best) { best = d; w = 2; }
          if (e > best) w = 3;
          store<f32>(dx + p00 + c, w == 0 ? g : 0);
          store<f32>(dx + p00 + cb + c, w == 1 ? g : 0);
          store<f32>(dx + p10 + c, w == 2 ? g : 0);
          store<f32>(dx + p10 + cb + c, w == 3 ? g : 0);
        }
      }
    }
  }
}

/**
 * Filter gradient of a convolution with few filters (F <= 8), without im2col: a first layer's input
 * has 1-3 channels, so im2col would blow it up KH*KW-fold only to multiply it by an 8-wide dy.
 * acc[(ky*KW + kx)*C + c][0..8) = sum over images [n0, n1) and output pixels of x(tap) * dy[0..8).
 * Lanes >= F are garbage (dy rows are read 8 wide; the arena pads every block), as the caller knows.
 */
export function convFilterGradSmallF(x: usize, dy: usize, acc: usize, H: i32, W: i32, C: i32, OH: i32, OW: i32, F: i32,
  KH: i32, KW: i32, sh: i32, sw: i32, dh: i32, dw: i32, pt: i32, pl: i32, n0: i32, n1: i32): void {
  memory.fill(acc, 0, <usize>(KH * KW * C * 8) * 4);
  const dyPix = <usize>F * 4;
  const xPix = <usize>C * 4;
  for (let n = n0; n < n1; n++) {
    for (let oy = 0; oy < OH; oy++) {
      const dyRow = dy + <usize>((n * OH + oy) * OW) * dyPix;
      for (let ky = 0; ky < KH; ky++) {
        const iy = oy * sh + ky * dh - pt;
        if (iy < 0 || iy >= H) continue;
        const xRow = x + <usize>((n * H + iy) * W) * xPix;
        for (let kx = 0; kx < KW; kx++) {
          // Output columns whose tap ix = ox*sw + kx*dw - pl lies inside the image.
          const off = kx * dw - pl;
          let ox0 = off >= 0 ? 0 : (-off + sw - 1) / sw;
          let ox1 = (W - 1 - off) / sw + 1;
          if (W - 1 - off < 0) ox1 = 0;
          if (ox1 > OW) ox1 = OW;
          if (ox0 >= ox1) continue;
          for (let c = 0; c < C; c++) {
            const a = acc + <usize>(((ky * KW + kx) * C + c) * 8) * 4;
            let a0 = v128.load(a);
            let a1 = v128.load(a, 16);
            let xp = xRow + <usize>((ox0 * sw + off) * C + c) * 4;
            let dp = dyRow + <usize>ox0 * dyPix;
            const xStep = <usize>(sw * C) * 4;
            if (F <= 4) {
              for (let ox = ox0; ox < ox1; ox++) {
                a0 = f32x4.add(a0, f32x4.mul(v128.load32_splat(xp), v128.load(dp)));
                xp += xStep; dp += dyPix;
              }
            } else {
              for (let ox = ox0; ox < ox1; ox++) {
                const s = v128.load32_splat(xp);
                a0 = f32x4.add(a0, f32x4.mul(s, v128.load(dp)));
                a1 = f32x4.add(a1, f32x4.mul(s, v128.load(dp, 16)));
                xp += xStep; dp += dyPix;
              }
            }
            v128.store(a, a0);
            v128.store(a, a1, 16);
          }
        }
      }
    }
  }
}

/**
 * out[j] = sum over r < rows of x[r*cols + j] (a bias gradient: dy summed over every axis but the
 * channels), accumulated in float64 like the cpu kernel. `acc` is cols float64s of scratch.
 */
export function sumLeading(x: usize, rows: i32, cols: i32, out: usize, acc: usize): void {
  memory.fill(acc, 0, <usize>cols * 8);
  const n = rows * cols;
  let j = 0;
  for (let i = 0; i < n; i++) {
    const p = acc + <usize>j * 8;
    store<f64>(p, load<f64>(p) + <f64>load<f32>(x + <usize>i * 4));
    if (++j == cols) j = 0;
  }
  for (let k = 0; k < cols; k++) store<f32>(out + <usize>k * 4, <f32>load<f64>(acc + <usize>k * 8));
}
