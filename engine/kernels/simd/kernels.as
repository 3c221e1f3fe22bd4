// SIMD compute core of the fast kernel pack, in AssemblyScript (compiled by
// engine/kernels/simd/build.mjs to kernels.wasm, and with relaxed SIMD to kernels-relaxed.wasm, both
// shipped as base64 in simd-binary.ts so that installs need no toolchain). Every function works on
// raw byte addresses in one imported shared memory, so worker threads running the same module can
// split a job without copying.
//
// GEMM is BLIS-style: per block of K, B is packed in panels of NR columns and A in panels of MR
// rows, and a register-tiled MR x NR micro-kernel does the multiply-adds with f32x4 vectors (4 x 8:
// eight accumulators leave V8's 15 usable xmm registers room for the operands; 6 x 8 spilled and
// measured 25% slower). A comes from a strided matrix or straight from an NHWC image (implicit
// im2col for convolutions and their filter gradients); bias and relu are applied as C is stored.

const MR: i32 = 4;
const NR: i32 = 8;
const KC: i32 = 512;
const MC: i32 = 96;
const NC: i32 = 512;
/** Up to this many rows per GEMM task, B's full panels are read in place instead of packed. */
const DIRECT_B_MAX_M: i32 = 64;

// Epilogue flags of a GEMM job.
const F_ACC: i32 = 1; // C += A*B (else the first K block overwrites C)
const F_BIAS: i32 = 2; // + bias[j], after the last K block
const F_RELU: i32 = 4; // then max(0, .)
const F_RELU6: i32 = 8; // then min(6, max(0, .))

/** Bytes of scratch one GEMM job needs: packed A block, packed B block, an edge tile, a zero run. */
export function gemmWorkBytes(): i32 {
  return (MC * KC + KC * NC + MR * NR + KC + 64) * 4;
}

/**
 * The int32 and float32 at address p, read by wasm code: the helper threads read their task
 * arguments through these, not through a JavaScript view of the memory. A worker's view of a shared
 * memory that another thread has just grown can still be the old, shorter buffer; a task table
 * placed in the new pages then read as undefined, that is 0, and the task did nothing (a filter
 * gradient lost a chunk's sums: 2 of 252 runs of the threads test, in processes that grew their
 * memory while 15 new helpers started).
 */
export function peekI32(p: usize): i32 {
  return load<i32>(p);
}
export function peekF32(p: usize): f32 {
  return load<f32>(p);
}

/** 1 when this build multiplies and adds with relaxed SIMD's fused f32x4.relaxed_madd. */
export function relaxedSimd(): i32 {
  return ASC_FEATURE_RELAXED_SIMD ? 1 : 0;
}

@inline function madd(a: v128, b: v128, c: v128): v128 {
  if (ASC_FEATURE_RELAXED_SIMD) return f32x4.relaxed_madd(a, b, c);
  return f32x4.add(c, f32x4.mul(a, b));
}

// Clamps keep a NaN v, as f32x4.max and min do, but through the pseudo-minimum and -maximum (one
// maxps or minps each): f32x4.max and min also order -0 below +0 and pick a NaN from either
// operand, which V8 spells as eight instructions per vector on x64. The clamps' bounds are never
// NaN; a -0 v stays -0 (equal to the +0 f32x4.max gave, only its sign bit differs).
/** max(v, lo), a NaN v kept. */
@inline function atLeast(v: v128, lo: v128): v128 {
  return f32x4.pmax(v, lo);
}
/** min(v, hi), a NaN v kept. */
@inline function atMost(v: v128, hi: v128): v128 {
  return f32x4.pmin(v, hi);
}

@inline function epi(v: v128, c: usize, flags: i32, bv: v128): v128 {
  if (flags & F_ACC) v = f32x4.add(v, v128.load(c));
  if (flags & F_BIAS) v = f32x4.add(v, bv);
  if (flags & (F_RELU | F_RELU6)) {
    v = atLeast(v, f32x4.splat(0));
    if (flags & F_RELU6) v = atMost(v, f32x4.splat(6));
  }
  return v;
}

@inline function epiScalar(v: f32, c: usize, flags: i32, b: f32): f32 {
  if (flags & F_ACC) v = load<f32>(c) + v;
  if (flags & F_BIAS) v = v + b;
  if (flags & (F_RELU | F_RELU6)) {
    v = v > 0 ? v : 0;
    if (flags & F_RELU6) v = v < 6 ? v : 6;
  }
  return v;
}

// C(MR x NR at c, row stride ldc bytes) = epilogue(Ap(kc x MR) * Bp(kc x NR)), consecutive rows of
// B bstride bytes apart (NR*4 when packed); bias points at the tile's first column's bias. Inlined
// into its callers: measured on one thread, calling it cost 4-13% on Winograd convolutions (16-128
// channels) and 5-20% on GEMMs (Node 20's V8 does not inline calls between wasm functions).
@inline function kernel(kc: i32, ap: usize, bp: usize, c: usize, ldc: usize, flags: i32, bias: usize, bstride: usize = NR * 4): void {
  let c00 = f32x4.splat(0), c01 = f32x4.splat(0);
  let c10 = f32x4.splat(0), c11 = f32x4.splat(0);
  let c20 = f32x4.splat(0), c21 = f32x4.splat(0);
  let c30 = f32x4.splat(0), c31 = f32x4.splat(0);
  for (let k = 0; k < kc; k++) {
    const b0 = v128.load(bp);
    const b1 = v128.load(bp, 16);
    let a = v128.load32_splat(ap);
    c00 = madd(a, b0, c00); c01 = madd(a, b1, c01);
    a = v128.load32_splat(ap, 4);
    c10 = madd(a, b0, c10); c11 = madd(a, b1, c11);
    a = v128.load32_splat(ap, 8);
    c20 = madd(a, b0, c20); c21 = madd(a, b1, c21);
    a = v128.load32_splat(ap, 12);
    c30 = madd(a, b0, c30); c31 = madd(a, b1, c31);
    ap += MR * 4;
    bp += bstride;
  }
  if (flags == 0) {
    v128.store(c, c00); v128.store(c, c01, 16); c += ldc;
    v128.store(c, c10); v128.store(c, c11, 16); c += ldc;
    v128.store(c, c20); v128.store(c, c21, 16); c += ldc;
    v128.store(c, c30); v128.store(c, c31, 16);
    return;
  }
  let bv0 = f32x4.splat(0), bv1 = f32x4.splat(0);
  if (flags & F_BIAS) { bv0 = v128.load(bias); bv1 = v128.load(bias, 16); }
  v128.store(c, epi(c00, c, flags, bv0)); v128.store(c, epi(c01, c + 16, flags, bv1), 16); c += ldc;
  v128.store(c, epi(c10, c, flags, bv0)); v128.store(c, epi(c11, c + 16, flags, bv1), 16); c += ldc;
  v128.store(c, epi(c20, c, flags, bv0)); v128.store(c, epi(c21, c + 16, flags, bv1), 16); c += ldc;
  v128.store(c, epi(c30, c, flags, bv0)); v128.store(c, epi(c31, c + 16, flags, bv1), 16);
}

// Stores the first n (< NR) values of a tile row t into C at c with the epilogue (no C element past
// n is read or written).
function storeRowPartial(c: usize, t: usize, n: i32, flags: i32, bias: usize): void {
  let j = 0;
  if (n >= 4) {
    const bv = flags & F_BIAS ? v128.load(bias) : f32x4.splat(0);
    v128.store(c, epi(v128.load(t), c, flags, bv));
    j = 4;
  }
  for (; j < n; j++) {
    const q = c + <usize>j * 4;
    store<f32>(q, epiScalar(load<f32>(t + <usize>j * 4), q, flags, flags & F_BIAS ? load<f32>(bias + <usize>j * 4) : 0));
  }
}

// Transposes the 4x4 block whose rows are r0..r3 and stores its columns at dst, dst+16, ... (step bytes apart).
@inline function transpose4Store(r0: v128, r1: v128, r2: v128, r3: v128, dst: usize, step: usize): void {
  const t0 = i32x4.shuffle(r0, r1, 0, 4, 1, 5);
  const t1 = i32x4.shuffle(r0, r1, 2, 6, 3, 7);
  const t2 = i32x4.shuffle(r2, r3, 0, 4, 1, 5);
  const t3 = i32x4.shuffle(r2, r3, 2, 6, 3, 7);
  v128.store(dst, i64x2.shuffle(t0, t2, 0, 2));
  v128.store(dst + step, i64x2.shuffle(t0, t2, 1, 3));
  v128.store(dst + 2 * step, i64x2.shuffle(t1, t3, 0, 2));
  v128.store(dst + 3 * step, i64x2.shuffle(t1, t3, 1, 3));
}

// Packs rows [0, mc) x cols [0, kc) of A (element strides rsa, csa) into MR-row panels, zero-padded.
function packA(mc: i32, kc: i32, a: usize, rsa: i32, csa: i32, dst: usize): void {
  for (let i0 = 0; i0 < mc; i0 += MR) {
    const rows = min(MR, mc - i0);
    const base = a + <usize>(i0 * rsa) * 4;
    if (rows == MR && rsa == 1) {
      const step = <usize>csa * 4;
      let src = base;
      for (let k = 0; k < kc; k++) {
        v128.store(dst, v128.load(src));
        src += step;
        dst += MR * 4;
      }
    } else if (rows == MR && csa == 1) {
      const rb = <usize>rsa * 4;
      let k = 0;
      for (; k + 4 <= kc; k += 4) {
        const src = base + <usize>k * 4;
        transpose4Store(v128.load(src), v128.load(src + rb), v128.load(src + 2 * rb), v128.load(src + 3 * rb), dst, MR * 4);
        dst += 4 * MR * 4;
      }
      for (; k < kc; k++) {
        const src = base + <usize>k * 4;
        store<f32>(dst, load<f32>(src)); store<f32>(dst, load<f32>(src + rb), 4);
        store<f32>(dst, load<f32>(src + 2 * rb), 8); store<f32>(dst, load<f32>(src + 3 * rb), 12);
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
      const step = <usize>rsb * 4;
      let src = base;
      for (let k = 0; k < kc; k++) {
        v128.store(dst, v128.load(src));
        v128.store(dst, v128.load(src, 16), 16);
        src += step;
        dst += NR * 4;
      }
    } else if (cols == NR && rsb == 1) {
      // Columns are contiguous along k: transpose 4x4 blocks (columns 0-3, then 4-7).
      const cb = <usize>csb * 4;
      let k = 0;
      for (; k + 4 <= kc; k += 4) {
        const s0 = base + <usize>k * 4;
        transpose4Store(v128.load(s0), v128.load(s0 + cb), v128.load(s0 + 2 * cb), v128.load(s0 + 3 * cb), dst, NR * 4);
        const s4 = s0 + 4 * cb;
        transpose4Store(v128.load(s4), v128.load(s4 + cb), v128.load(s4 + 2 * cb), v128.load(s4 + 3 * cb), dst + 16, NR * 4);
        dst += 4 * NR * 4;
      }
      for (; k < kc; k++) {
        const src = base + <usize>k * 4;
        for (let j = 0; j < NR; j++) store<f32>(dst + <usize>j * 4, load<f32>(src + <usize>j * cb));
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

// Convolution geometry, as i32 words at an address: see convGeometry in conv.ts.
const G_N = 0, G_H = 4, G_W = 8, G_C = 12, G_KH = 16, G_KW = 20, G_SH = 24, G_SW = 28, G_DH = 32, G_DW = 36, G_PT = 40, G_PL = 44, G_OH = 48, G_OW = 52;

// Packs A = im2col(x) rows [m, m + mc) (output pixels) x cols [k0, k0 + kc) (taps (ky, kx, c))
// into MR-row panels, reading the image directly; padding taps read `zeros` (kc floats of 0).
function packAConv(g: usize, x: usize, m: i32, mc: i32, k0: i32, kc: i32, dst: usize, zeros: usize): void {
  const H = load<i32>(g, G_H), W = load<i32>(g, G_W), C = load<i32>(g, G_C), KW = load<i32>(g, G_KW);
  const sh = load<i32>(g, G_SH), sw = load<i32>(g, G_SW), dh = load<i32>(g, G_DH), dw = load<i32>(g, G_DW);
  const pt = load<i32>(g, G_PT), pl = load<i32>(g, G_PL), OH = load<i32>(g, G_OH), OW = load<i32>(g, G_OW);
  let ox = m % OW;
  let oy = (m / OW) % OH;
  let n = m / (OW * OH);
  const tap0 = k0 / C, c0 = k0 - tap0 * C, ky0 = tap0 / KW, kx0 = tap0 - ky0 * KW;
  const rowRun = KW * C; // floats of one kernel row's taps
  for (let i0 = 0; i0 < mc; i0 += MR) {
    const rows = min(MR, mc - i0);
    // Per row: image base (floats), top-left tap position; rows past mc read zeros.
    let img0: i32 = 0, iy0: i32 = 0, ix0: i32 = 0, ok0 = false;
    let img1: i32 = 0, iy1: i32 = 0, ix1: i32 = 0, ok1 = false;
    let img2: i32 = 0, iy2: i32 = 0, ix2: i32 = 0, ok2 = false;
    let img3: i32 = 0, iy3: i32 = 0, ix3: i32 = 0, ok3 = false;
    for (let r = 0; r < rows; r++) {
      const img = n * H * W * C, iy = oy * sh - pt, ix = ox * sw - pl;
      if (r == 0) { img0 = img; iy0 = iy; ix0 = ix; ok0 = true; }
      else if (r == 1) { img1 = img; iy1 = iy; ix1 = ix; ok1 = true; }
      else if (r == 2) { img2 = img; iy2 = iy; ix2 = ix; ok2 = true; }
      else { img3 = img; iy3 = iy; ix3 = ix; ok3 = true; }
      if (++ox == OW) { ox = 0; if (++oy == OH) { oy = 0; n++; } }
    }
    let k = k0;
    const kend = k0 + kc;
    let d = dst + <usize>(i0 * kc) * 4;
    // The tap (ky, kx) and channel c of reduction column k, advanced run by run (no divisions: with
    // few channels a panel is a few short runs, and dividing per run cost as much as packing).
    let ky = ky0, kx = kx0, c = c0;
    while (k < kend) {
      const oyk = ky * dh, oxk = kx * dw;
      let len = min(C - c, kend - k);
      let y: i32, xx: i32;
      // Undilated rows: taps kx..KW-1 are one contiguous run of the image row when they all lie
      // inside it for every row of the panel (few channels: a 5x5 conv on 1 channel packs 5 at once).
      if (dw == 1 && kx + 1 < KW) {
        const last = KW - 1 - kx;
        y = iy0 + oyk; xx = ix0 + oxk;
        let whole = !ok0 || (y >= 0 && y < H && xx >= 0 && xx + last < W);
        y = iy1 + oyk; xx = ix1 + oxk;
        whole = whole && (!ok1 || (y >= 0 && y < H && xx >= 0 && xx + last < W));
        y = iy2 + oyk; xx = ix2 + oxk;
        whole = whole && (!ok2 || (y >= 0 && y < H && xx >= 0 && xx + last < W));
        y = iy3 + oyk; xx = ix3 + oxk;
        whole = whole && (!ok3 || (y >= 0 && y < H && xx >= 0 && xx + last < W));
        if (whole) len = min((KW - kx) * C - c, kend - k);
      }
      y = iy0 + oyk; xx = ix0 + oxk;
      const p0 = ok0 && y >= 0 && y < H && xx >= 0 && xx < W ? x + <usize>(img0 + (y * W + xx) * C + c) * 4 : zeros;
      y = iy1 + oyk; xx = ix1 + oxk;
      const p1 = ok1 && y >= 0 && y < H && xx >= 0 && xx < W ? x + <usize>(img1 + (y * W + xx) * C + c) * 4 : zeros;
      y = iy2 + oyk; xx = ix2 + oxk;
      const p2 = ok2 && y >= 0 && y < H && xx >= 0 && xx < W ? x + <usize>(img2 + (y * W + xx) * C + c) * 4 : zeros;
      y = iy3 + oyk; xx = ix3 + oxk;
      const p3 = ok3 && y >= 0 && y < H && xx >= 0 && xx < W ? x + <usize>(img3 + (y * W + xx) * C + c) * 4 : zeros;
      let t = 0;
      for (; t + 4 <= len; t += 4) {
        const o = <usize>t * 4;
        transpose4Store(v128.load(p0 + o), v128.load(p1 + o), v128.load(p2 + o), v128.load(p3 + o), d, MR * 4);
        d += 4 * MR * 4;
      }
      for (; t < len; t++) {
        const o = <usize>t * 4;
        store<f32>(d, load<f32>(p0 + o)); store<f32>(d, load<f32>(p1 + o), 4);
        store<f32>(d, load<f32>(p2 + o), 8); store<f32>(d, load<f32>(p3 + o), 12);
        d += MR * 4;
      }
      k += len;
      c += len;
      if (c == rowRun - kx * C) { ky++; kx = 0; c = 0; } else while (c >= C) { c -= C; kx++; }
    }
  }
}

// Packs A = im2col(x)^T rows [i, i + mc) (taps (ky, kx, c)) x cols [p0, p0 + kc) (output pixels)
// into MR-row panels, for the filter gradient dW = im2col(x)^T * dy. The pixels are walked one
// output-row segment at a time: per tap, the columns that fall inside the image form one range, so
// the inner loops are plain strided copies (no per-pixel bounds checks).
function packAConvT(g: usize, x: usize, i: i32, mc: i32, p0: i32, kc: i32, dst: usize): void {
  const H = load<i32>(g, G_H), W = load<i32>(g, G_W), C = load<i32>(g, G_C), KW = load<i32>(g, G_KW);
  const sh = load<i32>(g, G_SH), sw = load<i32>(g, G_SW), dh = load<i32>(g, G_DH), dw = load<i32>(g, G_DW);
  const pt = load<i32>(g, G_PT), pl = load<i32>(g, G_PL), OH = load<i32>(g, G_OH), OW = load<i32>(g, G_OW);
  const K = load<i32>(g, G_KH) * KW * C;
  const xStep = <usize>(sw * C) * 4;
  let ox = p0 % OW, oy = (p0 / OW) % OH, n = p0 / (OW * OH);
  let q = 0;
  while (q < kc) {
    const len = min(OW - ox, kc - q);
    const rowImg = x + <usize>(n * H) * <usize>(W * C) * 4;
    for (let r0 = 0; r0 < mc; r0 += MR) {
      const rows = min(MR, mc - r0);
      const t0 = i + r0;
      const tap0 = t0 / C, c0 = t0 - tap0 * C;
      const panel = dst + <usize>(r0 * kc + q * MR) * 4;
      if (rows == MR && c0 + MR <= C) {
        // Four channels of one tap: one vector per pixel.
        const ky = tap0 / KW, kx = tap0 - ky * KW;
        const iy = oy * sh - pt + ky * dh;
        if (iy < 0 || iy >= H) { memory.fill(panel, 0, <usize>len * 16); continue; }
        const off = kx * dw - pl;
        let a = ox, b = ox + len;
        // a: the first pixel inside the image, at most the segment's end (a segment shorter than
        // the padding, where a block ends just past a row's start, would zero into the next one).
        if (off < 0) a = min(max(a, (-off + sw - 1) / sw), b);
        b = W - 1 - off < 0 ? a : min(b, (W - 1 - off) / sw + 1);
        if (b < a) b = a;
        let d = panel;
        if (a > ox) { memory.fill(d, 0, <usize>(a - ox) * 16); d += <usize>(a - ox) * 16; }
        let xp = rowImg + <usize>((iy * W + a * sw + off) * C + c0) * 4;
        for (let o = a; o < b; o++) { v128.store(d, v128.load(xp)); xp += xStep; d += 16; }
        if (ox + len > b) memory.fill(d, 0, <usize>(ox + len - b) * 16);
      } else {
        for (let r = 0; r < MR; r++) {
          const tr = t0 + r;
          let d = panel + <usize>r * 4;
          if (r >= rows || tr >= K) { for (let o = 0; o < len; o++) { store<f32>(d, 0); d += 16; } continue; }
          const tp = tr / C, cc = tr - tp * C;
          const ky = tp / KW, kx = tp - ky * KW;
          const iy = oy * sh - pt + ky * dh;
          const off = kx * dw - pl;
          let a = ox, b = ox + len;
          if (iy < 0 || iy >= H) { b = a; } else {
            if (off < 0) a = min(max(a, (-off + sw - 1) / sw), b);
            b = W - 1 - off < 0 ? a : min(b, (W - 1 - off) / sw + 1);
            if (b < a) b = a;
          }
          for (let o = ox; o < a; o++) { store<f32>(d, 0); d += 16; }
          if (b > a) {
            let xp = rowImg + <usize>((iy * W + a * sw + off) * C + cc) * 4;
            for (let o = a; o < b; o++) { store<f32>(d, load<f32>(xp)); xp += xStep; d += 16; }
          }
          for (let o = max(a, b); o < ox + len; o++) { store<f32>(d, 0); d += 16; }
        }
      }
    }
    q += len;
    ox = 0;
    if (++oy == OH) { oy = 0; n++; }
  }
}

// A GEMM's descriptor: i32 words at an address (written by gemm.ts), shared by its tasks.
const J_K0 = 0, J_K1 = 4;
const J_AKIND = 8, J_A = 12, J_RSA = 16, J_CSA = 20, J_B = 24, J_RSB = 28, J_CSB = 32;
const J_C = 36, J_LDC = 40, J_FLAGS = 44, J_BIAS = 48, J_GEOM = 52;
const A_MATRIX = 0, A_CONV = 1, A_CONV_T = 2;

/**
 * One task of a GEMM: C[m0:m1, n0:n1] = epilogue(A[m0:m1, k0:k1] * B[k0:k1, n0:n1]), where
 * C(i, j) is at c + (i*ldc + j)*4, B(k, j) at b + (k*rsb + j*csb)*4, bias[j] at bias + j*4, and
 * A(i, k) at a + (i*rsa + k*csa)*4 (A_MATRIX), or im2col of the image at a (A_CONV, geometry at
 * geom), or its transpose (A_CONV_T). Indices are absolute; work is the calling thread's scratch.
 */
export function gemmJob(d: usize, m0: i32, m1: i32, n0: i32, n1: i32, work: usize): void {
  const k0 = load<i32>(d, J_K0), k1 = load<i32>(d, J_K1);
  const akind = load<i32>(d, J_AKIND), a = <usize>load<i32>(d, J_A), rsa = load<i32>(d, J_RSA), csa = load<i32>(d, J_CSA);
  const b = <usize>load<i32>(d, J_B), rsb = load<i32>(d, J_RSB), csb = load<i32>(d, J_CSB);
  const c = <usize>load<i32>(d, J_C), ldc = load<i32>(d, J_LDC), flags = load<i32>(d, J_FLAGS);
  const bias = <usize>load<i32>(d, J_BIAS), geom = <usize>load<i32>(d, J_GEOM);
  const pa = (work + 63) & ~(<usize>63);
  const pb = pa + <usize>(MC * KC) * 4;
  const tmp = pb + <usize>(KC * NC) * 4;
  const zeros = tmp + <usize>(MR * NR) * 4;
  if (akind == A_CONV) memory.fill(zeros, 0, <usize>KC * 4);
  const ldcb = <usize>ldc * 4;
  for (let jc = n0; jc < n1; jc += NC) {
    const nc = min(NC, n1 - jc);
    // K blocks of equal size (a 288-long K is two blocks of 144, not 256 and 32).
    const kblocks = (k1 - k0 + KC - 1) / KC;
    const kstep = (k1 - k0 + kblocks - 1) / kblocks;
    for (let pc = k0; pc < k1; pc += kstep) {
      const kc = min(kstep, k1 - pc);
      // Few rows (a dense layer's batch): each B element is used only a few times, so packing B
      // would cost about as much as the multiply; full panels are read in place (rows of B are
      // contiguous), only a narrow last panel is packed.
      const direct = csb == 1 && m1 - m0 <= DIRECT_B_MAX_M;
      const nfull = direct ? nc & ~(NR - 1) : 0;
      if (nfull < nc) packB(kc, nc - nfull, b + <usize>(pc * rsb + (jc + nfull) * csb) * 4, rsb, csb, pb);
      // The first K block overwrites C unless asked to accumulate; the last applies bias and activation.
      let f = pc > k0 ? F_ACC : flags & F_ACC;
      if (pc + kc >= k1) f |= flags & (F_BIAS | F_RELU | F_RELU6);
      for (let ic = m0; ic < m1; ic += MC) {
        const mc = min(MC, m1 - ic);
        if (akind == A_MATRIX) packA(mc, kc, a + <usize>(ic * rsa + pc * csa) * 4, rsa, csa, pa);
        else if (akind == A_CONV) packAConv(geom, a, ic, mc, pc, kc, pa, zeros);
        else packAConvT(geom, a, ic, mc, pc, kc, pa);
        for (let jr = 0; jr < nc; jr += NR) {
          const nr = min(NR, nc - jr);
          const inPlace = jr < nfull;
          const bp = inPlace ? b + <usize>(pc * rsb + jc + jr) * 4 : pb + <usize>((jr - nfull) * kc) * 4;
          const bs: usize = inPlace ? <usize>rsb * 4 : NR * 4;
          const bj = bias + <usize>(jc + jr) * 4;
          for (let ir = 0; ir < mc; ir += MR) {
            const mr = min(MR, mc - ir);
            const ap = pa + <usize>(ir * kc) * 4;
            const cp = c + (<usize>(ic + ir) * <usize>ldc + <usize>(jc + jr)) * 4;
            if (mr == MR && nr == NR) {
              kernel(kc, ap, bp, cp, ldcb, f, bj, bs);
            } else if (nr < NR) {
              // Narrow edge (few output channels: every tile of a 6-filter layer): the tile goes
              // through scratch, then its rows are stored with partial vector stores.
              kernel(kc, ap, bp, tmp, NR * 4, 0, 0, bs);
              for (let r = 0; r < mr; r++) storeRowPartial(cp + <usize>r * ldcb, tmp + <usize>(r * NR) * 4, nr, f, bj);
            } else {
              kernel(kc, ap, bp, tmp, NR * 4, 0, 0, bs);
              for (let r = 0; r < mr; r++) {
                const crow = cp + <usize>r * ldcb;
                const trow = tmp + <usize>(r * NR) * 4;
                for (let j = 0; j < nr; j++) {
                  const q = crow + <usize>j * 4;
                  store<f32>(q, epiScalar(load<f32>(trow + <usize>j * 4), q, f, f & F_BIAS ? load<f32>(bj + <usize>j * 4) : 0));
                }
              }
            }
          }
        }
      }
    }
  }
}

@inline function addFloats(dst: usize, src: usize, n: i32): void {
  let i = 0;
  for (; i + 4 <= n; i += 4) v128.store(dst + <usize>i * 4, f32x4.add(v128.load(dst + <usize>i * 4), v128.load(src + <usize>i * 4)));
  for (; i < n; i++) store<f32>(dst + <usize>i * 4, load<f32>(dst + <usize>i * 4) + load<f32>(src + <usize>i * 4));
}

/**
 * The adjoint of im2col (rows: output pixels, columns: taps (ky, kx, c)): dx[N,H,W,C] of images
 * [n0, n1) = the sum of the col rows that read them. Each image is zeroed here, by the task that
 * adds into it: split over the threads and still in cache for the additions (zeroing all of dx on
 * the calling thread first kept the other threads idle: 4 MiB for a stride-2 32x32x32 input).
 */
export function col2im(col: usize, H: i32, W: i32, C: i32, KH: i32, KW: i32, sh: i32, sw: i32, dh: i32, dw: i32, pt: i32, pl: i32, OH: i32, OW: i32, dx: usize, n0: i32, n1: i32): void {
  const K = KH * KW * C;
  for (let n = n0; n < n1; n++) {
    const img = dx + <usize>(n * H) * <usize>(W * C) * 4;
    memory.fill(img, 0, <usize>(H * W * C) * 4);
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

/**
 * dst[i] = dst[i] + acc_0[i] + acc_1[i] + ..., added in that order, for i in [n0, n1): a reduction's
 * per-chunk sums (see reduction-chunks.ts), the `count` accumulator addresses at `table` (i32s).
 * Split over the threads by ranges of i (adding them on the calling thread alone left the others idle).
 */
export function addChunks(dst: usize, table: usize, count: i32, n0: i32, n1: i32): void {
  const o = <usize>n0 * 4, len = n1 - n0;
  for (let k = 0; k < count; k++) addFloats(dst + o, <usize>load<i32>(table + <usize>k * 4) + o, len);
}

/**
 * The filter of a stride-1 convolution's input gradient: out[ky][kx][f][c] = w[KH-1-ky][KW-1-kx][c][f]
 * (turned 180 degrees, channel axes swapped), per tap a C x F transpose in blocks of 4 x 4.
 */
export function rotateFilter(w: usize, KH: i32, KW: i32, C: i32, F: i32, out: usize): void {
  const taps = KH * KW, tap = <usize>(C * F) * 4;
  const C4 = C & ~3, F4 = F & ~3;
  for (let t = 0; t < taps; t++) {
    const src = w + <usize>(taps - 1 - t) * tap, dst = out + <usize>t * tap;
    for (let c = 0; c < C4; c += 4) {
      for (let f = 0; f < F4; f += 4) {
        const p = src + <usize>(c * F + f) * 4, rowB = <usize>F * 4;
        transpose4Store(v128.load(p), v128.load(p + rowB), v128.load(p + 2 * rowB), v128.load(p + 3 * rowB), dst + <usize>(f * C + c) * 4, <usize>C * 4);
      }
    }
    // The edges past the 4 x 4 blocks, element by element.
    for (let c = 0; c < C; c++) {
      for (let f = c < C4 ? F4 : 0; f < F; f++) store<f32>(dst + <usize>(f * C + c) * 4, load<f32>(src + <usize>(c * F + f) * 4));
    }
  }
}

/** dst[i] += src[i] for i < n (reduces split-K partial results). */
export function addInto(dst: usize, src: usize, n: i32): void {
  addFloats(dst, src, n);
}

/** y = act(x + bias[j] per row) for x[rows, cols] (bias 0: none; act 1 relu, 2 relu6); y may be x. */
export function biasActTo(x: usize, rows: i32, cols: i32, bias: usize, act: i32, y: usize): void {
  const zero = f32x4.splat(0), six = f32x4.splat(6);
  const lo: f32 = act != 0 ? 0 : -Infinity;
  const hi: f32 = act == 2 ? 6 : Infinity;
  for (let r = 0; r < rows; r++) {
    const o = <usize>(r * cols) * 4;
    const row = x + o, out = y + o;
    let j = 0;
    for (; j + 4 <= cols; j += 4) {
      let v = v128.load(row + <usize>j * 4);
      if (bias != 0) v = f32x4.add(v, v128.load(bias + <usize>j * 4));
      if (act != 0) v = atLeast(v, zero);
      if (act == 2) v = atMost(v, six);
      v128.store(out + <usize>j * 4, v);
    }
    for (; j < cols; j++) {
      let v = load<f32>(row + <usize>j * 4);
      if (bias != 0) v += load<f32>(bias + <usize>j * 4);
      if (act != 0) v = v > lo ? v : lo;
      v = v < hi ? v : hi;
      store<f32>(out + <usize>j * 4, v);
    }
  }
}

/**
 * y[r, c] = full[r, c] op row[c] (rowFirst != 0: row[c] op full[r, c]) for full[rows, cols]: a
 * binary op broadcast along leading dims (op 0 add, 1 sub, 2 mul, 3 div), as batch normalization's
 * per-channel gradients and every [N, H, W, C] x [C] scaling take it. float32 arithmetic, as the
 * stock kernels (same bits). y may be full.
 */
export function rowBinary(full: usize, rows: i32, cols: i32, row: usize, op: i32, rowFirst: i32, y: usize): void {
  for (let r = 0; r < rows; r++) {
    const o = <usize>r * <usize>cols * 4;
    const src = full + o, out = y + o;
    let j = 0;
    for (; j + 4 <= cols; j += 4) {
      const f = v128.load(src + <usize>j * 4), w = v128.load(row + <usize>j * 4);
      const a = rowFirst ? w : f, b = rowFirst ? f : w;
      v128.store(out + <usize>j * 4, op == 0 ? f32x4.add(a, b) : op == 1 ? f32x4.sub(a, b) : op == 2 ? f32x4.mul(a, b) : f32x4.div(a, b));
    }
    for (; j < cols; j++) {
      const f = load<f32>(src + <usize>j * 4), w = load<f32>(row + <usize>j * 4);
      const a = rowFirst ? w : f, b = rowFirst ? f : w;
      store<f32>(out + <usize>j * 4, op == 0 ? a + b : op == 1 ? a - b : op == 2 ? a * b : a / b);
    }
  }
}

/** biasActTo in place. */
export function biasAct(x: usize, rows: i32, cols: i32, bias: usize, act: i32): void {
  biasActTo(x, rows, cols, bias, act, x);
}

/**
 * dx for 2x2, stride-2, unpadded max pooling of x[N,H,W,C] with dy[N,OH,OW,C], images [n0, n1): each
 * dy goes to the first maximum of its window in row-major order (as the stock kernel picks), every
 * other dx element is 0. dx is written whole, so it need not be zeroed.
 */
export function maxPoolGrad2x2(x: usize, dy: usize, dx: usize, H: i32, W: i32, C: i32, OH: i32, OW: i32, n0: i32, n1: i32): void {
  const rowBytes = <usize>(W * C) * 4;
  const cb = <usize>C * 4;
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
        // Four channels at a time; a channel count that is not a multiple of 4 (LeNet-5's 6) ends
        // with the last four channels again, overlapping: the shared ones get the same values.
        for (; c + 16 <= cb; c += 16) maxPoolGrad2x2Vec(x, orow, dx, p00, p10, cb, c);
        if (c < cb && cb >= 16) {
          maxPoolGrad2x2Vec(x, orow, dx, p00, p10, cb, cb - 16);
          c = cb;
        }
        // Fewer than four channels: one at a time, without branches (the comparisons of random
        // data mispredict half the time).
        for (; c < cb; c += 4) {
          const a = load<f32>(x + p00 + c);
          const b = load<f32>(x + p00 + cb + c);
          const d = load<f32>(x + p10 + c);
          const e = load<f32>(x + p10 + cb + c);
          const g = load<f32>(orow + c);
          const wb = b > a;
          let best = select<f32>(b, a, wb);
          let w = select<i32>(1, 0, wb);
          const wd = d > best;
          best = select<f32>(d, best, wd);
          w = select<i32>(2, w, wd);
          w = select<i32>(3, w, e > best);
          store<f32>(dx + p00 + c, select<f32>(g, 0, w == 0));
          store<f32>(dx + p00 + cb + c, select<f32>(g, 0, w == 1));
          store<f32>(dx + p10 + c, select<f32>(g, 0, w == 2));
          store<f32>(dx + p10 + cb + c, select<f32>(g, 0, w == 3));
        }
      }
    }
  }
}

/** maxPoolGrad2x2 for the four channels at byte offset c of one window (top-left pixel at p00, bottom-left at p10). */
@inline function maxPoolGrad2x2Vec(x: usize, orow: usize, dx: usize, p00: usize, p10: usize, cb: usize, c: usize): void {
  const zero = f32x4.splat(0);
  const a = v128.load(x + p00 + c);
  const b = v128.load(x + p00 + cb + c);
  const d = v128.load(x + p10 + c);
  const e = v128.load(x + p10 + cb + c);
  const g = v128.load(orow + c);
  // Masks pick the first maximum in row-major order; later winners clear the earlier ones.
  const mb = f32x4.gt(b, a);
  let best = v128.bitselect(b, a, mb);
  const md = f32x4.gt(d, best);
  best = v128.bitselect(d, best, md);
  const me = f32x4.gt(e, best);
  const wE = me;
  const wD = v128.andnot(md, me);
  const wB = v128.andnot(v128.andnot(mb, md), me);
  const wA = v128.not(v128.or(v128.or(mb, md), me));
  v128.store(dx + p00 + c, v128.bitselect(g, zero, wA));
  v128.store(dx + p00 + cb + c, v128.bitselect(g, zero, wB));
  v128.store(dx + p10 + c, v128.bitselect(g, zero, wD));
  v128.store(dx + p10 + cb + c, v128.bitselect(g, zero, wE));
}

/**
 * out[j] = sum over r < rows of x[r*cols + j] (a bias gradient: dy summed over every axis but the
 * channels), accumulated in float64 like the cpu kernel. `acc` is sumScratch(cols) float64s of scratch.
 */
export function sumLeading(x: usize, rows: i32, cols: i32, out: usize, acc: usize): void {
  memory.fill(acc, 0, <usize>cols * 8);
  sumRowsInto(x, 0, rows, cols, acc);
  for (let k = 0; k < cols; k++) store<f32>(out + <usize>k * 4, <f32>load<f64>(acc + <usize>k * 8));
}

/** Float64s of scratch sumLeading and sumRowsInto take: cols, then lcm(cols, 4) for a period. */
export function sumScratch(cols: i32): i32 {
  return cols + sumPeriod(cols);
}

@inline function sumPeriod(cols: i32): i32 {
  return (cols & 1) != 0 ? cols * 4 : (cols & 3) != 0 ? cols * 2 : cols;
}

/**
 * acc[j] += sum over rows [r0, r1) of x[r*cols + j], in float64 (two lanes per vector); acc holds
 * sumScratch(cols) float64s, the first cols the sums.
 */
export function sumRowsInto(x: usize, r0: i32, r1: i32, cols: i32, acc: usize): void {
  if (cols <= 0) return;
  if ((cols & 3) == 0) {
    for (let r = r0; r < r1; r++) {
      const row = x + <usize>r * <usize>cols * 4;
      for (let j = 0; j < cols; j += 4) {
        const v = v128.load(row + <usize>j * 4);
        const a = acc + <usize>j * 8;
        v128.store(a, f64x2.add(v128.load(a), f64x2.promote_low_f32x4(v)));
        v128.store(a, f64x2.add(v128.load(a, 16), f64x2.promote_low_f32x4(i32x4.shuffle(v, v, 2, 3, 0, 1))), 16);
      }
    }
    return;
  }
  // Other widths (LeNet's 6 filters): whole periods of P = lcm(cols, 4) floats (P / cols rows) as
  // vectors into P float64 lanes after acc's cols, folded into acc; the rest (under P) one by one.
  // One float at a time, every add waited for the last one to the same column (5x slower).
  const n = (r1 - r0) * cols;
  const base = x + <usize>r0 * <usize>cols * 4;
  const P = sumPeriod(cols);
  const per = acc + <usize>cols * 8;
  memory.fill(per, 0, <usize>P * 8);
  const whole = n / P;
  let q = base;
  for (let k = 0; k < whole; k++) {
    for (let j = 0; j < P; j += 4) {
      const v = v128.load(q + <usize>j * 4);
      const a = per + <usize>j * 8;
      v128.store(a, f64x2.add(v128.load(a), f64x2.promote_low_f32x4(v)));
      v128.store(a, f64x2.add(v128.load(a, 16), f64x2.promote_low_f32x4(i32x4.shuffle(v, v, 2, 3, 0, 1))), 16);
    }
    q += <usize>P * 4;
  }
  for (let j = 0; j < P; j++) {
    const p = acc + <usize>(j % cols) * 8;
    store<f64>(p, load<f64>(p) + load<f64>(per + <usize>j * 8));
  }
  let j = 0;
  for (let i = whole * P; i < n; i++) {
    const p = acc + <usize>j * 8;
    store<f64>(p, load<f64>(p) + <f64>load<f32>(base + <usize>i * 4));
    if (++j == cols) j = 0;
  }
}

// ---- Batch normalization in training: per-channel sums over the rows of x[rows, cols] in float64
// (cols: channels), in chunks of rows summed separately by the caller (see batch-norm.ts).

/** acc[c] += (x[r, c] - mean[c])^2 for rows [r0, r1): the variance's sum (the square in float32, as tf.moments takes it). */
export function sqDevRowsInto(x: usize, r0: i32, r1: i32, cols: i32, mean: usize, acc: usize): void {
  for (let r = r0; r < r1; r++) {
    const row = x + <usize>r * <usize>cols * 4;
    let j = 0;
    for (; j + 4 <= cols; j += 4) {
      const d = f32x4.sub(v128.load(row + <usize>j * 4), v128.load(mean + <usize>j * 4));
      const q = f32x4.mul(d, d);
      const a = acc + <usize>j * 8;
      v128.store(a, f64x2.add(v128.load(a), f64x2.promote_low_f32x4(q)));
      v128.store(a, f64x2.add(v128.load(a, 16), f64x2.promote_low_f32x4(i32x4.shuffle(q, q, 2, 3, 0, 1))), 16);
    }
    for (; j < cols; j++) {
      const d = load<f32>(row + <usize>j * 4) - load<f32>(mean + <usize>j * 4);
      const a = acc + <usize>j * 8;
      store<f64>(a, load<f64>(a) + <f64>(d * d));
    }
  }
}

/**
 * acc[c] += dy[r, c] and acc[cols + c] += dy[r, c] * (x[r, c] - mean[c]) for rows [r0, r1): the two
 * sums batch normalization's gradient needs (the offset's gradient, and the scale's over the inverse
 * standard deviation).
 */
export function bnGradRowsInto(dy: usize, x: usize, r0: i32, r1: i32, cols: i32, mean: usize, acc: usize): void {
  const acc2 = acc + <usize>cols * 8;
  for (let r = r0; r < r1; r++) {
    const o = <usize>r * <usize>cols * 4;
    let j = 0;
    for (; j + 4 <= cols; j += 4) {
      const g = v128.load(dy + o + <usize>j * 4);
      const p = f32x4.mul(g, f32x4.sub(v128.load(x + o + <usize>j * 4), v128.load(mean + <usize>j * 4)));
      const a = acc + <usize>j * 8, b = acc2 + <usize>j * 8;
      v128.store(a, f64x2.add(v128.load(a), f64x2.promote_low_f32x4(g)));
      v128.store(a, f64x2.add(v128.load(a, 16), f64x2.promote_low_f32x4(i32x4.shuffle(g, g, 2, 3, 0, 1))), 16);
      v128.store(b, f64x2.add(v128.load(b), f64x2.promote_low_f32x4(p)));
      v128.store(b, f64x2.add(v128.load(b, 16), f64x2.promote_low_f32x4(i32x4.shuffle(p, p, 2, 3, 0, 1))), 16);
    }
    for (; j < cols; j++) {
      const g = load<f32>(dy + o + <usize>j * 4);
      const p = g * (load<f32>(x + o + <usize>j * 4) - load<f32>(mean + <usize>j * 4));
      const a = acc + <usize>j * 8, b = acc2 + <usize>j * 8;
      store<f64>(a, load<f64>(a) + <f64>g);
      store<f64>(b, load<f64>(b) + <f64>p);
    }
  }
}

/** dx[r, c] = a[c] * dy[r, c] + b[c] * (x[r, c] - mean[c]) + k[c] for rows [0, rows): batch normalization's input gradient. */
export function bnGradApply(dy: usize, x: usize, rows: i32, cols: i32, mean: usize, a: usize, b: usize, k: usize, dx: usize): void {
  for (let r = 0; r < rows; r++) {
    const o = <usize>r * <usize>cols * 4;
    let j = 0;
    for (; j + 4 <= cols; j += 4) {
      const q = <usize>j * 4;
      const d = f32x4.sub(v128.load(x + o + q), v128.load(mean + q));
      v128.store(dx + o + q, f32x4.add(f32x4.add(f32x4.mul(v128.load(a + q), v128.load(dy + o + q)), f32x4.mul(v128.load(b + q), d)), v128.load(k + q)));
    }
    for (; j < cols; j++) {
      const q = <usize>j * 4;
      const d = load<f32>(x + o + q) - load<f32>(mean + q);
      store<f32>(dx + o + q, load<f32>(a + q) * load<f32>(dy + o + q) + load<f32>(b + q) * d + load<f32>(k + q));
    }
  }
}

// ---- Winograd F(2x2, 3x3) for 3x3, stride-1, undilated convolutions -------------------------------
// y = A^T [ (G g G^T) . (B^T d B) ] A per 2x2 output tile: 16 multiplies per tile and channel pair
// instead of 36. Per block of tiles, the 16 transformed inputs are packed straight into the GEMM's
// A panels, 16 GEMMs (one per transform position) multiply them by the transformed filter (packed
// as B panels once per call), and the output transform applies bias and activation.

/** U[xi][C][F] packed as B panels (per xi: ceil(F/8) panels of C x 8) from w[3][3][C][F]. */
export function winogradFilter(w: usize, C: i32, F: i32, u: usize): void {
  const Fp = (F + NR - 1) / NR * NR;
  const xiStride = <usize>(C * Fp) * 4;
  for (let c = 0; c < C; c++) {
    for (let f = 0; f < F; f++) {
      // g[ky][kx] = w[((ky*3 + kx)*C + c)*F + f]
      const g = w + <usize>(c * F + f) * 4;
      const tap = <usize>(C * F) * 4;
      const g00 = load<f32>(g), g01 = load<f32>(g + tap), g02 = load<f32>(g + 2 * tap);
      const g10 = load<f32>(g + 3 * tap), g11 = load<f32>(g + 4 * tap), g12 = load<f32>(g + 5 * tap);
      const g20 = load<f32>(g + 6 * tap), g21 = load<f32>(g + 7 * tap), g22 = load<f32>(g + 8 * tap);
      // Rows: G g (4 x 3).
      const a0 = g00, a1 = g01, a2 = g02;
      const b0 = (g00 + g10 + g20) * 0.5, b1 = (g01 + g11 + g21) * 0.5, b2 = (g02 + g12 + g22) * 0.5;
      const c0 = (g00 - g10 + g20) * 0.5, c1 = (g01 - g11 + g21) * 0.5, c2 = (g02 - g12 + g22) * 0.5;
      const d0 = g20, d1 = g21, d2 = g22;
      // Columns: (G g) G^T (4 x 4), stored at xi = row*4 + col.
      const off = (<usize>((f / NR) * C * NR + c * NR + (f % NR))) * 4;
      let p = u + off;
      store<f32>(p, a0); p += xiStride; store<f32>(p, (a0 + a1 + a2) * 0.5); p += xiStride;
      store<f32>(p, (a0 - a1 + a2) * 0.5); p += xiStride; store<f32>(p, a2); p += xiStride;
      store<f32>(p, b0); p += xiStride; store<f32>(p, (b0 + b1 + b2) * 0.5); p += xiStride;
      store<f32>(p, (b0 - b1 + b2) * 0.5); p += xiStride; store<f32>(p, b2); p += xiStride;
      store<f32>(p, c0); p += xiStride; store<f32>(p, (c0 + c1 + c2) * 0.5); p += xiStride;
      store<f32>(p, (c0 - c1 + c2) * 0.5); p += xiStride; store<f32>(p, c2); p += xiStride;
      store<f32>(p, d0); p += xiStride; store<f32>(p, (d0 + d1 + d2) * 0.5); p += xiStride;
      store<f32>(p, (d0 - d1 + d2) * 0.5); p += xiStride; store<f32>(p, d2);
    }
    // Padding columns of the last panel stay zero.
    for (let f = F; f < Fp; f++) {
      const off = (<usize>((f / NR) * C * NR + c * NR + (f % NR))) * 4;
      for (let xi = 0; xi < 16; xi++) store<f32>(u + off + <usize>xi * xiStride, 0);
    }
  }
}

// Input transform of one tile for 4 channels at p (stride rowB between rows, colB between columns),
// each of the 16 results stored at dst + xi*step.
@inline function winoIn(d00: v128, d01: v128, d02: v128, d03: v128, d10: v128, d11: v128, d12: v128, d13: v128,
  d20: v128, d21: v128, d22: v128, d23: v128, d30: v128, d31: v128, d32: v128, d33: v128, dst: usize, step: usize): void {
  // B^T d: rows.
  const r00 = f32x4.sub(d00, d20), r01 = f32x4.sub(d01, d21), r02 = f32x4.sub(d02, d22), r03 = f32x4.sub(d03, d23);
  const r10 = f32x4.add(d10, d20), r11 = f32x4.add(d11, d21), r12 = f32x4.add(d12, d22), r13 = f32x4.add(d13, d23);
  const r20 = f32x4.sub(d20, d10), r21 = f32x4.sub(d21, d11), r22 = f32x4.sub(d22, d12), r23 = f32x4.sub(d23, d13);
  const r30 = f32x4.sub(d10, d30), r31 = f32x4.sub(d11, d31), r32 = f32x4.sub(d12, d32), r33 = f32x4.sub(d13, d33);
  // (B^T d) B: columns.
  v128.store(dst, f32x4.sub(r00, r02)); v128.store(dst + step, f32x4.add(r01, r02));
  v128.store(dst + 2 * step, f32x4.sub(r02, r01)); v128.store(dst + 3 * step, f32x4.sub(r01, r03));
  v128.store(dst + 4 * step, f32x4.sub(r10, r12)); v128.store(dst + 5 * step, f32x4.add(r11, r12));
  v128.store(dst + 6 * step, f32x4.sub(r12, r11)); v128.store(dst + 7 * step, f32x4.sub(r11, r13));
  v128.store(dst + 8 * step, f32x4.sub(r20, r22)); v128.store(dst + 9 * step, f32x4.add(r21, r22));
  v128.store(dst + 10 * step, f32x4.sub(r22, r21)); v128.store(dst + 11 * step, f32x4.sub(r21, r23));
  v128.store(dst + 12 * step, f32x4.sub(r30, r32)); v128.store(dst + 13 * step, f32x4.add(r31, r32));
  v128.store(dst + 14 * step, f32x4.sub(r32, r31)); v128.store(dst + 15 * step, f32x4.sub(r31, r33));
}

@inline function ld(p: usize, ok: bool): v128 {
  return v128.and(v128.load(p), ok ? i32x4.splat(-1) : i32x4.splat(0));
}

@inline function clampI(v: i32, n: i32): i32 {
  return v < 0 ? 0 : v >= n ? n - 1 : v;
}

/**
 * Winograd convolution of tiles [t0, t1) (tile t: image t / (TH*TW), 2x2 output block at
 * (2*ty, 2*tx)) of x[N,H,W,C] (3x3 taps, padding pt/pl, output OH x OW) with u from winogradFilter,
 * into y[N,OH,OW,F] with bias (0: none) and act (0 linear, 1 relu, 2 relu6). TB tiles per block
 * (a multiple of 4); work holds 16*TB*(Cp + Fp) + 832 floats (Cp = C rounded up to 4, Fp = F rounded up to 8).
 */
export function winogradConv(x: usize, H: i32, W: i32, C: i32, pt: i32, pl: i32, OH: i32, OW: i32,
  u: usize, F: i32, bias: usize, act: i32, y: usize, t0: i32, t1: i32, TB: i32, work: usize): void {
  const TH = (OH + 1) >> 1, TW = (OW + 1) >> 1;
  const Cp = (C + 3) & ~3;
  const Fp = (F + NR - 1) / NR * NR;
  const pa = (work + 63) & ~(<usize>63);
  // Per-xi strides padded by a cache line: 16 streams 4 KiB apart would share L1 sets.
  const xiA = <usize>(TB * Cp) * 4 + 64; // bytes per xi in pa
  const xiM = <usize>(TB * Fp) * 4 + 64; // bytes per xi in mb
  const mb = pa + 16 * xiA; // M[xi][tile][Fp]
  const tmp = mb + 16 * xiM; // 4 tiles x 16 vectors (the scalar path uses 2 x 16)
  const tinfo = tmp + 64 * 16; // 4 tiles x 4 i32
  const xiU = <usize>(C * Fp) * 4; // bytes per xi in u
  const rowB = <usize>(W * C) * 4, colB = <usize>C * 4;
  const zero = f32x4.splat(0), six = f32x4.splat(6);
  for (let tb0 = t0; tb0 < t1; tb0 += TB) {
    const nt = min(TB, t1 - tb0);
    // Input transform, packed as A panels: pa[xi][panel][c][4 tiles].
    for (let p0 = 0; p0 < nt; p0 += 4) {
      const panel = pa + <usize>(p0 * Cp) * 4;
      // Per tile of the panel: image byte offset, top-left input row and column, valid.
      for (let r = 0; r < 4; r++) {
        const ti = tinfo + <usize>r * 16;
        const t = tb0 + p0 + r;
        if (p0 + r >= nt) { store<i32>(ti, 0, 12); continue; }
        const n = t / (TH * TW), rem = t - n * TH * TW, ty = rem / TW;
        store<i32>(ti, n * H * W * C * 4);
        store<i32>(ti, 2 * ty - pt, 4);
        store<i32>(ti, 2 * (rem - ty * TW) - pl, 8);
        store<i32>(ti, 1, 12);
      }
      let c0 = 0;
      for (; c0 + 4 <= C; c0 += 4) {
        for (let r = 0; r < 4; r++) {
          const ti = tinfo + <usize>r * 16;
          const tr = tmp + <usize>(r * 16) * 16;
          if (load<i32>(ti, 12) == 0) {
            for (let xi = 0; xi < 16; xi++) v128.store(tr + <usize>xi * 16, zero);
            continue;
          }
          const q = x + <usize>load<i32>(ti) + <usize>c0 * 4;
          const iy0 = load<i32>(ti, 4), ix0 = load<i32>(ti, 8);
          if (iy0 >= 0 && iy0 + 4 <= H && ix0 >= 0 && ix0 + 4 <= W) {
            const p = q + <usize>iy0 * rowB + <usize>ix0 * colB;
            winoIn(v128.load(p), v128.load(p + colB), v128.load(p + 2 * colB), v128.load(p + 3 * colB),
              v128.load(p + rowB), v128.load(p + rowB + colB), v128.load(p + rowB + 2 * colB), v128.load(p + rowB + 3 * colB),
              v128.load(p + 2 * rowB), v128.load(p + 2 * rowB + colB), v128.load(p + 2 * rowB + 2 * colB), v128.load(p + 2 * rowB + 3 * colB),
              v128.load(p + 3 * rowB), v128.load(p + 3 * rowB + colB), v128.load(p + 3 * rowB + 2 * colB), v128.load(p + 3 * rowB + 3 * colB), tr, 16);
          } else {
            // Border tile: taps outside the image read as zero (addresses clamped inside it).
            const y0 = iy0 >= 0 && iy0 < H, y1 = iy0 + 1 >= 0 && iy0 + 1 < H, y2 = iy0 + 2 >= 0 && iy0 + 2 < H, y3 = iy0 + 3 >= 0 && iy0 + 3 < H;
            const x0 = ix0 >= 0 && ix0 < W, x1 = ix0 + 1 >= 0 && ix0 + 1 < W, x2 = ix0 + 2 >= 0 && ix0 + 2 < W, x3 = ix0 + 3 >= 0 && ix0 + 3 < W;
            const ry0 = <usize>clampI(iy0, H) * rowB, ry1 = <usize>clampI(iy0 + 1, H) * rowB, ry2 = <usize>clampI(iy0 + 2, H) * rowB, ry3 = <usize>clampI(iy0 + 3, H) * rowB;
            const cx0 = <usize>clampI(ix0, W) * colB, cx1 = <usize>clampI(ix0 + 1, W) * colB, cx2 = <usize>clampI(ix0 + 2, W) * colB, cx3 = <usize>clampI(ix0 + 3, W) * colB;
            winoIn(ld(q + ry0 + cx0, y0 && x0), ld(q + ry0 + cx1, y0 && x1), ld(q + ry0 + cx2, y0 && x2), ld(q + ry0 + cx3, y0 && x3),
              ld(q + ry1 + cx0, y1 && x0), ld(q + ry1 + cx1, y1 && x1), ld(q + ry1 + cx2, y1 && x2), ld(q + ry1 + cx3, y1 && x3),
              ld(q + ry2 + cx0, y2 && x0), ld(q + ry2 + cx1, y2 && x1), ld(q + ry2 + cx2, y2 && x2), ld(q + ry2 + cx3, y2 && x3),
              ld(q + ry3 + cx0, y3 && x0), ld(q + ry3 + cx1, y3 && x1), ld(q + ry3 + cx2, y3 && x2), ld(q + ry3 + cx3, y3 && x3), tr, 16);
          }
        }
        // Tiles x channels -> channels x tiles, per xi: four 16-byte rows at channel c0..c0+3.
        for (let xi = 0; xi < 16; xi++) {
          const s = tmp + <usize>xi * 16;
          transpose4Store(v128.load(s), v128.load(s + 256), v128.load(s + 512), v128.load(s + 768), panel + <usize>xi * xiA + <usize>c0 * 16, 16);
        }
      }
      for (; c0 < Cp; c0++) {
        // Leftover channels one at a time, and zero padding up to Cp.
        for (let r = 0; r < 4; r++) {
          const ti = tinfo + <usize>r * 16;
          const dst = panel + <usize>(c0 * 4 + r) * 4;
          if (c0 >= C || load<i32>(ti, 12) == 0) { for (let xi = 0; xi < 16; xi++) store<f32>(dst + <usize>xi * xiA, 0); continue; }
          const q = x + <usize>load<i32>(ti) + <usize>c0 * 4;
          const iy0 = load<i32>(ti, 4), ix0 = load<i32>(ti, 8);
          const tr = tmp;
          for (let i = 0; i < 4; i++) {
            const yy = iy0 + i;
            for (let j = 0; j < 4; j++) {
              const xx = ix0 + j;
              const v: f32 = yy >= 0 && yy < H && xx >= 0 && xx < W ? load<f32>(q + <usize>yy * rowB + <usize>xx * colB) : 0;
              v128.store(tr + <usize>(16 + i * 4 + j) * 16, f32x4.splat(v));
            }
          }
          const d = tr + 256;
          winoIn(v128.load(d), v128.load(d, 16), v128.load(d, 32), v128.load(d, 48), v128.load(d, 64), v128.load(d, 80), v128.load(d, 96), v128.load(d, 112),
            v128.load(d, 128), v128.load(d, 144), v128.load(d, 160), v128.load(d, 176), v128.load(d, 192), v128.load(d, 208), v128.load(d, 224), v128.load(d, 240), tr, 16);
          for (let xi = 0; xi < 16; xi++) store<f32>(dst + <usize>xi * xiA, f32x4.extract_lane(v128.load(tr + <usize>xi * 16), 0));
        }
      }
    }
    // 16 GEMMs: M[xi][tiles][F] = V[xi][tiles][Cp] * U[xi][C][F] (K blocks of KC channels).
    const ntp = (nt + 3) & ~3;
    for (let xi = 0; xi < 16; xi++) {
      const ax = pa + <usize>xi * xiA, ux = u + <usize>xi * xiU, mx = mb + <usize>xi * xiM;
      for (let kc0 = 0; kc0 < C; kc0 += KC) {
        const kc = min(KC, C - kc0);
        const f = kc0 > 0 ? F_ACC : 0;
        for (let jr = 0; jr < Fp; jr += NR) {
          const bp = ux + <usize>(jr * C + kc0 * NR) * 4;
          for (let ir = 0; ir < ntp; ir += MR) {
            kernel(kc, ax + <usize>(ir * Cp + kc0 * MR) * 4, bp, mx + <usize>(ir * Fp + jr) * 4, <usize>Fp * 4, f, 0);
          }
        }
      }
    }
    // Output transform (+ bias, activation) into y.
    const tileM = <usize>Fp * 4;
    for (let i = 0; i < nt; i++) {
      const t = tb0 + i;
      const n = t / (TH * TW), rem = t - n * TH * TW, ty = rem / TW, tx = rem - ty * TW;
      const oy = 2 * ty, ox = 2 * tx;
      const has1y = oy + 1 < OH, has1x = ox + 1 < OW;
      const o00 = y + <usize>(((n * OH + oy) * OW + ox) * F) * 4;
      const o01 = o00 + <usize>F * 4;
      const o10 = o00 + <usize>(OW * F) * 4;
      const o11 = o10 + <usize>F * 4;
      const m = mb + <usize>i * tileM;
      let f0 = 0;
      for (; f0 + 4 <= F; f0 += 4) {
        const q = m + <usize>f0 * 4;
        const m00 = v128.load(q), m01 = v128.load(q + xiM), m02 = v128.load(q + 2 * xiM), m03 = v128.load(q + 3 * xiM);
        const m10 = v128.load(q + 4 * xiM), m11 = v128.load(q + 5 * xiM), m12 = v128.load(q + 6 * xiM), m13 = v128.load(q + 7 * xiM);
        const m20 = v128.load(q + 8 * xiM), m21 = v128.load(q + 9 * xiM), m22 = v128.load(q + 10 * xiM), m23 = v128.load(q + 11 * xiM);
        const m30 = v128.load(q + 12 * xiM), m31 = v128.load(q + 13 * xiM), m32 = v128.load(q + 14 * xiM), m33 = v128.load(q + 15 * xiM);
        // A^T m: rows.
        const s00 = f32x4.add(f32x4.add(m00, m10), m20), s01 = f32x4.add(f32x4.add(m01, m11), m21);
        const s02 = f32x4.add(f32x4.add(m02, m12), m22), s03 = f32x4.add(f32x4.add(m03, m13), m23);
        const s10 = f32x4.sub(f32x4.sub(m10, m20), m30), s11 = f32x4.sub(f32x4.sub(m11, m21), m31);
        const s12 = f32x4.sub(f32x4.sub(m12, m22), m32), s13 = f32x4.sub(f32x4.sub(m13, m23), m33);
        // (A^T m) A: columns.
        let v00 = f32x4.add(f32x4.add(s00, s01), s02), v01 = f32x4.sub(f32x4.sub(s01, s02), s03);
        let v10 = f32x4.add(f32x4.add(s10, s11), s12), v11 = f32x4.sub(f32x4.sub(s11, s12), s13);
        if (bias != 0) {
          const b = v128.load(bias + <usize>f0 * 4);
          v00 = f32x4.add(v00, b); v01 = f32x4.add(v01, b); v10 = f32x4.add(v10, b); v11 = f32x4.add(v11, b);
        }
        if (act != 0) {
          v00 = atLeast(v00, zero); v01 = atLeast(v01, zero); v10 = atLeast(v10, zero); v11 = atLeast(v11, zero);
          if (act == 2) { v00 = atMost(v00, six); v01 = atMost(v01, six); v10 = atMost(v10, six); v11 = atMost(v11, six); }
        }
        const fo = <usize>f0 * 4;
        v128.store(o00 + fo, v00);
        if (has1x) v128.store(o01 + fo, v01);
        if (has1y) { v128.store(o10 + fo, v10); if (has1x) v128.store(o11 + fo, v11); }
      }
      for (; f0 < F; f0++) {
        const q = m + <usize>f0 * 4;
        const m00 = load<f32>(q), m01 = load<f32>(q + xiM), m02 = load<f32>(q + 2 * xiM), m03 = load<f32>(q + 3 * xiM);
        const m10 = load<f32>(q + 4 * xiM), m11 = load<f32>(q + 5 * xiM), m12 = load<f32>(q + 6 * xiM), m13 = load<f32>(q + 7 * xiM);
        const m20 = load<f32>(q + 8 * xiM), m21 = load<f32>(q + 9 * xiM), m22 = load<f32>(q + 10 * xiM), m23 = load<f32>(q + 11 * xiM);
        const m30 = load<f32>(q + 12 * xiM), m31 = load<f32>(q + 13 * xiM), m32 = load<f32>(q + 14 * xiM), m33 = load<f32>(q + 15 * xiM);
        const s00 = m00 + m10 + m20, s01 = m01 + m11 + m21, s02 = m02 + m12 + m22, s03 = m03 + m13 + m23;
        const s10 = m10 - m20 - m30, s11 = m11 - m21 - m31, s12 = m12 - m22 - m32, s13 = m13 - m23 - m33;
        const b: f32 = bias != 0 ? load<f32>(bias + <usize>f0 * 4) : 0;
        const lo: f32 = act != 0 ? 0 : -Infinity, hi: f32 = act == 2 ? 6 : Infinity;
        const fo = <usize>f0 * 4;
        store<f32>(o00 + fo, min(max(s00 + s01 + s02 + b, lo), hi));
        if (has1x) store<f32>(o01 + fo, min(max(s01 - s02 - s03 + b, lo), hi));
        if (has1y) {
          store<f32>(o10 + fo, min(max(s10 + s11 + s12 + b, lo), hi));
          if (has1x) store<f32>(o11 + fo, min(max(s11 - s12 - s13 + b, lo), hi));
        }
      }
    }
  }
}

// ---- Winograd with 6x6 input tiles: F(4x4, 3x3) and F(2x2, 5x5) ----------------------------------
// Both use the interpolation points 0, ±1, ±2 and ∞ (for 3x3 these are Lavin & Gray's matrices), so
// they share the input transform B^T. F(4x4, 3x3) multiplies 36 times per 16 outputs where
// F(2x2, 3x3) multiplies 16 times per 4 (1.8x fewer), and F(2x2, 5x5) 36 times per 4 outputs where
// a direct 5x5 convolution multiplies 100 times (2.8x fewer). The one-dimensional transforms below
// are generated from the exact matrices by winograd6-gen.py (zeros skipped, ±1 as add/sub).
// WINOGRAD6-GENERATED-BEGIN
@inline function w6bt(s: usize, ss: usize, d: usize, ds: usize): void {
  const x0 = v128.load(s + 0 * ss); const x1 = v128.load(s + 1 * ss); const x2 = v128.load(s + 2 * ss); const x3 = v128.load(s + 3 * ss); const x4 = v128.load(s + 4 * ss); const x5 = v128.load(s + 5 * ss);
  v128.store(d + 0 * ds, f32x4.add(madd(f32x4.splat(<f32>-5.0), x2, f32x4.mul(f32x4.splat(<f32>4.0), x0)), x4));
  v128.store(d + 1 * ds, f32x4.add(f32x4.add(madd(f32x4.splat(<f32>-4.0), x2, f32x4.mul(f32x4.splat(<f32>-4.0), x1)), x3), x4));
  v128.store(d + 2 * ds, f32x4.add(f32x4.sub(madd(f32x4.splat(<f32>-4.0), x2, f32x4.mul(f32x4.splat(<f32>4.0), x1)), x3), x4));
  v128.store(d + 3 * ds, f32x4.add(madd(f32x4.splat(<f32>2.0), x3, f32x4.sub(f32x4.mul(f32x4.splat(<f32>-2.0), x1), x2)), x4));
  v128.store(d + 4 * ds, f32x4.add(madd(f32x4.splat(<f32>-2.0), x3, f32x4.sub(f32x4.mul(f32x4.splat(<f32>2.0), x1), x2)), x4));
  v128.store(d + 5 * ds, f32x4.add(madd(f32x4.splat(<f32>-5.0), x3, f32x4.mul(f32x4.splat(<f32>4.0), x1)), x5));
}
@inline function w6at43(s: usize, ss: usize, d: usize, ds: usize): void {
  const x0 = v128.load(s + 0 * ss); const x1 = v128.load(s + 1 * ss); const x2 = v128.load(s + 2 * ss); const x3 = v128.load(s + 3 * ss); const x4 = v128.load(s + 4 * ss); const x5 = v128.load(s + 5 * ss);
  v128.store(d + 0 * ds, f32x4.add(f32x4.add(f32x4.add(f32x4.add(x0, x1), x2), x3), x4));
  v128.store(d + 1 * ds, madd(f32x4.splat(<f32>-2.0), x4, madd(f32x4.splat(<f32>2.0), x3, f32x4.sub(x1, x2))));
  v128.store(d + 2 * ds, madd(f32x4.splat(<f32>4.0), x4, madd(f32x4.splat(<f32>4.0), x3, f32x4.add(x1, x2))));
  v128.store(d + 3 * ds, f32x4.add(madd(f32x4.splat(<f32>-8.0), x4, madd(f32x4.splat(<f32>8.0), x3, f32x4.sub(x1, x2))), x5));
}
@inline function w6g43(s: usize, ss: usize, d: usize, ds: usize): void {
  const x0 = v128.load(s + 0 * ss); const x1 = v128.load(s + 1 * ss); const x2 = v128.load(s + 2 * ss);
  v128.store(d + 0 * ds, f32x4.mul(f32x4.splat(<f32>0.25), x0));
  v128.store(d + 1 * ds, madd(f32x4.splat(<f32>-0.16666666666666666), x2, madd(f32x4.splat(<f32>-0.16666666666666666), x1, f32x4.mul(f32x4.splat(<f32>-0.16666666666666666), x0))));
  v128.store(d + 2 * ds, madd(f32x4.splat(<f32>-0.16666666666666666), x2, madd(f32x4.splat(<f32>0.16666666666666666), x1, f32x4.mul(f32x4.splat(<f32>-0.16666666666666666), x0))));
  v128.store(d + 3 * ds, madd(f32x4.splat(<f32>0.16666666666666666), x2, madd(f32x4.splat(<f32>0.08333333333333333), x1, f32x4.mul(f32x4.splat(<f32>0.041666666666666664), x0))));
  v128.store(d + 4 * ds, madd(f32x4.splat(<f32>0.16666666666666666), x2, madd(f32x4.splat(<f32>-0.08333333333333333), x1, f32x4.mul(f32x4.splat(<f32>0.041666666666666664), x0))));
  v128.store(d + 5 * ds, x2);
}
@inline function w6a43(s: usize, ss: usize, d: usize, ds: usize): void {
  const x0 = v128.load(s + 0 * ss); const x1 = v128.load(s + 1 * ss); const x2 = v128.load(s + 2 * ss); const x3 = v128.load(s + 3 * ss);
  v128.store(d + 0 * ds, x0);
  v128.store(d + 1 * ds, f32x4.add(f32x4.add(f32x4.add(x0, x1), x2), x3));
  v128.store(d + 2 * ds, f32x4.sub(f32x4.add(f32x4.sub(x0, x1), x2), x3));
  v128.store(d + 3 * ds, madd(f32x4.splat(<f32>8.0), x3, madd(f32x4.splat(<f32>4.0), x2, madd(f32x4.splat(<f32>2.0), x1, x0))));
  v128.store(d + 4 * ds, madd(f32x4.splat(<f32>-8.0), x3, madd(f32x4.splat(<f32>4.0), x2, madd(f32x4.splat(<f32>-2.0), x1, x0))));
  v128.store(d + 5 * ds, x3);
}
@inline function w6gt43(s: usize, ss: usize, d: usize, ds: usize): void {
  const x0 = v128.load(s + 0 * ss); const x1 = v128.load(s + 1 * ss); const x2 = v128.load(s + 2 * ss); const x3 = v128.load(s + 3 * ss); const x4 = v128.load(s + 4 * ss); const x5 = v128.load(s + 5 * ss);
  v128.store(d + 0 * ds, madd(f32x4.splat(<f32>0.041666666666666664), x4, madd(f32x4.splat(<f32>0.041666666666666664), x3, madd(f32x4.splat(<f32>-0.16666666666666666), x2, madd(f32x4.splat(<f32>-0.16666666666666666), x1, f32x4.mul(f32x4.splat(<f32>0.25), x0))))));
  v128.store(d + 1 * ds, madd(f32x4.splat(<f32>-0.08333333333333333), x4, madd(f32x4.splat(<f32>0.08333333333333333), x3, madd(f32x4.splat(<f32>0.16666666666666666), x2, f32x4.mul(f32x4.splat(<f32>-0.16666666666666666), x1)))));
  v128.store(d + 2 * ds, f32x4.add(madd(f32x4.splat(<f32>0.16666666666666666), x4, madd(f32x4.splat(<f32>0.16666666666666666), x3, madd(f32x4.splat(<f32>-0.16666666666666666), x2, f32x4.mul(f32x4.splat(<f32>-0.16666666666666666), x1)))), x5));
}
@inline function w6at25(s: usize, ss: usize, d: usize, ds: usize): void {
  const x0 = v128.load(s + 0 * ss); const x1 = v128.load(s + 1 * ss); const x2 = v128.load(s + 2 * ss); const x3 = v128.load(s + 3 * ss); const x4 = v128.load(s + 4 * ss); const x5 = v128.load(s + 5 * ss);
  v128.store(d + 0 * ds, f32x4.add(f32x4.add(f32x4.add(f32x4.add(x0, x1), x2), x3), x4));
  v128.store(d + 1 * ds, f32x4.add(madd(f32x4.splat(<f32>-2.0), x4, madd(f32x4.splat(<f32>2.0), x3, f32x4.sub(x1, x2))), x5));
}
@inline function w6g25(s: usize, ss: usize, d: usize, ds: usize): void {
  const x0 = v128.load(s + 0 * ss); const x1 = v128.load(s + 1 * ss); const x2 = v128.load(s + 2 * ss); const x3 = v128.load(s + 3 * ss); const x4 = v128.load(s + 4 * ss);
  v128.store(d + 0 * ds, f32x4.mul(f32x4.splat(<f32>0.25), x0));
  v128.store(d + 1 * ds, madd(f32x4.splat(<f32>-0.16666666666666666), x4, madd(f32x4.splat(<f32>-0.16666666666666666), x3, madd(f32x4.splat(<f32>-0.16666666666666666), x2, madd(f32x4.splat(<f32>-0.16666666666666666), x1, f32x4.mul(f32x4.splat(<f32>-0.16666666666666666), x0))))));
  v128.store(d + 2 * ds, madd(f32x4.splat(<f32>-0.16666666666666666), x4, madd(f32x4.splat(<f32>0.16666666666666666), x3, madd(f32x4.splat(<f32>-0.16666666666666666), x2, madd(f32x4.splat(<f32>0.16666666666666666), x1, f32x4.mul(f32x4.splat(<f32>-0.16666666666666666), x0))))));
  v128.store(d + 3 * ds, madd(f32x4.splat(<f32>0.6666666666666666), x4, madd(f32x4.splat(<f32>0.3333333333333333), x3, madd(f32x4.splat(<f32>0.16666666666666666), x2, madd(f32x4.splat(<f32>0.08333333333333333), x1, f32x4.mul(f32x4.splat(<f32>0.041666666666666664), x0))))));
  v128.store(d + 4 * ds, madd(f32x4.splat(<f32>0.6666666666666666), x4, madd(f32x4.splat(<f32>-0.3333333333333333), x3, madd(f32x4.splat(<f32>0.16666666666666666), x2, madd(f32x4.splat(<f32>-0.08333333333333333), x1, f32x4.mul(f32x4.splat(<f32>0.041666666666666664), x0))))));
  v128.store(d + 5 * ds, x4);
}
@inline function w6a25(s: usize, ss: usize, d: usize, ds: usize): void {
  const x0 = v128.load(s + 0 * ss); const x1 = v128.load(s + 1 * ss);
  v128.store(d + 0 * ds, x0);
  v128.store(d + 1 * ds, f32x4.add(x0, x1));
  v128.store(d + 2 * ds, f32x4.sub(x0, x1));
  v128.store(d + 3 * ds, madd(f32x4.splat(<f32>2.0), x1, x0));
  v128.store(d + 4 * ds, madd(f32x4.splat(<f32>-2.0), x1, x0));
  v128.store(d + 5 * ds, x1);
}
@inline function w6gt25(s: usize, ss: usize, d: usize, ds: usize): void {
  const x0 = v128.load(s + 0 * ss); const x1 = v128.load(s + 1 * ss); const x2 = v128.load(s + 2 * ss); const x3 = v128.load(s + 3 * ss); const x4 = v128.load(s + 4 * ss); const x5 = v128.load(s + 5 * ss);
  v128.store(d + 0 * ds, madd(f32x4.splat(<f32>0.041666666666666664), x4, madd(f32x4.splat(<f32>0.041666666666666664), x3, madd(f32x4.splat(<f32>-0.16666666666666666), x2, madd(f32x4.splat(<f32>-0.16666666666666666), x1, f32x4.mul(f32x4.splat(<f32>0.25), x0))))));
  v128.store(d + 1 * ds, madd(f32x4.splat(<f32>-0.08333333333333333), x4, madd(f32x4.splat(<f32>0.08333333333333333), x3, madd(f32x4.splat(<f32>0.16666666666666666), x2, f32x4.mul(f32x4.splat(<f32>-0.16666666666666666), x1)))));
  v128.store(d + 2 * ds, madd(f32x4.splat(<f32>0.16666666666666666), x4, madd(f32x4.splat(<f32>0.16666666666666666), x3, madd(f32x4.splat(<f32>-0.16666666666666666), x2, f32x4.mul(f32x4.splat(<f32>-0.16666666666666666), x1)))));
  v128.store(d + 3 * ds, madd(f32x4.splat(<f32>-0.3333333333333333), x4, madd(f32x4.splat(<f32>0.3333333333333333), x3, madd(f32x4.splat(<f32>0.16666666666666666), x2, f32x4.mul(f32x4.splat(<f32>-0.16666666666666666), x1)))));
  v128.store(d + 4 * ds, f32x4.add(madd(f32x4.splat(<f32>0.6666666666666666), x4, madd(f32x4.splat(<f32>0.6666666666666666), x3, madd(f32x4.splat(<f32>-0.16666666666666666), x2, f32x4.mul(f32x4.splat(<f32>-0.16666666666666666), x1)))), x5));
}
@inline function w8bt(s: usize, ss: usize, d: usize, ds: usize): void {
  const x0 = v128.load(s + 0 * ss); const x1 = v128.load(s + 1 * ss); const x2 = v128.load(s + 2 * ss); const x3 = v128.load(s + 3 * ss); const x4 = v128.load(s + 4 * ss); const x5 = v128.load(s + 5 * ss); const x6 = v128.load(s + 6 * ss); const x7 = v128.load(s + 7 * ss);
  v128.store(d + 0 * ds, f32x4.add(madd(f32x4.splat(<f32>-5.25), x4, madd(f32x4.splat(<f32>5.25), x2, f32x4.neg(x0))), x6));
  v128.store(d + 1 * ds, f32x4.add(f32x4.add(madd(f32x4.splat(<f32>-4.25), x4, madd(f32x4.splat(<f32>-4.25), x3, f32x4.add(x1, x2))), x5), x6));
  v128.store(d + 2 * ds, f32x4.add(f32x4.sub(madd(f32x4.splat(<f32>-4.25), x4, madd(f32x4.splat(<f32>4.25), x3, f32x4.add(f32x4.neg(x1), x2))), x5), x6));
  v128.store(d + 3 * ds, f32x4.add(madd(f32x4.splat(<f32>2.0), x5, madd(f32x4.splat(<f32>-1.25), x4, madd(f32x4.splat(<f32>-2.5), x3, madd(f32x4.splat(<f32>0.25), x2, f32x4.mul(f32x4.splat(<f32>0.5), x1))))), x6));
  v128.store(d + 4 * ds, f32x4.add(madd(f32x4.splat(<f32>-2.0), x5, madd(f32x4.splat(<f32>-1.25), x4, madd(f32x4.splat(<f32>2.5), x3, madd(f32x4.splat(<f32>0.25), x2, f32x4.mul(f32x4.splat(<f32>-0.5), x1))))), x6));
  v128.store(d + 5 * ds, f32x4.add(madd(f32x4.splat(<f32>0.5), x5, madd(f32x4.splat(<f32>-5.0), x4, madd(f32x4.splat(<f32>-2.5), x3, madd(f32x4.splat(<f32>4.0), x2, f32x4.mul(f32x4.splat(<f32>2.0), x1))))), x6));
  v128.store(d + 6 * ds, f32x4.add(madd(f32x4.splat(<f32>-0.5), x5, madd(f32x4.splat(<f32>-5.0), x4, madd(f32x4.splat(<f32>2.5), x3, madd(f32x4.splat(<f32>4.0), x2, f32x4.mul(f32x4.splat(<f32>-2.0), x1))))), x6));
  v128.store(d + 7 * ds, f32x4.add(madd(f32x4.splat(<f32>-5.25), x5, madd(f32x4.splat(<f32>5.25), x3, f32x4.neg(x1))), x7));
}
@inline function w8at63(s: usize, ss: usize, d: usize, ds: usize): void {
  const x0 = v128.load(s + 0 * ss); const x1 = v128.load(s + 1 * ss); const x2 = v128.load(s + 2 * ss); const x3 = v128.load(s + 3 * ss); const x4 = v128.load(s + 4 * ss); const x5 = v128.load(s + 5 * ss); const x6 = v128.load(s + 6 * ss); const x7 = v128.load(s + 7 * ss);
  v128.store(d + 0 * ds, f32x4.add(f32x4.add(f32x4.add(f32x4.add(f32x4.add(f32x4.add(x0, x1), x2), x3), x4), x5), x6));
  v128.store(d + 1 * ds, madd(f32x4.splat(<f32>-0.5), x6, madd(f32x4.splat(<f32>0.5), x5, madd(f32x4.splat(<f32>-2.0), x4, madd(f32x4.splat(<f32>2.0), x3, f32x4.sub(x1, x2))))));
  v128.store(d + 2 * ds, madd(f32x4.splat(<f32>0.25), x6, madd(f32x4.splat(<f32>0.25), x5, madd(f32x4.splat(<f32>4.0), x4, madd(f32x4.splat(<f32>4.0), x3, f32x4.add(x1, x2))))));
  v128.store(d + 3 * ds, madd(f32x4.splat(<f32>-0.125), x6, madd(f32x4.splat(<f32>0.125), x5, madd(f32x4.splat(<f32>-8.0), x4, madd(f32x4.splat(<f32>8.0), x3, f32x4.sub(x1, x2))))));
  v128.store(d + 4 * ds, madd(f32x4.splat(<f32>0.0625), x6, madd(f32x4.splat(<f32>0.0625), x5, madd(f32x4.splat(<f32>16.0), x4, madd(f32x4.splat(<f32>16.0), x3, f32x4.add(x1, x2))))));
  v128.store(d + 5 * ds, f32x4.add(madd(f32x4.splat(<f32>-0.03125), x6, madd(f32x4.splat(<f32>0.03125), x5, madd(f32x4.splat(<f32>-32.0), x4, madd(f32x4.splat(<f32>32.0), x3, f32x4.sub(x1, x2))))), x7));
}
@inline function w8g63(s: usize, ss: usize, d: usize, ds: usize): void {
  const x0 = v128.load(s + 0 * ss); const x1 = v128.load(s + 1 * ss); const x2 = v128.load(s + 2 * ss);
  v128.store(d + 0 * ds, f32x4.neg(x0));
  v128.store(d + 1 * ds, madd(f32x4.splat(<f32>-0.2222222222222222), x2, madd(f32x4.splat(<f32>-0.2222222222222222), x1, f32x4.mul(f32x4.splat(<f32>-0.2222222222222222), x0))));
  v128.store(d + 2 * ds, madd(f32x4.splat(<f32>-0.2222222222222222), x2, madd(f32x4.splat(<f32>0.2222222222222222), x1, f32x4.mul(f32x4.splat(<f32>-0.2222222222222222), x0))));
  v128.store(d + 3 * ds, madd(f32x4.splat(<f32>0.044444444444444446), x2, madd(f32x4.splat(<f32>0.022222222222222223), x1, f32x4.mul(f32x4.splat(<f32>0.011111111111111112), x0))));
  v128.store(d + 4 * ds, madd(f32x4.splat(<f32>0.044444444444444446), x2, madd(f32x4.splat(<f32>-0.022222222222222223), x1, f32x4.mul(f32x4.splat(<f32>0.011111111111111112), x0))));
  v128.store(d + 5 * ds, madd(f32x4.splat(<f32>0.17777777777777778), x2, madd(f32x4.splat(<f32>0.35555555555555557), x1, f32x4.mul(f32x4.splat(<f32>0.7111111111111111), x0))));
  v128.store(d + 6 * ds, madd(f32x4.splat(<f32>0.17777777777777778), x2, madd(f32x4.splat(<f32>-0.35555555555555557), x1, f32x4.mul(f32x4.splat(<f32>0.7111111111111111), x0))));
  v128.store(d + 7 * ds, x2);
}
@inline function w8a63(s: usize, ss: usize, d: usize, ds: usize): void {
  const x0 = v128.load(s + 0 * ss); const x1 = v128.load(s + 1 * ss); const x2 = v128.load(s + 2 * ss); const x3 = v128.load(s + 3 * ss); const x4 = v128.load(s + 4 * ss); const x5 = v128.load(s + 5 * ss);
  v128.store(d + 0 * ds, x0);
  v128.store(d + 1 * ds, f32x4.add(f32x4.add(f32x4.add(f32x4.add(f32x4.add(x0, x1), x2), x3), x4), x5));
  v128.store(d + 2 * ds, f32x4.sub(f32x4.add(f32x4.sub(f32x4.add(f32x4.sub(x0, x1), x2), x3), x4), x5));
  v128.store(d + 3 * ds, madd(f32x4.splat(<f32>32.0), x5, madd(f32x4.splat(<f32>16.0), x4, madd(f32x4.splat(<f32>8.0), x3, madd(f32x4.splat(<f32>4.0), x2, madd(f32x4.splat(<f32>2.0), x1, x0))))));
  v128.store(d + 4 * ds, madd(f32x4.splat(<f32>-32.0), x5, madd(f32x4.splat(<f32>16.0), x4, madd(f32x4.splat(<f32>-8.0), x3, madd(f32x4.splat(<f32>4.0), x2, madd(f32x4.splat(<f32>-2.0), x1, x0))))));
  v128.store(d + 5 * ds, madd(f32x4.splat(<f32>0.03125), x5, madd(f32x4.splat(<f32>0.0625), x4, madd(f32x4.splat(<f32>0.125), x3, madd(f32x4.splat(<f32>0.25), x2, madd(f32x4.splat(<f32>0.5), x1, x0))))));
  v128.store(d + 6 * ds, madd(f32x4.splat(<f32>-0.03125), x5, madd(f32x4.splat(<f32>0.0625), x4, madd(f32x4.splat(<f32>-0.125), x3, madd(f32x4.splat(<f32>0.25), x2, madd(f32x4.splat(<f32>-0.5), x1, x0))))));
  v128.store(d + 7 * ds, x5);
}
@inline function w8gt63(s: usize, ss: usize, d: usize, ds: usize): void {
  const x0 = v128.load(s + 0 * ss); const x1 = v128.load(s + 1 * ss); const x2 = v128.load(s + 2 * ss); const x3 = v128.load(s + 3 * ss); const x4 = v128.load(s + 4 * ss); const x5 = v128.load(s + 5 * ss); const x6 = v128.load(s + 6 * ss); const x7 = v128.load(s + 7 * ss);
  v128.store(d + 0 * ds, madd(f32x4.splat(<f32>0.7111111111111111), x6, madd(f32x4.splat(<f32>0.7111111111111111), x5, madd(f32x4.splat(<f32>0.011111111111111112), x4, madd(f32x4.splat(<f32>0.011111111111111112), x3, madd(f32x4.splat(<f32>-0.2222222222222222), x2, madd(f32x4.splat(<f32>-0.2222222222222222), x1, f32x4.neg(x0))))))));
  v128.store(d + 1 * ds, madd(f32x4.splat(<f32>-0.35555555555555557), x6, madd(f32x4.splat(<f32>0.35555555555555557), x5, madd(f32x4.splat(<f32>-0.022222222222222223), x4, madd(f32x4.splat(<f32>0.022222222222222223), x3, madd(f32x4.splat(<f32>0.2222222222222222), x2, f32x4.mul(f32x4.splat(<f32>-0.2222222222222222), x1)))))));
  v128.store(d + 2 * ds, f32x4.add(madd(f32x4.splat(<f32>0.17777777777777778), x6, madd(f32x4.splat(<f32>0.17777777777777778), x5, madd(f32x4.splat(<f32>0.044444444444444446), x4, madd(f32x4.splat(<f32>0.044444444444444446), x3, madd(f32x4.splat(<f32>-0.2222222222222222), x2, f32x4.mul(f32x4.splat(<f32>-0.2222222222222222), x1)))))), x7));
}
@inline function w8at27(s: usize, ss: usize, d: usize, ds: usize): void {
  const x0 = v128.load(s + 0 * ss); const x1 = v128.load(s + 1 * ss); const x2 = v128.load(s + 2 * ss); const x3 = v128.load(s + 3 * ss); const x4 = v128.load(s + 4 * ss); const x5 = v128.load(s + 5 * ss); const x6 = v128.load(s + 6 * ss); const x7 = v128.load(s + 7 * ss);
  v128.store(d + 0 * ds, f32x4.add(f32x4.add(f32x4.add(f32x4.add(f32x4.add(f32x4.add(x0, x1), x2), x3), x4), x5), x6));
  v128.store(d + 1 * ds, f32x4.add(madd(f32x4.splat(<f32>-0.5), x6, madd(f32x4.splat(<f32>0.5), x5, madd(f32x4.splat(<f32>-2.0), x4, madd(f32x4.splat(<f32>2.0), x3, f32x4.sub(x1, x2))))), x7));
}
@inline function w8g27(s: usize, ss: usize, d: usize, ds: usize): void {
  const x0 = v128.load(s + 0 * ss); const x1 = v128.load(s + 1 * ss); const x2 = v128.load(s + 2 * ss); const x3 = v128.load(s + 3 * ss); const x4 = v128.load(s + 4 * ss); const x5 = v128.load(s + 5 * ss); const x6 = v128.load(s + 6 * ss);
  v128.store(d + 0 * ds, f32x4.neg(x0));
  v128.store(d + 1 * ds, madd(f32x4.splat(<f32>-0.2222222222222222), x6, madd(f32x4.splat(<f32>-0.2222222222222222), x5, madd(f32x4.splat(<f32>-0.2222222222222222), x4, madd(f32x4.splat(<f32>-0.2222222222222222), x3, madd(f32x4.splat(<f32>-0.2222222222222222), x2, madd(f32x4.splat(<f32>-0.2222222222222222), x1, f32x4.mul(f32x4.splat(<f32>-0.2222222222222222), x0))))))));
  v128.store(d + 2 * ds, madd(f32x4.splat(<f32>-0.2222222222222222), x6, madd(f32x4.splat(<f32>0.2222222222222222), x5, madd(f32x4.splat(<f32>-0.2222222222222222), x4, madd(f32x4.splat(<f32>0.2222222222222222), x3, madd(f32x4.splat(<f32>-0.2222222222222222), x2, madd(f32x4.splat(<f32>0.2222222222222222), x1, f32x4.mul(f32x4.splat(<f32>-0.2222222222222222), x0))))))));
  v128.store(d + 3 * ds, madd(f32x4.splat(<f32>0.7111111111111111), x6, madd(f32x4.splat(<f32>0.35555555555555557), x5, madd(f32x4.splat(<f32>0.17777777777777778), x4, madd(f32x4.splat(<f32>0.08888888888888889), x3, madd(f32x4.splat(<f32>0.044444444444444446), x2, madd(f32x4.splat(<f32>0.022222222222222223), x1, f32x4.mul(f32x4.splat(<f32>0.011111111111111112), x0))))))));
  v128.store(d + 4 * ds, madd(f32x4.splat(<f32>0.7111111111111111), x6, madd(f32x4.splat(<f32>-0.35555555555555557), x5, madd(f32x4.splat(<f32>0.17777777777777778), x4, madd(f32x4.splat(<f32>-0.08888888888888889), x3, madd(f32x4.splat(<f32>0.044444444444444446), x2, madd(f32x4.splat(<f32>-0.022222222222222223), x1, f32x4.mul(f32x4.splat(<f32>0.011111111111111112), x0))))))));
  v128.store(d + 5 * ds, madd(f32x4.splat(<f32>0.011111111111111112), x6, madd(f32x4.splat(<f32>0.022222222222222223), x5, madd(f32x4.splat(<f32>0.044444444444444446), x4, madd(f32x4.splat(<f32>0.08888888888888889), x3, madd(f32x4.splat(<f32>0.17777777777777778), x2, madd(f32x4.splat(<f32>0.35555555555555557), x1, f32x4.mul(f32x4.splat(<f32>0.7111111111111111), x0))))))));
  v128.store(d + 6 * ds, madd(f32x4.splat(<f32>0.011111111111111112), x6, madd(f32x4.splat(<f32>-0.022222222222222223), x5, madd(f32x4.splat(<f32>0.044444444444444446), x4, madd(f32x4.splat(<f32>-0.08888888888888889), x3, madd(f32x4.splat(<f32>0.17777777777777778), x2, madd(f32x4.splat(<f32>-0.35555555555555557), x1, f32x4.mul(f32x4.splat(<f32>0.7111111111111111), x0))))))));
  v128.store(d + 7 * ds, x6);
}
@inline function w8a27(s: usize, ss: usize, d: usize, ds: usize): void {
  const x0 = v128.load(s + 0 * ss); const x1 = v128.load(s + 1 * ss);
  v128.store(d + 0 * ds, x0);
  v128.store(d + 1 * ds, f32x4.add(x0, x1));
  v128.store(d + 2 * ds, f32x4.sub(x0, x1));
  v128.store(d + 3 * ds, madd(f32x4.splat(<f32>2.0), x1, x0));
  v128.store(d + 4 * ds, madd(f32x4.splat(<f32>-2.0), x1, x0));
  v128.store(d + 5 * ds, madd(f32x4.splat(<f32>0.5), x1, x0));
  v128.store(d + 6 * ds, madd(f32x4.splat(<f32>-0.5), x1, x0));
  v128.store(d + 7 * ds, x1);
}
@inline function w8gt27(s: usize, ss: usize, d: usize, ds: usize): void {
  const x0 = v128.load(s + 0 * ss); const x1 = v128.load(s + 1 * ss); const x2 = v128.load(s + 2 * ss); const x3 = v128.load(s + 3 * ss); const x4 = v128.load(s + 4 * ss); const x5 = v128.load(s + 5 * ss); const x6 = v128.load(s + 6 * ss); const x7 = v128.load(s + 7 * ss);
  v128.store(d + 0 * ds, madd(f32x4.splat(<f32>0.7111111111111111), x6, madd(f32x4.splat(<f32>0.7111111111111111), x5, madd(f32x4.splat(<f32>0.011111111111111112), x4, madd(f32x4.splat(<f32>0.011111111111111112), x3, madd(f32x4.splat(<f32>-0.2222222222222222), x2, madd(f32x4.splat(<f32>-0.2222222222222222), x1, f32x4.neg(x0))))))));
  v128.store(d + 1 * ds, madd(f32x4.splat(<f32>-0.35555555555555557), x6, madd(f32x4.splat(<f32>0.35555555555555557), x5, madd(f32x4.splat(<f32>-0.022222222222222223), x4, madd(f32x4.splat(<f32>0.022222222222222223), x3, madd(f32x4.splat(<f32>0.2222222222222222), x2, f32x4.mul(f32x4.splat(<f32>-0.2222222222222222), x1)))))));
  v128.store(d + 2 * ds, madd(f32x4.splat(<f32>0.17777777777777778), x6, madd(f32x4.splat(<f32>0.17777777777777778), x5, madd(f32x4.splat(<f32>0.044444444444444446), x4, madd(f32x4.splat(<f32>0.044444444444444446), x3, madd(f32x4.splat(<f32>-0.2222222222222222), x2, f32x4.mul(f32x4.splat(<f32>-0.2222222222222222), x1)))))));
  v128.store(d + 3 * ds, madd(f32x4.splat(<f32>-0.08888888888888889), x6, madd(f32x4.splat(<f32>0.08888888888888889), x5, madd(f32x4.splat(<f32>-0.08888888888888889), x4, madd(f32x4.splat(<f32>0.08888888888888889), x3, madd(f32x4.splat(<f32>0.2222222222222222), x2, f32x4.mul(f32x4.splat(<f32>-0.2222222222222222), x1)))))));
  v128.store(d + 4 * ds, madd(f32x4.splat(<f32>0.044444444444444446), x6, madd(f32x4.splat(<f32>0.044444444444444446), x5, madd(f32x4.splat(<f32>0.17777777777777778), x4, madd(f32x4.splat(<f32>0.17777777777777778), x3, madd(f32x4.splat(<f32>-0.2222222222222222), x2, f32x4.mul(f32x4.splat(<f32>-0.2222222222222222), x1)))))));
  v128.store(d + 5 * ds, madd(f32x4.splat(<f32>-0.022222222222222223), x6, madd(f32x4.splat(<f32>0.022222222222222223), x5, madd(f32x4.splat(<f32>-0.35555555555555557), x4, madd(f32x4.splat(<f32>0.35555555555555557), x3, madd(f32x4.splat(<f32>0.2222222222222222), x2, f32x4.mul(f32x4.splat(<f32>-0.2222222222222222), x1)))))));
  v128.store(d + 6 * ds, f32x4.add(madd(f32x4.splat(<f32>0.011111111111111112), x6, madd(f32x4.splat(<f32>0.011111111111111112), x5, madd(f32x4.splat(<f32>0.7111111111111111), x4, madd(f32x4.splat(<f32>0.7111111111111111), x3, madd(f32x4.splat(<f32>-0.2222222222222222), x2, f32x4.mul(f32x4.splat(<f32>-0.2222222222222222), x1)))))), x7));
}
@inline function w8at45(s: usize, ss: usize, d: usize, ds: usize): void {
  const x0 = v128.load(s + 0 * ss); const x1 = v128.load(s + 1 * ss); const x2 = v128.load(s + 2 * ss); const x3 = v128.load(s + 3 * ss); const x4 = v128.load(s + 4 * ss); const x5 = v128.load(s + 5 * ss); const x6 = v128.load(s + 6 * ss); const x7 = v128.load(s + 7 * ss);
  v128.store(d + 0 * ds, f32x4.add(f32x4.add(f32x4.add(f32x4.add(f32x4.add(f32x4.add(x0, x1), x2), x3), x4), x5), x6));
  v128.store(d + 1 * ds, madd(f32x4.splat(<f32>-0.5), x6, madd(f32x4.splat(<f32>0.5), x5, madd(f32x4.splat(<f32>-2.0), x4, madd(f32x4.splat(<f32>2.0), x3, f32x4.sub(x1, x2))))));
  v128.store(d + 2 * ds, madd(f32x4.splat(<f32>0.25), x6, madd(f32x4.splat(<f32>0.25), x5, madd(f32x4.splat(<f32>4.0), x4, madd(f32x4.splat(<f32>4.0), x3, f32x4.add(x1, x2))))));
  v128.store(d + 3 * ds, f32x4.add(madd(f32x4.splat(<f32>-0.125), x6, madd(f32x4.splat(<f32>0.125), x5, madd(f32x4.splat(<f32>-8.0), x4, madd(f32x4.splat(<f32>8.0), x3, f32x4.sub(x1, x2))))), x7));
}
@inline function w8g45(s: usize, ss: usize, d: usize, ds: usize): void {
  const x0 = v128.load(s + 0 * ss); const x1 = v128.load(s + 1 * ss); const x2 = v128.load(s + 2 * ss); const x3 = v128.load(s + 3 * ss); const x4 = v128.load(s + 4 * ss);
  v128.store(d + 0 * ds, f32x4.neg(x0));
  v128.store(d + 1 * ds, madd(f32x4.splat(<f32>-0.2222222222222222), x4, madd(f32x4.splat(<f32>-0.2222222222222222), x3, madd(f32x4.splat(<f32>-0.2222222222222222), x2, madd(f32x4.splat(<f32>-0.2222222222222222), x1, f32x4.mul(f32x4.splat(<f32>-0.2222222222222222), x0))))));
  v128.store(d + 2 * ds, madd(f32x4.splat(<f32>-0.2222222222222222), x4, madd(f32x4.splat(<f32>0.2222222222222222), x3, madd(f32x4.splat(<f32>-0.2222222222222222), x2, madd(f32x4.splat(<f32>0.2222222222222222), x1, f32x4.mul(f32x4.splat(<f32>-0.2222222222222222), x0))))));
  v128.store(d + 3 * ds, madd(f32x4.splat(<f32>0.17777777777777778), x4, madd(f32x4.splat(<f32>0.08888888888888889), x3, madd(f32x4.splat(<f32>0.044444444444444446), x2, madd(f32x4.splat(<f32>0.022222222222222223), x1, f32x4.mul(f32x4.splat(<f32>0.011111111111111112), x0))))));
  v128.store(d + 4 * ds, madd(f32x4.splat(<f32>0.17777777777777778), x4, madd(f32x4.splat(<f32>-0.08888888888888889), x3, madd(f32x4.splat(<f32>0.044444444444444446), x2, madd(f32x4.splat(<f32>-0.022222222222222223), x1, f32x4.mul(f32x4.splat(<f32>0.011111111111111112), x0))))));
  v128.store(d + 5 * ds, madd(f32x4.splat(<f32>0.044444444444444446), x4, madd(f32x4.splat(<f32>0.08888888888888889), x3, madd(f32x4.splat(<f32>0.17777777777777778), x2, madd(f32x4.splat(<f32>0.35555555555555557), x1, f32x4.mul(f32x4.splat(<f32>0.7111111111111111), x0))))));
  v128.store(d + 6 * ds, madd(f32x4.splat(<f32>0.044444444444444446), x4, madd(f32x4.splat(<f32>-0.08888888888888889), x3, madd(f32x4.splat(<f32>0.17777777777777778), x2, madd(f32x4.splat(<f32>-0.35555555555555557), x1, f32x4.mul(f32x4.splat(<f32>0.7111111111111111), x0))))));
  v128.store(d + 7 * ds, x4);
}
@inline function w8a45(s: usize, ss: usize, d: usize, ds: usize): void {
  const x0 = v128.load(s + 0 * ss); const x1 = v128.load(s + 1 * ss); const x2 = v128.load(s + 2 * ss); const x3 = v128.load(s + 3 * ss);
  v128.store(d + 0 * ds, x0);
  v128.store(d + 1 * ds, f32x4.add(f32x4.add(f32x4.add(x0, x1), x2), x3));
  v128.store(d + 2 * ds, f32x4.sub(f32x4.add(f32x4.sub(x0, x1), x2), x3));
  v128.store(d + 3 * ds, madd(f32x4.splat(<f32>8.0), x3, madd(f32x4.splat(<f32>4.0), x2, madd(f32x4.splat(<f32>2.0), x1, x0))));
  v128.store(d + 4 * ds, madd(f32x4.splat(<f32>-8.0), x3, madd(f32x4.splat(<f32>4.0), x2, madd(f32x4.splat(<f32>-2.0), x1, x0))));
  v128.store(d + 5 * ds, madd(f32x4.splat(<f32>0.125), x3, madd(f32x4.splat(<f32>0.25), x2, madd(f32x4.splat(<f32>0.5), x1, x0))));
  v128.store(d + 6 * ds, madd(f32x4.splat(<f32>-0.125), x3, madd(f32x4.splat(<f32>0.25), x2, madd(f32x4.splat(<f32>-0.5), x1, x0))));
  v128.store(d + 7 * ds, x3);
}
@inline function w8gt45(s: usize, ss: usize, d: usize, ds: usize): void {
  const x0 = v128.load(s + 0 * ss); const x1 = v128.load(s + 1 * ss); const x2 = v128.load(s + 2 * ss); const x3 = v128.load(s + 3 * ss); const x4 = v128.load(s + 4 * ss); const x5 = v128.load(s + 5 * ss); const x6 = v128.load(s + 6 * ss); const x7 = v128.load(s + 7 * ss);
  v128.store(d + 0 * ds, madd(f32x4.splat(<f32>0.7111111111111111), x6, madd(f32x4.splat(<f32>0.7111111111111111), x5, madd(f32x4.splat(<f32>0.011111111111111112), x4, madd(f32x4.splat(<f32>0.011111111111111112), x3, madd(f32x4.splat(<f32>-0.2222222222222222), x2, madd(f32x4.splat(<f32>-0.2222222222222222), x1, f32x4.neg(x0))))))));
  v128.store(d + 1 * ds, madd(f32x4.splat(<f32>-0.35555555555555557), x6, madd(f32x4.splat(<f32>0.35555555555555557), x5, madd(f32x4.splat(<f32>-0.022222222222222223), x4, madd(f32x4.splat(<f32>0.022222222222222223), x3, madd(f32x4.splat(<f32>0.2222222222222222), x2, f32x4.mul(f32x4.splat(<f32>-0.2222222222222222), x1)))))));
  v128.store(d + 2 * ds, madd(f32x4.splat(<f32>0.17777777777777778), x6, madd(f32x4.splat(<f32>0.17777777777777778), x5, madd(f32x4.splat(<f32>0.044444444444444446), x4, madd(f32x4.splat(<f32>0.044444444444444446), x3, madd(f32x4.splat(<f32>-0.2222222222222222), x2, f32x4.mul(f32x4.splat(<f32>-0.2222222222222222), x1)))))));
  v128.store(d + 3 * ds, madd(f32x4.splat(<f32>-0.08888888888888889), x6, madd(f32x4.splat(<f32>0.08888888888888889), x5, madd(f32x4.splat(<f32>-0.08888888888888889), x4, madd(f32x4.splat(<f32>0.08888888888888889), x3, madd(f32x4.splat(<f32>0.2222222222222222), x2, f32x4.mul(f32x4.splat(<f32>-0.2222222222222222), x1)))))));
  v128.store(d + 4 * ds, f32x4.add(madd(f32x4.splat(<f32>0.044444444444444446), x6, madd(f32x4.splat(<f32>0.044444444444444446), x5, madd(f32x4.splat(<f32>0.17777777777777778), x4, madd(f32x4.splat(<f32>0.17777777777777778), x3, madd(f32x4.splat(<f32>-0.2222222222222222), x2, f32x4.mul(f32x4.splat(<f32>-0.2222222222222222), x1)))))), x7));
}
@inline function ws2bt(s: usize, ss: usize, d: usize, ds: usize): void {
  const x0 = v128.load(s + 0 * ss); const x1 = v128.load(s + 1 * ss); const x2 = v128.load(s + 2 * ss); const x3 = v128.load(s + 3 * ss); const x4 = v128.load(s + 4 * ss); const x5 = v128.load(s + 5 * ss); const x6 = v128.load(s + 6 * ss); const x7 = v128.load(s + 7 * ss); const x8 = v128.load(s + 8 * ss);
  v128.store(d + 0 * ds, f32x4.add(madd(f32x4.splat(<f32>-2.0), x4, f32x4.sub(f32x4.mul(f32x4.splat(<f32>2.0), x0), x2)), x6));
  v128.store(d + 1 * ds, f32x4.add(f32x4.sub(f32x4.mul(f32x4.splat(<f32>-2.0), x2), x4), x6));
  v128.store(d + 2 * ds, f32x4.add(madd(f32x4.splat(<f32>-3.0), x4, f32x4.mul(f32x4.splat(<f32>2.0), x2)), x6));
  v128.store(d + 3 * ds, f32x4.add(f32x4.neg(x2), x6));
  v128.store(d + 4 * ds, f32x4.add(madd(f32x4.splat(<f32>-2.0), x6, f32x4.sub(f32x4.mul(f32x4.splat(<f32>2.0), x2), x4)), x8));
  v128.store(d + 5 * ds, x1);
  v128.store(d + 6 * ds, x3);
  v128.store(d + 7 * ds, x5);
  v128.store(d + 8 * ds, x7);
}
@inline function ws2at(s: usize, ss: usize, d: usize, ds: usize): void {
  const x0 = v128.load(s + 0 * ss); const x1 = v128.load(s + 1 * ss); const x2 = v128.load(s + 2 * ss); const x3 = v128.load(s + 3 * ss); const x4 = v128.load(s + 4 * ss); const x5 = v128.load(s + 5 * ss); const x6 = v128.load(s + 6 * ss); const x7 = v128.load(s + 7 * ss); const x8 = v128.load(s + 8 * ss);
  v128.store(d + 0 * ds, f32x4.add(f32x4.add(f32x4.add(f32x4.add(x0, x1), x2), x3), x5));
  v128.store(d + 1 * ds, f32x4.add(madd(f32x4.splat(<f32>2.0), x3, f32x4.sub(x1, x2)), x6));
  v128.store(d + 2 * ds, f32x4.add(madd(f32x4.splat(<f32>4.0), x3, f32x4.add(x1, x2)), x7));
  v128.store(d + 3 * ds, f32x4.add(f32x4.add(madd(f32x4.splat(<f32>8.0), x3, f32x4.sub(x1, x2)), x4), x8));
}
@inline function ws2g(s: usize, ss: usize, d: usize, ds: usize): void {
  const x0 = v128.load(s + 0 * ss); const x1 = v128.load(s + 1 * ss); const x2 = v128.load(s + 2 * ss);
  v128.store(d + 0 * ds, f32x4.mul(f32x4.splat(<f32>0.5), x0));
  v128.store(d + 1 * ds, madd(f32x4.splat(<f32>-0.5), x2, f32x4.mul(f32x4.splat(<f32>-0.5), x0)));
  v128.store(d + 2 * ds, madd(f32x4.splat(<f32>0.16666666666666666), x2, f32x4.mul(f32x4.splat(<f32>-0.16666666666666666), x0)));
  v128.store(d + 3 * ds, madd(f32x4.splat(<f32>0.3333333333333333), x2, f32x4.mul(f32x4.splat(<f32>0.16666666666666666), x0)));
  v128.store(d + 4 * ds, x2);
  v128.store(d + 5 * ds, x1);
}
@inline function ws2dbt(s: usize, ss: usize, d: usize, ds: usize): void {
  const x0 = v128.load(s + 0 * ss); const x1 = v128.load(s + 1 * ss); const x2 = v128.load(s + 2 * ss); const x3 = v128.load(s + 3 * ss); const x4 = v128.load(s + 4 * ss);
  v128.store(d + 0 * ds, f32x4.add(madd(f32x4.splat(<f32>-2.0), x2, f32x4.sub(f32x4.mul(f32x4.splat(<f32>2.0), x0), x1)), x3));
  v128.store(d + 1 * ds, f32x4.add(f32x4.sub(f32x4.mul(f32x4.splat(<f32>-2.0), x1), x2), x3));
  v128.store(d + 2 * ds, f32x4.add(madd(f32x4.splat(<f32>-3.0), x2, f32x4.mul(f32x4.splat(<f32>2.0), x1)), x3));
  v128.store(d + 3 * ds, f32x4.add(f32x4.neg(x1), x3));
  v128.store(d + 4 * ds, f32x4.add(madd(f32x4.splat(<f32>-2.0), x3, f32x4.sub(f32x4.mul(f32x4.splat(<f32>2.0), x1), x2)), x4));
  v128.store(d + 5 * ds, x1);
  v128.store(d + 6 * ds, x2);
  v128.store(d + 7 * ds, x3);
  v128.store(d + 8 * ds, x4);
}
@inline function ws2dat(s: usize, ss: usize, d: usize, ds: usize): void {
  const x0 = v128.load(s + 0 * ss); const x1 = v128.load(s + 1 * ss); const x2 = v128.load(s + 2 * ss); const x3 = v128.load(s + 3 * ss); const x4 = v128.load(s + 4 * ss); const x5 = v128.load(s + 5 * ss); const x6 = v128.load(s + 6 * ss); const x7 = v128.load(s + 7 * ss); const x8 = v128.load(s + 8 * ss);
  v128.store(d + 0 * ds, f32x4.add(f32x4.add(f32x4.add(x0, x1), x2), x3));
  v128.store(d + 1 * ds, x5);
  v128.store(d + 2 * ds, madd(f32x4.splat(<f32>2.0), x3, f32x4.sub(x1, x2)));
  v128.store(d + 3 * ds, x6);
  v128.store(d + 4 * ds, madd(f32x4.splat(<f32>4.0), x3, f32x4.add(x1, x2)));
  v128.store(d + 5 * ds, x7);
  v128.store(d + 6 * ds, f32x4.add(madd(f32x4.splat(<f32>8.0), x3, f32x4.sub(x1, x2)), x4));
  v128.store(d + 7 * ds, x8);
}
@inline function ws2dg(s: usize, ss: usize, d: usize, ds: usize): void {
  const x0 = v128.load(s + 0 * ss); const x1 = v128.load(s + 1 * ss); const x2 = v128.load(s + 2 * ss);
  v128.store(d + 0 * ds, f32x4.mul(f32x4.splat(<f32>0.5), x2));
  v128.store(d + 1 * ds, madd(f32x4.splat(<f32>-0.5), x2, f32x4.mul(f32x4.splat(<f32>-0.5), x0)));
  v128.store(d + 2 * ds, madd(f32x4.splat(<f32>-0.16666666666666666), x2, f32x4.mul(f32x4.splat(<f32>0.16666666666666666), x0)));
  v128.store(d + 3 * ds, madd(f32x4.splat(<f32>0.16666666666666666), x2, f32x4.mul(f32x4.splat(<f32>0.3333333333333333), x0)));
  v128.store(d + 4 * ds, x0);
  v128.store(d + 5 * ds, x1);
}
@inline function ws2a(s: usize, ss: usize, d: usize, ds: usize): void {
  const x0 = v128.load(s + 0 * ss); const x1 = v128.load(s + 1 * ss); const x2 = v128.load(s + 2 * ss); const x3 = v128.load(s + 3 * ss);
  v128.store(d + 0 * ds, x0);
  v128.store(d + 1 * ds, f32x4.add(f32x4.add(f32x4.add(x0, x1), x2), x3));
  v128.store(d + 2 * ds, f32x4.sub(f32x4.add(f32x4.sub(x0, x1), x2), x3));
  v128.store(d + 3 * ds, madd(f32x4.splat(<f32>8.0), x3, madd(f32x4.splat(<f32>4.0), x2, madd(f32x4.splat(<f32>2.0), x1, x0))));
  v128.store(d + 4 * ds, x3);
  v128.store(d + 5 * ds, x0);
  v128.store(d + 6 * ds, x1);
  v128.store(d + 7 * ds, x2);
  v128.store(d + 8 * ds, x3);
}
@inline function ws2gt(s: usize, ss: usize, d: usize, ds: usize): void {
  const x0 = v128.load(s + 0 * ss); const x1 = v128.load(s + 1 * ss); const x2 = v128.load(s + 2 * ss); const x3 = v128.load(s + 3 * ss); const x4 = v128.load(s + 4 * ss); const x5 = v128.load(s + 5 * ss);
  v128.store(d + 0 * ds, madd(f32x4.splat(<f32>0.16666666666666666), x3, madd(f32x4.splat(<f32>-0.16666666666666666), x2, madd(f32x4.splat(<f32>-0.5), x1, f32x4.mul(f32x4.splat(<f32>0.5), x0)))));
  v128.store(d + 1 * ds, x5);
  v128.store(d + 2 * ds, f32x4.add(madd(f32x4.splat(<f32>0.3333333333333333), x3, madd(f32x4.splat(<f32>0.16666666666666666), x2, f32x4.mul(f32x4.splat(<f32>-0.5), x1))), x4));
}
@inline function ws2x3bt(s: usize, ss: usize, d: usize, ds: usize): void {
  const x0 = v128.load(s + 0 * ss); const x1 = v128.load(s + 1 * ss); const x2 = v128.load(s + 2 * ss); const x3 = v128.load(s + 3 * ss); const x4 = v128.load(s + 4 * ss); const x5 = v128.load(s + 5 * ss); const x6 = v128.load(s + 6 * ss);
  v128.store(d + 0 * ds, f32x4.add(f32x4.neg(x0), x4));
  v128.store(d + 1 * ds, f32x4.add(x2, x4));
  v128.store(d + 2 * ds, f32x4.add(f32x4.neg(x2), x4));
  v128.store(d + 3 * ds, f32x4.add(f32x4.neg(x2), x6));
  v128.store(d + 4 * ds, x1);
  v128.store(d + 5 * ds, x3);
  v128.store(d + 6 * ds, x5);
}
@inline function ws2x3at(s: usize, ss: usize, d: usize, ds: usize): void {
  const x0 = v128.load(s + 0 * ss); const x1 = v128.load(s + 1 * ss); const x2 = v128.load(s + 2 * ss); const x3 = v128.load(s + 3 * ss); const x4 = v128.load(s + 4 * ss); const x5 = v128.load(s + 5 * ss); const x6 = v128.load(s + 6 * ss);
  v128.store(d + 0 * ds, f32x4.add(f32x4.add(f32x4.add(x0, x1), x2), x4));
  v128.store(d + 1 * ds, f32x4.add(f32x4.sub(x1, x2), x5));
  v128.store(d + 2 * ds, f32x4.add(f32x4.add(f32x4.add(x1, x2), x3), x6));
}
@inline function ws2x3g(s: usize, ss: usize, d: usize, ds: usize): void {
  const x0 = v128.load(s + 0 * ss); const x1 = v128.load(s + 1 * ss); const x2 = v128.load(s + 2 * ss);
  v128.store(d + 0 * ds, f32x4.neg(x0));
  v128.store(d + 1 * ds, madd(f32x4.splat(<f32>0.5), x2, f32x4.mul(f32x4.splat(<f32>0.5), x0)));
  v128.store(d + 2 * ds, madd(f32x4.splat(<f32>-0.5), x2, f32x4.mul(f32x4.splat(<f32>0.5), x0)));
  v128.store(d + 3 * ds, x2);
  v128.store(d + 4 * ds, x1);
}
@inline function ws2x3dbt(s: usize, ss: usize, d: usize, ds: usize): void {
  const x0 = v128.load(s + 0 * ss); const x1 = v128.load(s + 1 * ss); const x2 = v128.load(s + 2 * ss); const x3 = v128.load(s + 3 * ss);
  v128.store(d + 0 * ds, f32x4.add(f32x4.neg(x0), x2));
  v128.store(d + 1 * ds, f32x4.add(x1, x2));
  v128.store(d + 2 * ds, f32x4.add(f32x4.neg(x1), x2));
  v128.store(d + 3 * ds, f32x4.add(f32x4.neg(x1), x3));
  v128.store(d + 4 * ds, x1);
  v128.store(d + 5 * ds, x2);
  v128.store(d + 6 * ds, x3);
}
@inline function ws2x3dat(s: usize, ss: usize, d: usize, ds: usize): void {
  const x0 = v128.load(s + 0 * ss); const x1 = v128.load(s + 1 * ss); const x2 = v128.load(s + 2 * ss); const x3 = v128.load(s + 3 * ss); const x4 = v128.load(s + 4 * ss); const x5 = v128.load(s + 5 * ss); const x6 = v128.load(s + 6 * ss);
  v128.store(d + 0 * ds, f32x4.add(f32x4.add(x0, x1), x2));
  v128.store(d + 1 * ds, x4);
  v128.store(d + 2 * ds, f32x4.sub(x1, x2));
  v128.store(d + 3 * ds, x5);
  v128.store(d + 4 * ds, f32x4.add(f32x4.add(x1, x2), x3));
  v128.store(d + 5 * ds, x6);
}
@inline function ws2x3dg(s: usize, ss: usize, d: usize, ds: usize): void {
  const x0 = v128.load(s + 0 * ss); const x1 = v128.load(s + 1 * ss); const x2 = v128.load(s + 2 * ss);
  v128.store(d + 0 * ds, f32x4.neg(x2));
  v128.store(d + 1 * ds, madd(f32x4.splat(<f32>0.5), x2, f32x4.mul(f32x4.splat(<f32>0.5), x0)));
  v128.store(d + 2 * ds, madd(f32x4.splat(<f32>0.5), x2, f32x4.mul(f32x4.splat(<f32>-0.5), x0)));
  v128.store(d + 3 * ds, x0);
  v128.store(d + 4 * ds, x1);
}
@inline function ws2x3a(s: usize, ss: usize, d: usize, ds: usize): void {
  const x0 = v128.load(s + 0 * ss); const x1 = v128.load(s + 1 * ss); const x2 = v128.load(s + 2 * ss);
  v128.store(d + 0 * ds, x0);
  v128.store(d + 1 * ds, f32x4.add(f32x4.add(x0, x1), x2));
  v128.store(d + 2 * ds, f32x4.add(f32x4.sub(x0, x1), x2));
  v128.store(d + 3 * ds, x2);
  v128.store(d + 4 * ds, x0);
  v128.store(d + 5 * ds, x1);
  v128.store(d + 6 * ds, x2);
}
@inline function ws2x3gt(s: usize, ss: usize, d: usize, ds: usize): void {
  const x0 = v128.load(s + 0 * ss); const x1 = v128.load(s + 1 * ss); const x2 = v128.load(s + 2 * ss); const x3 = v128.load(s + 3 * ss); const x4 = v128.load(s + 4 * ss);
  v128.store(d + 0 * ds, madd(f32x4.splat(<f32>0.5), x2, madd(f32x4.splat(<f32>0.5), x1, f32x4.neg(x0))));
  v128.store(d + 1 * ds, x4);
  v128.store(d + 2 * ds, f32x4.add(madd(f32x4.splat(<f32>-0.5), x2, f32x4.mul(f32x4.splat(<f32>0.5), x1)), x3));
}
// WINOGRAD6-GENERATED-END

/**
 * u = G g G^T for every channel and the filters [f0, f1) (multiples of 4; f1 up to Fp) of
 * w[r][r][C][F] (r = 3, 5 or 7; m, the output tile: 4 or 6 for r = 3, 2 or 4 for 5, 2 for 7), laid out
 * as the GEMM's B panels per xi (T*T of them, T = m + r - 1 = 6 or 8): element (c, f) of xi at
 * xi*C*Fp + (f/8)*C*8 + c*8 + f%8; padding filters up to Fp (F rounded up to 8) are zero.
 * Channels innermost, and a panel's 8 filters per channel stored together (two adjacent vectors)
 * where [f0, f1) holds them, so that each xi's stores run through memory in order, 32 bytes at a
 * time: 4 filters at a time wrote every line in two halves a whole pass over U apart (256→128
 * channels, 8 MiB of U: 3.6 ms against 2.4), and the two halves one after the other per channel,
 * 64 stores apart, measured no better than that. Split over the threads by filters. work: 960
 * floats.
 */
export function winograd6Filter(w: usize, r: i32, m: i32, C: i32, F: i32, u: usize, f0s: i32, f1s: i32, work: usize): void {
  const Fp = (F + NR - 1) / NR * NR;
  const T = m + r - 1;
  const xiStride = <usize>(C * Fp) * 4;
  const g = (work + 15) & ~(<usize>15); // r*r vectors
  const t = g + <usize>(r * r) * 16; // T x r
  const v = t + <usize>(T * r) * 16; // T x T: filters f0..f0+3
  const v2 = v + <usize>(T * T) * 16; // T x T: filters f0+4..f0+7
  for (let f0 = f0s; f0 < f1s;) {
    const both = f0 % NR == 0 && f0 + 4 < f1s;
    for (let c = 0; c < C; c++) {
      filterPoints(w, r, T, C, F, f0, c, g, t, v);
      if (both) filterPoints(w, r, T, C, F, f0 + 4, c, g, t, v2);
      const off = <usize>((f0 / NR) * C * NR + c * NR + (f0 % NR)) * 4;
      for (let xi = 0; xi < T * T; xi++) {
        const o = u + <usize>xi * xiStride + off;
        v128.store(o, v128.load(v + <usize>xi * 16));
        if (both) v128.store(o + 16, v128.load(v2 + <usize>xi * 16));
      }
    }
    f0 += both ? NR : 4;
  }
}

/** G g G^T of channel c and the filters f0..f0+3 (those past F zero) into v (T x T vectors), through g (r*r) and t (T x r). */
@inline function filterPoints(w: usize, r: i32, T: i32, C: i32, F: i32, f0: i32, c: i32, g: usize, t: usize, v: usize): void {
  const tap = <usize>(C * F) * 4;
  const rs = <usize>r * 16;
  const lanes = min(4, F - f0);
  for (let k = 0; k < r * r; k++) {
    const p = w + <usize>k * tap + <usize>(c * F + f0) * 4;
    let x = f32x4.splat(0);
    if (lanes == 4) x = v128.load(p);
    else for (let j = 0; j < lanes; j++) x = laneSet(x, j, load<f32>(p + <usize>j * 4));
    v128.store(g + <usize>k * 16, x);
  }
  // Along ky (columns of g), then along kx (rows of the result).
  if (r == 7) {
    for (let kx = 0; kx < 7; kx++) w8g27(g + <usize>kx * 16, rs, t + <usize>kx * 16, rs);
    for (let i = 0; i < 8; i++) w8g27(t + <usize>i * rs, 16, v + <usize>i * 128, 16);
  } else if (T == 8 && r == 5) {
    for (let kx = 0; kx < 5; kx++) w8g45(g + <usize>kx * 16, rs, t + <usize>kx * 16, rs);
    for (let i = 0; i < 8; i++) w8g45(t + <usize>i * rs, 16, v + <usize>i * 128, 16);
  } else if (T == 8) {
    for (let kx = 0; kx < 3; kx++) w8g63(g + <usize>kx * 16, rs, t + <usize>kx * 16, rs);
    for (let i = 0; i < 8; i++) w8g63(t + <usize>i * rs, 16, v + <usize>i * 128, 16);
  } else if (r == 3) {
    for (let kx = 0; kx < 3; kx++) w6g43(g + <usize>kx * 16, rs, t + <usize>kx * 16, rs);
    for (let i = 0; i < 6; i++) w6g43(t + <usize>i * rs, 16, v + <usize>i * 96, 16);
  } else {
    for (let kx = 0; kx < 5; kx++) w6g25(g + <usize>kx * 16, rs, t + <usize>kx * 16, rs);
    for (let i = 0; i < 6; i++) w6g25(t + <usize>i * rs, 16, v + <usize>i * 96, 16);
  }
}

/** B^T of a T-point input tile (T = 6: w6bt, 8: w8bt). */
@inline function wbt(T: i32, s: usize, ss: usize, d: usize, ds: usize): void {
  if (T == 8) w8bt(s, ss, d, ds);
  else w6bt(s, ss, d, ds);
}

/**
 * The first pass of B^T d B (per row, d at T*16-byte rows) for a TxT input tile at (iy0, ix0) of the
 * image at q that crosses the image's edge, taps outside it read as zero: rows outside are zero (so
 * is their transform), rows inside are transformed straight from the image when all T columns
 * are inside, else through s (T vectors) with the outside columns zeroed. Row by row rather than
 * tap by tap (a clamped address and a mask per tap made a border tile cost twice an inner one).
 */
@inline function w6btBorderRows(T: i32, q: usize, iy0: i32, ix0: i32, H: i32, W: i32, rowB: usize, colB: usize, s: usize, d: usize): void {
  const colsInside = ix0 >= 0 && ix0 + T <= W;
  const zero = f32x4.splat(0);
  for (let yy = 0; yy < T; yy++) {
    const iy = iy0 + yy;
    const dr = d + <usize>(yy * T) * 16;
    if (iy < 0 || iy >= H) {
      for (let j = 0; j < T; j++) v128.store(dr + <usize>j * 16, zero);
      continue;
    }
    const rowp = q + <usize>iy * rowB;
    if (colsInside) {
      wbt(T, rowp + <usize>ix0 * colB, colB, dr, 16);
      continue;
    }
    for (let xx = 0; xx < T; xx++) {
      const ix = ix0 + xx;
      let v = zero;
      if (ix >= 0 && ix < W) v = v128.load(rowp + <usize>ix * colB);
      v128.store(s + <usize>xx * 16, v);
    }
    wbt(T, s, 16, dr, 16);
  }
}

@inline function laneSet(x: v128, j: i32, s: f32): v128 {
  if (j == 0) return f32x4.replace_lane(x, 0, s);
  if (j == 1) return f32x4.replace_lane(x, 1, s);
  if (j == 2) return f32x4.replace_lane(x, 2, s);
  return f32x4.replace_lane(x, 3, s);
}

/**
 * Winograd convolution with TxT input tiles (T = m + r - 1 = 6: F(4x4, 3x3) or F(2x2, 5x5); T = 8:
 * F(6x6, 3x3), F(4x4, 5x5) or F(2x2, 7x7)) of tiles [t0, t1) (tile t: image t / (TH*TW), m x m output block at
 * (m*ty, m*tx)) of x[N,H,W,C] (C a multiple of 4, padding pt/pl, output OH x OW) with u from
 * winograd6Filter, into y[N,OH,OW,F] with bias (0: none) and act (0 linear, 1 relu, 2 relu6). TB
 * tiles per block (a multiple of 4); work holds T*T*(TB*(C + Fp) + 64) + 64 floats (Fp = F
 * rounded up to 8).
 */
export function winograd6Conv(x: usize, H: i32, W: i32, C: i32, pt: i32, pl: i32, OH: i32, OW: i32,
  u: usize, F: i32, bias: usize, act: i32, y: usize, t0: i32, t1: i32, TB: i32, m: i32, r: i32, work: usize): void {
  const T = m + r - 1, TT = T * T;
  const rowT = <usize>T * 16; // bytes per row of a tile's vectors
  const TH = (OH + m - 1) / m, TW = (OW + m - 1) / m;
  const Fp = (F + NR - 1) / NR * NR;
  const pa = (work + 63) & ~(<usize>63);
  const xiA = <usize>(TB * C) * 4 + 64; // bytes per xi in pa (padded: 36 streams 4 KiB apart would share L1 sets)
  const xiM = <usize>(TB * Fp) * 4 + 64; // bytes per xi in mb
  const mb = pa + <usize>TT * xiA; // M[xi][tile][Fp]
  const vt = mb + <usize>TT * xiM; // 4 tiles x TT vectors
  const d = vt + <usize>(4 * TT) * 16; // TT vectors
  const s = d + <usize>TT * 16; // TT vectors
  const tileB = <usize>TT * 16;
  const rowB = <usize>(W * C) * 4, colB = <usize>C * 4;
  const zero = f32x4.splat(0), six = f32x4.splat(6);
  for (let tb0 = t0; tb0 < t1; tb0 += TB) {
    const nt = min(TB, t1 - tb0);
    // Input transform, packed as A panels: pa[xi][panel][c][4 tiles].
    for (let p0 = 0; p0 < nt; p0 += 4) {
      const panel = pa + <usize>(p0 * C) * 4;
      for (let c0 = 0; c0 < C; c0 += 4) {
        for (let rr = 0; rr < 4; rr++) {
          const tr = vt + <usize>rr * tileB;
          if (p0 + rr >= nt) {
            for (let xi = 0; xi < TT; xi++) v128.store(tr + <usize>xi * 16, zero);
            continue;
          }
          const t = tb0 + p0 + rr;
          const n = t / (TH * TW), rem = t - n * TH * TW, ty = rem / TW;
          const iy0 = m * ty - pt, ix0 = m * (rem - ty * TW) - pl;
          const q = x + <usize>(n * H) * rowB + <usize>c0 * 4;
          if (iy0 >= 0 && iy0 + T <= H && ix0 >= 0 && ix0 + T <= W) {
            const p = q + <usize>iy0 * rowB + <usize>ix0 * colB;
            for (let yy = 0; yy < T; yy++) wbt(T, p + <usize>yy * rowB, colB, d + <usize>yy * rowT, 16);
          } else {
            w6btBorderRows(T, q, iy0, ix0, H, W, rowB, colB, s, d);
          }
          // d[y][j] = (d B)[y][j] per row; now B^T along y, per column j.
          for (let j = 0; j < T; j++) wbt(T, d + <usize>j * 16, rowT, tr + <usize>j * 16, rowT);
        }
        // Tiles x channels -> channels x tiles, per xi.
        for (let xi = 0; xi < TT; xi++) {
          const sv = vt + <usize>xi * 16;
          transpose4Store(v128.load(sv), v128.load(sv + tileB), v128.load(sv + 2 * tileB), v128.load(sv + 3 * tileB), panel + <usize>xi * xiA + <usize>c0 * 16, 16);
        }
      }
    }
    // TT GEMMs: M[xi][tiles][F] = V[xi][tiles][C] * U[xi][C][F] (K blocks of KC channels).
    const ntp = (nt + 3) & ~3;
    const xiU = <usize>(C * Fp) * 4;
    for (let xi = 0; xi < TT; xi++) {
      const ax = pa + <usize>xi * xiA, ux = u + <usize>xi * xiU, mx = mb + <usize>xi * xiM;
      for (let kc0 = 0; kc0 < C; kc0 += KC) {
        const kc = min(KC, C - kc0);
        const f = kc0 > 0 ? F_ACC : 0;
        for (let jr = 0; jr < Fp; jr += NR) {
          const bp = ux + <usize>(jr * C + kc0 * NR) * 4;
          for (let ir = 0; ir < ntp; ir += MR) {
            kernel(kc, ax + <usize>(ir * C + kc0 * MR) * 4, bp, mx + <usize>(ir * Fp + jr) * 4, <usize>Fp * 4, f, 0);
          }
        }
      }
    }
    // Output transform (+ bias, activation) into y.
    for (let i = 0; i < nt; i++) {
      const t = tb0 + i;
      const n = t / (TH * TW), rem = t - n * TH * TW, ty = rem / TW, tx = rem - ty * TW;
      const oy = m * ty, ox = m * tx;
      const rowsOut = min(m, OH - oy), colsOut = min(m, OW - ox);
      const o0 = y + <usize>(((n * OH + oy) * OW + ox) * F) * 4;
      const mt = mb + <usize>(i * Fp) * 4;
      for (let f0 = 0; f0 < F; f0 += 4) {
        const q = mt + <usize>f0 * 4;
        // A^T along y (per column j of the TxT block), then along x; d holds rows of 8 vectors.
        if (m == 6) {
          for (let j = 0; j < 8; j++) w8at63(q + <usize>j * xiM, 8 * xiM, s + <usize>j * 16, 128);
          for (let a = 0; a < 6; a++) w8at63(s + <usize>a * 128, 16, d + <usize>a * 128, 16);
        } else if (r == 7) {
          for (let j = 0; j < 8; j++) w8at27(q + <usize>j * xiM, 8 * xiM, s + <usize>j * 16, 128);
          for (let a = 0; a < 2; a++) w8at27(s + <usize>a * 128, 16, d + <usize>a * 128, 16);
        } else if (T == 8) {
          for (let j = 0; j < 8; j++) w8at45(q + <usize>j * xiM, 8 * xiM, s + <usize>j * 16, 128);
          for (let a = 0; a < 4; a++) w8at45(s + <usize>a * 128, 16, d + <usize>a * 128, 16);
        } else if (m == 4) {
          for (let j = 0; j < 6; j++) w6at43(q + <usize>j * xiM, 6 * xiM, s + <usize>j * 16, 96);
          for (let a = 0; a < 4; a++) w6at43(s + <usize>a * 96, 16, d + <usize>a * 128, 16);
        } else {
          for (let j = 0; j < 6; j++) w6at25(q + <usize>j * xiM, 6 * xiM, s + <usize>j * 16, 96);
          for (let a = 0; a < 2; a++) w6at25(s + <usize>a * 96, 16, d + <usize>a * 128, 16);
        }
        const b = bias != 0 && f0 + 4 <= F ? v128.load(bias + <usize>f0 * 4) : zero;
        const lanes = min(4, F - f0);
        for (let a = 0; a < rowsOut; a++) {
          for (let bb = 0; bb < colsOut; bb++) {
            let v = v128.load(d + <usize>(a * 8 + bb) * 16);
            if (lanes == 4) {
              v = f32x4.add(v, b);
              if (act != 0) { v = atLeast(v, zero); if (act == 2) v = atMost(v, six); }
              v128.store(o0 + <usize>((a * OW + bb) * F + f0) * 4, v);
            } else {
              v128.store(s, v);
              for (let j = 0; j < lanes; j++) {
                let e = load<f32>(s + <usize>j * 4) + (bias != 0 ? load<f32>(bias + <usize>(f0 + j) * 4) : <f32>0);
                if (act != 0) { e = max(e, <f32>0); if (act == 2) e = min(e, <f32>6); }
                store<f32>(o0 + <usize>((a * OW + bb) * F + f0 + j) * 4, e);
              }
            }
          }
        }
      }
    }
  }
}

/**
 * Weights of a 3x3 stride-2 convolution w[3][3][C][F] for winogradS2Conv, as the GEMM's B panels
 * per distinct point (36: 6 per axis, the four odd points of an axis all being tap 1, see ws2g):
 * mode 0 (forward) over K = C rows and N = F columns (element (c, f) of point p at p*C*Fp +
 * (f/8)*C*8 + c*8 + f%8, Fp = F rounded up to 8); mode 1 (input gradient) over K = F rows and N = C
 * columns, the taps flipped (ws2dg). Columns [n0s, n1s) in groups of 4 (columns past F, or C, are
 * written as zeros: n1s may run to the padded count), so that threads can split by columns; both
 * halves of a panel's 8 columns stored together where [n0s, n1s) holds them (as winograd6Filter).
 * work: 528 floats.
 */
export function winogradS2Filter(w: usize, C: i32, F: i32, u: usize, mode: i32, n0s: i32, n1s: i32, m: i32, work: usize): void {
  const K = mode == 0 ? C : F, Nn = mode == 0 ? F : C;
  const Np = (Nn + NR - 1) / NR * NR;
  const pStride = <usize>(K * Np) * 4;
  const wp = m + 2; // distinct points per axis
  const g = (work + 15) & ~(<usize>15); // 9 vectors: the taps
  const t = g + 9 * 16; // wp x 3
  const v = t + 18 * 16; // wp x wp: columns n0..n0+3
  const v2 = v + 36 * 16; // wp x wp: columns n0+4..n0+7
  for (let n0 = n0s; n0 < n1s;) {
    const both = n0 % NR == 0 && n0 + 4 < n1s;
    for (let k = 0; k < K; k++) {
      s2FilterPoints(w, C, F, mode, m, n0, k, g, t, v);
      if (both) s2FilterPoints(w, C, F, mode, m, n0 + 4, k, g, t, v2);
      const off = <usize>((n0 / NR) * K * NR + k * NR + (n0 % NR)) * 4;
      for (let p = 0; p < wp * wp; p++) {
        const o = u + <usize>p * pStride + off;
        v128.store(o, v128.load(v + <usize>p * 16));
        if (both) v128.store(o + 16, v128.load(v2 + <usize>p * 16));
      }
    }
    n0 += both ? NR : 4;
  }
}

/** winogradS2Filter's points for row k and the columns n0..n0+3 (those past the count zero) into v (wp x wp vectors), through g (9) and t (wp x 3). */
@inline function s2FilterPoints(w: usize, C: i32, F: i32, mode: i32, m: i32, n0: i32, k: i32, g: usize, t: usize, v: usize): void {
  const Nn = mode == 0 ? F : C;
  const tap = <usize>(C * F) * 4;
  const lanes = min(4, Nn - n0);
  for (let tp = 0; tp < 9; tp++) {
    let x = f32x4.splat(0);
    if (mode == 0) {
      // 4 filters of channel k: consecutive.
      const p = w + <usize>tp * tap + <usize>(k * F + n0) * 4;
      if (lanes == 4) x = v128.load(p);
      else for (let j = 0; j < lanes; j++) x = laneSet(x, j, load<f32>(p + <usize>j * 4));
    } else {
      // Filter k of 4 channels: F apart.
      const p = w + <usize>tp * tap + <usize>(n0 * F + k) * 4;
      for (let j = 0; j < lanes; j++) x = laneSet(x, j, load<f32>(p + <usize>(j * F) * 4));
    }
    v128.store(g + <usize>tp * 16, x);
  }
  // Along ky (columns of g), then along kx.
  if (m == 4) {
    if (mode == 0) {
      for (let kx = 0; kx < 3; kx++) ws2g(g + <usize>kx * 16, 48, t + <usize>kx * 16, 48);
      for (let i = 0; i < 6; i++) ws2g(t + <usize>i * 48, 16, v + <usize>i * 96, 16);
    } else {
      for (let kx = 0; kx < 3; kx++) ws2dg(g + <usize>kx * 16, 48, t + <usize>kx * 16, 48);
      for (let i = 0; i < 6; i++) ws2dg(t + <usize>i * 48, 16, v + <usize>i * 96, 16);
    }
  } else if (mode == 0) {
    for (let kx = 0; kx < 3; kx++) ws2x3g(g + <usize>kx * 16, 48, t + <usize>kx * 16, 48);
    for (let i = 0; i < 5; i++) ws2x3g(t + <usize>i * 48, 16, v + <usize>i * 80, 16);
  } else {
    for (let kx = 0; kx < 3; kx++) ws2x3dg(g + <usize>kx * 16, 48, t + <usize>kx * 16, 48);
    for (let i = 0; i < 5; i++) ws2x3dg(t + <usize>i * 48, 16, v + <usize>i * 80, 16);
  }
}

/**
 * The first pass of the stride-2 input transform (per row of the window, 4 channels of the image
 * at q): win rows of win columns from (iy0, ix0), reads outside the image as zero, each row through
 * ws2bt (mode 0, 9 samples) or ws2dbt (mode 1, 5) for 4x4 output tiles, ws2x3bt (7) or ws2x3dbt
 * (4) for 3x3 (m), into d (rows of P = 2m + 1 vectors).
 * Rows outside are zero, and so is their transform; rows with every column inside are read in
 * place, others through s (win vectors) with the outside columns zeroed.
 */
@inline function ws2InputRows(q: usize, iy0: i32, ix0: i32, SH: i32, SW: i32, rowB: usize, colB: usize, win: i32, mode: i32, s: usize, d: usize, m: i32): void {
  const zero = f32x4.splat(0);
  const P = 2 * m + 1;
  const colsInside = ix0 >= 0 && ix0 + win <= SW;
  for (let yy = 0; yy < win; yy++) {
    const iy = iy0 + yy;
    const dr = d + <usize>(yy * P) * 16;
    if (iy < 0 || iy >= SH) {
      for (let j = 0; j < P; j++) v128.store(dr + <usize>j * 16, zero);
      continue;
    }
    const rowp = q + <usize>iy * rowB;
    let p = s, ps: usize = 16;
    if (colsInside) {
      p = rowp + <usize>ix0 * colB;
      ps = colB;
    } else {
      for (let xx = 0; xx < win; xx++) {
        const ix = ix0 + xx;
        v128.store(s + <usize>xx * 16, ix >= 0 && ix < SW ? v128.load(rowp + <usize>ix * colB) : zero);
      }
    }
    if (m == 4) {
      if (mode == 0) ws2bt(p, ps, dr, 16);
      else ws2dbt(p, ps, dr, 16);
    } else if (mode == 0) ws2x3bt(p, ps, dr, 16);
    else ws2x3dbt(p, ps, dr, 16);
  }
}

/**
 * Winograd for 3x3 stride-2 convolutions (polyphase: per axis the even input samples go through
 * F(m, 2) with taps 0 and 2, the odd ones meet tap 1 as they are), with m x m output tiles: m = 4,
 * 9x9 points per tile, 81 products for 16 outputs where the direct convolution takes 144; m = 3 (for
 * small maps: 3x3, 6x6 and 9x9 outputs, which 4x4 tiles cover with waste), 7x7 points, 49 products
 * for 9 outputs where it takes 81. P = 2m + 1 points per axis. Over tiles [t0, t1):
 * - mode 0, forward: src = x[N, SH, SW, K] (K = C), dst = y[N, DH, DW, Nout] (Nout = F) with bias
 *   (0: none) and act (0 linear, 1 relu, 2 relu6); tile t: image t / (TH*TW), the m x m outputs at
 *   (m ty, m tx), read from the P x P input window at (2m ty - pt, 2m tx - pl); TH = ceil(DH / m).
 * - mode 1, input gradient: src = dy[N, SH, SW, K] (K = F), dst = dx[N, DH, DW, Nout] (Nout = C;
 *   bias and act unused); tile t: the 2m x 2m dx block at (2m ty - pt, 2m tx - pl), read from the
 *   (m+1) x (m+1) dy window at (m ty - 1, m tx - 1); TH = ceil((DH + pt) / 2m). Every dx value is
 *   written once.
 * Reads outside src are zeros; K a multiple of 4; u from winogradS2Filter in the same mode and m
 * (point (a, b) multiplies the weights' point (min(a, m+1), min(b, m+1)): the odd points of an axis
 * all meet tap 1). TB tiles per block (a multiple of 4); work holds P*P*TB*(K + Np) + 4800 floats
 * (Np = Nout rounded up to 8).
 */
export function winogradS2Conv(src: usize, SH: i32, SW: i32, K: i32, pt: i32, pl: i32, DH: i32, DW: i32,
  u: usize, Nout: i32, bias: usize, act: i32, dst: usize, t0: i32, t1: i32, TB: i32, mode: i32, m: i32, work: usize): void {
  const P = 2 * m + 1, PP = P * P, wp = m + 2;
  const TH = mode == 0 ? (DH + m - 1) / m : (DH + pt + 2 * m - 1) / (2 * m), TW = mode == 0 ? (DW + m - 1) / m : (DW + pl + 2 * m - 1) / (2 * m);
  const Np = (Nout + NR - 1) / NR * NR;
  const pa = (work + 63) & ~(<usize>63);
  const xiA = <usize>(TB * K) * 4 + 64; // bytes per xi in pa (padded, as in winograd6Conv)
  const xiM = <usize>(TB * Np) * 4 + 64; // bytes per xi in mb
  const mb = pa + <usize>PP * xiA; // M[xi][tile][Np]
  const vt = mb + <usize>PP * xiM; // 4 tiles x PP vectors
  const d = vt + 4 * 81 * 16; // 81 vectors: P rows of P
  const s = d + 81 * 16; // 81 vectors
  const rowB = <usize>(SW * K) * 4, colB = <usize>K * 4;
  const win = mode == 0 ? P : m + 1; // window side in src
  const side = mode == 0 ? m : 2 * m; // output block side
  const zero = f32x4.splat(0), six = f32x4.splat(6);
  for (let tb0 = t0; tb0 < t1; tb0 += TB) {
    const nt = min(TB, t1 - tb0);
    // Input transform, packed as A panels: pa[xi][panel][k][4 tiles].
    for (let p0 = 0; p0 < nt; p0 += 4) {
      const panel = pa + <usize>(p0 * K) * 4;
      for (let c0 = 0; c0 < K; c0 += 4) {
        for (let rr = 0; rr < 4; rr++) {
          const tr = vt + <usize>(rr * PP) * 16;
          if (p0 + rr >= nt) {
            for (let xi = 0; xi < PP; xi++) v128.store(tr + <usize>xi * 16, zero);
            continue;
          }
          const t = tb0 + p0 + rr;
          const n = t / (TH * TW), rem = t - n * TH * TW, ty = rem / TW, tx = rem - ty * TW;
          const iy0 = mode == 0 ? 2 * m * ty - pt : m * ty - 1, ix0 = mode == 0 ? 2 * m * tx - pl : m * tx - 1;
          // Per row of the window, then per column.
          ws2InputRows(src + <usize>(n * SH) * rowB + <usize>c0 * 4, iy0, ix0, SH, SW, rowB, colB, win, mode, s, d, m);
          if (m == 4) {
            if (mode == 0) for (let j = 0; j < 9; j++) ws2bt(d + <usize>j * 16, 144, tr + <usize>j * 16, 144);
            else for (let j = 0; j < 9; j++) ws2dbt(d + <usize>j * 16, 144, tr + <usize>j * 16, 144);
          } else if (mode == 0) for (let j = 0; j < 7; j++) ws2x3bt(d + <usize>j * 16, 112, tr + <usize>j * 16, 112);
          else for (let j = 0; j < 7; j++) ws2x3dbt(d + <usize>j * 16, 112, tr + <usize>j * 16, 112);
        }
        // Tiles x channels -> channels x tiles, per xi.
        const tileB = <usize>PP * 16;
        for (let xi = 0; xi < PP; xi++) {
          const sv = vt + <usize>xi * 16;
          transpose4Store(v128.load(sv), v128.load(sv + tileB), v128.load(sv + 2 * tileB), v128.load(sv + 3 * tileB), panel + <usize>xi * xiA + <usize>c0 * 16, 16);
        }
      }
    }
    // PP GEMMs: M[xi][tiles][Np] = V[xi][tiles][K] * U[xi][K][Np] (K blocks of KC).
    const ntp = (nt + 3) & ~3;
    const xiU = <usize>(K * Np) * 4;
    for (let xi = 0; xi < PP; xi++) {
      const a = xi / P, b = xi - a * P;
      const ax = pa + <usize>xi * xiA, ux = u + <usize>(min(a, wp - 1) * wp + min(b, wp - 1)) * xiU, mx = mb + <usize>xi * xiM;
      for (let kc0 = 0; kc0 < K; kc0 += KC) {
        const kc = min(KC, K - kc0);
        const f = kc0 > 0 ? F_ACC : 0;
        for (let jr = 0; jr < Np; jr += NR) {
          const bp = ux + <usize>(jr * K + kc0 * NR) * 4;
          for (let ir = 0; ir < ntp; ir += MR) {
            kernel(kc, ax + <usize>(ir * K + kc0 * MR) * 4, bp, mx + <usize>(ir * Np + jr) * 4, <usize>Np * 4, f, 0);
          }
        }
      }
    }
    // Output transform (+ bias, activation) into dst, the block clipped to dst.
    for (let i = 0; i < nt; i++) {
      const t = tb0 + i;
      const n = t / (TH * TW), rem = t - n * TH * TW, ty = rem / TW, tx = rem - ty * TW;
      const oy0 = mode == 0 ? m * ty : 2 * m * ty - pt, ox0 = mode == 0 ? m * tx : 2 * m * tx - pl;
      const a0 = max(0, -oy0), a1 = min(side, DH - oy0), b0 = max(0, -ox0), b1 = min(side, DW - ox0);
      const mt = mb + <usize>(i * Np) * 4;
      for (let f0 = 0; f0 < Nout; f0 += 4) {
        const qm = mt + <usize>f0 * 4;
        // Along y (per column j of the P x P points), then along x: d[a][b] at d + a*128 + b*16.
        if (m == 4) {
          if (mode == 0) {
            for (let j = 0; j < 9; j++) ws2at(qm + <usize>j * xiM, 9 * xiM, s + <usize>j * 16, 144);
            for (let a = 0; a < 4; a++) ws2at(s + <usize>a * 144, 16, d + <usize>a * 128, 16);
          } else {
            for (let j = 0; j < 9; j++) ws2dat(qm + <usize>j * xiM, 9 * xiM, s + <usize>j * 16, 144);
            for (let a = 0; a < 8; a++) ws2dat(s + <usize>a * 144, 16, d + <usize>a * 128, 16);
          }
        } else if (mode == 0) {
          for (let j = 0; j < 7; j++) ws2x3at(qm + <usize>j * xiM, 7 * xiM, s + <usize>j * 16, 112);
          for (let a = 0; a < 3; a++) ws2x3at(s + <usize>a * 112, 16, d + <usize>a * 128, 16);
        } else {
          for (let j = 0; j < 7; j++) ws2x3dat(qm + <usize>j * xiM, 7 * xiM, s + <usize>j * 16, 112);
          for (let a = 0; a < 6; a++) ws2x3dat(s + <usize>a * 112, 16, d + <usize>a * 128, 16);
        }
        const b = bias != 0 && f0 + 4 <= Nout ? v128.load(bias + <usize>f0 * 4) : zero;
        const lanes = min(4, Nout - f0);
        for (let a = a0; a < a1; a++) {
          const rowOut = dst + <usize>(((n * DH + oy0 + a) * DW + ox0) * Nout + f0) * 4;
          for (let bb = b0; bb < b1; bb++) {
            let v = v128.load(d + <usize>(a * 8 + bb) * 16);
            if (lanes == 4) {
              v = f32x4.add(v, b);
              if (act != 0) { v = atLeast(v, zero); if (act == 2) v = atMost(v, six); }
              v128.store(rowOut + <usize>(bb * Nout) * 4, v);
            } else {
              v128.store(s, v);
              for (let j = 0; j < lanes; j++) {
                let e = load<f32>(s + <usize>j * 4) + (bias != 0 ? load<f32>(bias + <usize>(f0 + j) * 4) : <f32>0);
                if (act != 0) { e = max(e, <f32>0); if (act == 2) e = min(e, <f32>6); }
                store<f32>(rowOut + <usize>((bb * Nout) + j) * 4, e);
              }
            }
          }
        }
      }
    }
  }
}

/**
 * Filter gradient of a 3x3 stride-2 convolution through the polyphase Winograd points (see
 * winogradS2Conv, mode 0, m x m tiles, P = 2m + 1): adds to U[(m+2)^2][C][Fp] (the chunk's, zeroed
 * by the caller) the sum over tiles [t0, t1) (m x m blocks of dy[N,OH,OW,F], each with its P x P
 * window of x[N,H,W,C] at (2m ty - pt, 2m tx - pl); C a multiple of 4) of the P*P points'
 * products, the m odd points of an axis added into one accumulator (they all become tap 1). TB
 * tiles per block; work holds P*P*TB*(C + Fp) + 3600 floats (Fp = F rounded up to 8).
 */
export function winogradS2FilterGradJob(x: usize, H: i32, W: i32, C: i32, pt: i32, pl: i32, dy: usize, OH: i32, OW: i32, F: i32,
  t0: i32, t1: i32, TB: i32, m: i32, u: usize, work: usize): void {
  const P = 2 * m + 1, PP = P * P, wp = m + 2;
  const TH = (OH + m - 1) / m, TW = (OW + m - 1) / m;
  const Fp = (F + NR - 1) / NR * NR;
  const pa = (work + 63) & ~(<usize>63);
  const xiA = <usize>(TB * C) * 4 + 64, xiB = <usize>(TB * Fp) * 4 + 64;
  const pb = pa + <usize>PP * xiA;
  const xiU = <usize>(C * Fp) * 4;
  const d = pb + <usize>PP * xiB; // 81 vectors
  const s = d + 81 * 16; // 81 vectors
  const rowB = <usize>(W * C) * 4, colB = <usize>C * 4;
  const drow = <usize>(OW * F) * 4, dcol = <usize>F * 4;
  const zero = f32x4.splat(0);
  for (let tb0 = t0; tb0 < t1; tb0 += TB) {
    const nt = min(TB, t1 - tb0);
    for (let i = 0; i < nt; i++) {
      const t = tb0 + i;
      const n = t / (TH * TW), rem = t - n * TH * TW, ty = rem / TW, tx = rem - ty * TW;
      const iy0 = 2 * m * ty - pt, ix0 = 2 * m * tx - pl;
      const img = x + <usize>(n * H) * rowB;
      // Input transform, 4 channels at a time, into A panels pa[xi][c/4][tile][4]: per row of the
      // window, then per column.
      for (let c0 = 0; c0 < C; c0 += 4) {
        ws2InputRows(img + <usize>c0 * 4, iy0, ix0, H, W, rowB, colB, P, 0, s, d, m);
        const dst = pa + <usize>(c0 * TB + i * 4) * 4;
        if (m == 4) for (let j = 0; j < 9; j++) ws2bt(d + <usize>j * 16, 144, dst + <usize>j * xiA, 9 * xiA);
        else for (let j = 0; j < 7; j++) ws2x3bt(d + <usize>j * 16, 112, dst + <usize>j * xiA, 7 * xiA);
      }
      // Output-gradient transform, 4 filters at a time, into B panels pb[xi][f/8][tile][8].
      const oy = m * ty, ox = m * tx;
      const rowsIn = min(m, OH - oy), colsIn = min(m, OW - ox);
      const d00 = dy + <usize>((n * OH + oy) * OW + ox) * dcol;
      for (let f0 = 0; f0 < Fp; f0 += 4) {
        const lanes = min(4, F - f0);
        // The m x m block of dy: read in place when it lies inside the map and holds 4 filters,
        // else copied to d[a*4 + b] with zeros past the map's edge and past F.
        const inPlace = rowsIn == m && colsIn == m && lanes == 4;
        let src = d, srs: usize = 64, scs: usize = 16;
        if (inPlace) {
          src = d00 + <usize>f0 * 4; srs = drow; scs = dcol;
        } else {
          for (let a = 0; a < m; a++) {
            for (let b = 0; b < m; b++) {
              let v = zero;
              if (a < rowsIn && b < colsIn && lanes > 0) {
                const p = d00 + <usize>a * drow + <usize>b * dcol + <usize>f0 * 4;
                if (lanes == 4) v = v128.load(p);
                else for (let l = 0; l < lanes; l++) v = laneSet(v, l, load<f32>(p + <usize>l * 4));
              }
              v128.store(d + <usize>(a * 4 + b) * 16, v);
            }
          }
        }
        const dst = pb + <usize>((f0 / NR) * NR * TB + i * NR + (f0 % NR)) * 4;
        if (m == 4) {
          for (let b = 0; b < 4; b++) ws2a(src + <usize>b * scs, srs, s + <usize>b * 16, 64);
          for (let r = 0; r < 9; r++) ws2a(s + <usize>r * 64, 16, dst + <usize>(r * 9) * xiB, xiB);
        } else {
          for (let b = 0; b < 3; b++) ws2x3a(src + <usize>b * scs, srs, s + <usize>b * 16, 64);
          for (let r = 0; r < 7; r++) ws2x3a(s + <usize>r * 64, 16, dst + <usize>(r * 7) * xiB, xiB);
        }
      }
    }
    // PP GEMMs: U[p][C][Fp] += V[xi]^T [C x nt] * Z[xi] [nt x Fp], p the weights' point of xi.
    for (let xi = 0; xi < PP; xi++) {
      const a = xi / P, b = xi - a * P;
      const ax = pa + <usize>xi * xiA, bx = pb + <usize>xi * xiB, ux = u + <usize>(min(a, wp - 1) * wp + min(b, wp - 1)) * xiU;
      for (let jr = 0; jr < Fp; jr += NR) {
        const bp = bx + <usize>(jr * TB) * 4;
        for (let ir = 0; ir < C; ir += MR) {
          kernel(nt, ax + <usize>(ir * TB) * 4, bp, ux + <usize>(ir * Fp + jr) * 4, <usize>Fp * 4, F_ACC, 0);
        }
      }
    }
  }
}

/**
 * dW[3][3][C][F] from winogradS2FilterGradJob's U[(m+2)^2][C][Fp] (ws2gt, or ws2x3gt, per axis) for
 * the filters [f0, f1) (multiples of 4, f1 up to F). Split over the threads by filters; work: 128 floats.
 */
export function winogradS2FilterGradFinish(u: usize, C: i32, F: i32, dw: usize, f0s: i32, f1s: i32, m: i32, work: usize): void {
  const Fp = (F + NR - 1) / NR * NR;
  const xiU = <usize>(C * Fp) * 4;
  const tap = <usize>(C * F) * 4;
  const t = (work + 15) & ~(<usize>15); // 3 x 6 vectors
  const o = t + 18 * 16; // 3 x 3 vectors
  for (let f0 = f0s; f0 < min(f1s, F); f0 += 4) {
    for (let c = 0; c < C; c++) {
      const p = u + <usize>(c * Fp + f0) * 4;
      // Along the rows' points (per column j), then along the columns'.
      if (m == 4) {
        for (let j = 0; j < 6; j++) ws2gt(p + <usize>j * xiU, 6 * xiU, t + <usize>j * 16, 96);
        for (let k = 0; k < 3; k++) ws2gt(t + <usize>k * 96, 16, o + <usize>k * 48, 16);
      } else {
        for (let j = 0; j < 5; j++) ws2x3gt(p + <usize>j * xiU, 5 * xiU, t + <usize>j * 16, 96);
        for (let k = 0; k < 3; k++) ws2x3gt(t + <usize>k * 96, 16, o + <usize>k * 48, 16);
      }
      const lanes = min(4, F - f0);
      for (let k = 0; k < 9; k++) {
        const q = dw + <usize>k * tap + <usize>(c * F + f0) * 4;
        const v = v128.load(o + <usize>k * 16);
        if (lanes == 4) v128.store(q, v);
        else {
          v128.store(t, v);
          for (let l = 0; l < lanes; l++) store<f32>(q + <usize>l * 4, load<f32>(t + <usize>l * 4));
        }
      }
    }
  }
}

// ---- Memory-bound kernels: optimizer updates, element-wise ops, batch norm, padding ---------------
// They run where the wasm backend's tensors are: split over the threads in the shared memory when
// that is the backend's heap and the tensors are large, else on one thread (or through a second
// instance of this module, built without shared memory, on a heap that is not shared): copying their
// operands would cost as much as the work itself.

// Subnormal floats. Intel cores take a microcode assist (over a hundred cycles) for every float
// operation with a subnormal operand or result unless the FTZ/DAZ flags are set, and WebAssembly
// cannot set them (TensorFlow's own CPU runtime does: ScopedFlushDenormal). Once a model fits its
// data, softmax leaves gradients of 1e-30 and less, which Adam squares: the 784-256-10 MLP's step
// went from 1.8 to 5.9 ms after 700 steps on one batch, 4.9 of them in this update (an AMD core
// showed nothing). So the updates treat magnitudes that cannot change a float32 weight as zero:
// gradients whose weighted square would be subnormal, state (moments, accumulators) and Adam's
// quotient below 1e-30. Any weight's change so dropped is below lr * 1e-23 (Adam, RMSProp: epsilon
// at least 1e-10 in the denominator; below that epsilon nothing is flushed, since 0/0 would follow).
// Everything larger goes through the stock operations unchanged, so results stay bit-for-bit.
const TINY: f32 = 1e-30;
const FLUSH_MIN_EPS: f32 = 1e-10;
const F32_MIN_NORMAL: f32 = 1.17549435e-38;

/** v with the lanes of magnitude below t set to +0. */
@inline function flushTiny(v: v128, t: v128): v128 {
  return v128.andnot(v, f32x4.lt(f32x4.abs(v), t));
}
@inline function flushTinyScalar(v: f32, t: f32): f32 {
  return abs<f32>(v) < t ? 0 : v;
}
/** Smallest gradient magnitude whose square times `weight` is a normal float (times 4 for margin). */
@inline function smallestSquaredGradient(weight: f32): f32 {
  return sqrt<f32>(4 * F32_MIN_NORMAL / max<f32>(weight, 1e-12));
}

/**
 * One Adam step, in the stock optimizer's order of float32 operations (so results are identical):
 * m' = m*b1 + g*omb1, v' = v*b2 + g²*omb2, value' = (m'/c1) / (sqrt(v'/c2) + eps) * neglr + value.
 * Tiny values are flushed first (see TINY).
 */
export function adam(value: usize, m: usize, v: usize, g: usize, n: i32, outValue: usize, outM: usize, outV: usize,
  b1: f32, omb1: f32, b2: f32, omb2: f32, c1: f32, c2: f32, eps: f32, neglr: f32): void {
  const flush = eps >= FLUSH_MIN_EPS;
  const gmin: f32 = flush ? smallestSquaredGradient(omb2) : 0, smin: f32 = flush ? TINY : 0;
  const vb1 = f32x4.splat(b1), vomb1 = f32x4.splat(omb1), vb2 = f32x4.splat(b2), vomb2 = f32x4.splat(omb2);
  const vc1 = f32x4.splat(c1), vc2 = f32x4.splat(c2), veps = f32x4.splat(eps), vlr = f32x4.splat(neglr);
  const vgmin = f32x4.splat(gmin), vsmin = f32x4.splat(smin);
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const o = <usize>i * 4;
    const gv = flushTiny(v128.load(g + o), vgmin);
    const mm = f32x4.add(f32x4.mul(flushTiny(v128.load(m + o), vsmin), vb1), f32x4.mul(gv, vomb1));
    const vv = f32x4.add(f32x4.mul(flushTiny(v128.load(v + o), vsmin), vb2), f32x4.mul(f32x4.mul(gv, gv), vomb2));
    const q = flushTiny(f32x4.div(f32x4.div(mm, vc1), f32x4.add(f32x4.sqrt(f32x4.div(vv, vc2)), veps)), vsmin);
    v128.store(outValue + o, f32x4.add(f32x4.mul(q, vlr), v128.load(value + o)));
    v128.store(outM + o, mm);
    v128.store(outV + o, vv);
  }
  for (; i < n; i++) {
    const o = <usize>i * 4;
    const gv = flushTinyScalar(load<f32>(g + o), gmin);
    const mm = flushTinyScalar(load<f32>(m + o), smin) * b1 + gv * omb1;
    const vv = flushTinyScalar(load<f32>(v + o), smin) * b2 + (gv * gv) * omb2;
    const q = flushTinyScalar((mm / c1) / (sqrt<f32>(vv / c2) + eps), smin);
    store<f32>(outValue + o, q * neglr + load<f32>(value + o));
    store<f32>(outM + o, mm);
    store<f32>(outV + o, vv);
  }
}

/** Momentum SGD as the stock optimizer: acc' = acc*mom + g, value' = acc'*neglr + value (tiny values flushed: see TINY). */
export function momentum(value: usize, acc: usize, g: usize, n: i32, outValue: usize, outAcc: usize, mom: f32, neglr: f32): void {
  const vm = f32x4.splat(mom), vlr = f32x4.splat(neglr), vtiny = f32x4.splat(TINY);
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const o = <usize>i * 4;
    const a = f32x4.add(f32x4.mul(flushTiny(v128.load(acc + o), vtiny), vm), flushTiny(v128.load(g + o), vtiny));
    v128.store(outAcc + o, a);
    v128.store(outValue + o, f32x4.add(f32x4.mul(a, vlr), v128.load(value + o)));
  }
  for (; i < n; i++) {
    const o = <usize>i * 4;
    const a = flushTinyScalar(load<f32>(acc + o), TINY) * mom + flushTinyScalar(load<f32>(g + o), TINY);
    store<f32>(outAcc + o, a);
    store<f32>(outValue + o, a * neglr + load<f32>(value + o));
  }
}

/**
 * RMSProp (not centred) as the stock optimizer: ms' = ms*decay + g²*omd,
 * mom' = mom*momentum + (g*lr) / sqrt(ms' + eps), value' = value - mom' (tiny values flushed: see TINY).
 */
export function rmsprop(value: usize, ms: usize, mom: usize, g: usize, n: i32, outValue: usize, outMs: usize, outMom: usize,
  decay: f32, omd: f32, momentum_: f32, lr: f32, eps: f32): void {
  const flush = eps >= FLUSH_MIN_EPS;
  const gmin: f32 = flush ? smallestSquaredGradient(omd) : 0, smin: f32 = flush ? TINY : 0;
  const vd = f32x4.splat(decay), vomd = f32x4.splat(omd), vmo = f32x4.splat(momentum_), vlr = f32x4.splat(lr), veps = f32x4.splat(eps);
  const vgmin = f32x4.splat(gmin), vsmin = f32x4.splat(smin);
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const o = <usize>i * 4;
    const gv = flushTiny(v128.load(g + o), vgmin);
    const s = f32x4.add(f32x4.mul(flushTiny(v128.load(ms + o), vsmin), vd), f32x4.mul(f32x4.mul(gv, gv), vomd));
    const mo = f32x4.add(f32x4.mul(flushTiny(v128.load(mom + o), vsmin), vmo), f32x4.div(f32x4.mul(gv, vlr), f32x4.sqrt(f32x4.add(s, veps))));
    v128.store(outMs + o, s);
    v128.store(outMom + o, mo);
    v128.store(outValue + o, f32x4.sub(v128.load(value + o), mo));
  }
  for (; i < n; i++) {
    const o = <usize>i * 4;
    const gv = flushTinyScalar(load<f32>(g + o), gmin);
    const s = flushTinyScalar(load<f32>(ms + o), smin) * decay + (gv * gv) * omd;
    const mo = flushTinyScalar(load<f32>(mom + o), smin) * momentum_ + (gv * lr) / sqrt<f32>(s + eps);
    store<f32>(outMs + o, s);
    store<f32>(outMom + o, mo);
    store<f32>(outValue + o, load<f32>(value + o) - mo);
  }
}

/** y = min(max(x, lo), hi), NaN kept (relu: lo 0, hi Infinity; relu6: hi 6; ClipByValue). */
export function clamp(x: usize, n: i32, lo: f32, hi: f32, y: usize): void {
  const vlo = f32x4.splat(lo), vhi = f32x4.splat(hi);
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const o = <usize>i * 4;
    v128.store(y + o, atMost(atLeast(v128.load(x + o), vlo), vhi));
  }
  for (; i < n; i++) {
    const o = <usize>i * 4;
    const v = load<f32>(x + o);
    store<f32>(y + o, v != v ? v : v < lo ? lo : v > hi ? hi : v);
  }
}

/** TF.js Step: 1 where x > 0, else alpha; NaN stays NaN. */
export function stepKernel(x: usize, n: i32, alpha: f32, y: usize): void {
  const one = f32x4.splat(1), va = f32x4.splat(alpha), zero = f32x4.splat(0);
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const o = <usize>i * 4;
    const v = v128.load(x + o);
    const r = v128.bitselect(one, va, f32x4.gt(v, zero));
    v128.store(y + o, v128.bitselect(v, r, f32x4.ne(v, v)));
  }
  for (; i < n; i++) {
    const o = <usize>i * 4;
    const v = load<f32>(x + o);
    store<f32>(y + o, v != v ? v : v > 0 ? 1 : alpha);
  }
}

/** Element-wise y = a op b for equal sizes (op 0 add, 1 sub, 2 mul, 3 div). */
export function binaryEq(a: usize, b: usize, n: i32, op: i32, y: usize): void {
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const o = <usize>i * 4;
    const va = v128.load(a + o), vb = v128.load(b + o);
    v128.store(y + o, op == 0 ? f32x4.add(va, vb) : op == 1 ? f32x4.sub(va, vb) : op == 2 ? f32x4.mul(va, vb) : f32x4.div(va, vb));
  }
  for (; i < n; i++) {
    const o = <usize>i * 4;
    const va = load<f32>(a + o), vb = load<f32>(b + o);
    store<f32>(y + o, op == 0 ? va + vb : op == 1 ? va - vb : op == 2 ? va * vb : va / vb);
  }
}

/** Batch norm with per-channel constants: y[r, c] = (x[r, c] - mean[c]) * scale[c] + shift[c]. */
export function scaleShift(x: usize, rows: i32, C: i32, mean: usize, scale: usize, shift: usize, y: usize): void {
  for (let r = 0; r < rows; r++) {
    const o = <usize>r * <usize>C * 4;
    let c = 0;
    for (; c + 4 <= C; c += 4) {
      const q = <usize>c * 4;
      v128.store(y + o + q, f32x4.add(f32x4.mul(f32x4.sub(v128.load(x + o + q), v128.load(mean + q)), v128.load(scale + q)), v128.load(shift + q)));
    }
    for (; c < C; c++) {
      const q = <usize>c * 4;
      store<f32>(y + o + q, (load<f32>(x + o + q) - load<f32>(mean + q)) * load<f32>(scale + q) + load<f32>(shift + q));
    }
  }
}

/** y[N, H+pt+pb, W+pl+pr, C] = x padded with `value` around the image (rows and columns only). */
export function pad2d(x: usize, N: i32, H: i32, W: i32, C: i32, pt: i32, pb: i32, pl: i32, pr: i32, value: f32, y: usize): void {
  const OH = H + pt + pb, OW = W + pl + pr;
  const rowIn = <usize>(W * C) * 4, rowOut = <usize>(OW * C) * 4;
  const vv = f32x4.splat(value);
  for (let n = 0; n < N; n++) {
    for (let oy = 0; oy < OH; oy++) {
      const dst = y + (<usize>(n * OH + oy)) * rowOut;
      const iy = oy - pt;
      if (iy < 0 || iy >= H) { fillF(dst, rowOut, vv, value); continue; }
      fillF(dst, <usize>(pl * C) * 4, vv, value);
      memory.copy(dst + <usize>(pl * C) * 4, x + (<usize>(n * H + iy)) * rowIn, rowIn);
      fillF(dst + <usize>(pl * C) * 4 + rowIn, <usize>(pr * C) * 4, vv, value);
    }
  }
}

/**
 * Rows [r0, r1) of dst (dstStride floats apart) = the first `len` floats of src's rows (srcStride
 * apart), each dst row's floats past `len` zeroed: pads every pixel's channels with zeros (dstStride
 * > len = srcStride) or keeps the first channels of each (dstStride = len < srcStride).
 */
export function copyRows(src: usize, srcStride: i32, len: i32, dst: usize, dstStride: i32, r0: i32, r1: i32): void {
  const zero = f32x4.splat(0);
  for (let r = r0; r < r1; r++) {
    const s = src + <usize>r * <usize>srcStride * 4, d = dst + <usize>r * <usize>dstStride * 4;
    let j = 0;
    for (; j + 4 <= len; j += 4) v128.store(d + <usize>j * 4, v128.load(s + <usize>j * 4));
    for (; j < len; j++) store<f32>(d + <usize>j * 4, load<f32>(s + <usize>j * 4));
    for (; j + 4 <= dstStride; j += 4) v128.store(d + <usize>j * 4, zero);
    for (; j < dstStride; j++) store<f32>(d + <usize>j * 4, 0);
  }
}

/**
 * A stride-2 convolution's input in space-to-depth form (2x2 blocks of pixels as 4C channels), which
 * turns a 5x5 stride-2 convolution into a 3x3 stride-1 one: s[n][j][i][(ry*2 + rx)*C + c] =
 * x[n][2j + ry][2i + rx][c] (zero past x's last row or column, for odd sides), for the rows
 * r = n*SH + j in [r0, r1). mode 0 writes s from x; mode 1 writes x from s (the input gradient:
 * every pixel of x is one value of s, so each is written once, and rows of s touch their own rows
 * of x alone).
 */
export function spaceToDepth2(x: usize, H: i32, W: i32, C: i32, s: usize, SH: i32, SW: i32, r0: i32, r1: i32, mode: i32): void {
  const bytes = <usize>C * 4;
  const zero = f32x4.splat(0);
  for (let r = r0; r < r1; r++) {
    const n = r / SH, j = r - n * SH;
    for (let i = 0; i < SW; i++) {
      for (let q = 0; q < 4; q++) {
        const yy = 2 * j + (q >> 1), xx = 2 * i + (q & 1);
        const sp = s + (<usize>(r * SW + i) * 4 + <usize>q) * bytes;
        if (yy >= H || xx >= W) {
          if (mode == 0) fillF(sp, bytes, zero, 0);
          continue;
        }
        const xp = x + <usize>((n * H + yy) * W + xx) * bytes;
        const src = mode == 0 ? xp : sp, dst = mode == 0 ? sp : xp;
        let o: usize = 0;
        for (; o + 16 <= bytes; o += 16) v128.store(dst + o, v128.load(src + o));
        for (; o < bytes; o += 4) store<f32>(dst + o, load<f32>(src + o));
      }
    }
  }
}

/**
 * The phase images of a dilated convolution's training (compute/dilated-conv.ts): SpaceToBatchND
 * and BatchToSpaceND of NHWC images with a bh x bw block, C floats per pixel. x is [N][H][W]
 * (N images), p is [bh*bw*N][PH][PW], phase (r, s) of image n at batch (r*bw + s)*N + n.
 * mode 0 (space to batch) writes the rows q = (phase batch)*PH + i in [q0, q1) of p:
 * p[b][i][j] = x[n][i*bh + r - top][j*bw + s - left], zero outside x (the padding).
 * mode 1 (batch to space) writes the rows q = n*H + I in [q0, q1) of x:
 * x[n][I][J] = p[b][i][j] where I + top = i*bh + r and J + left = j*bw + s (top, left: the crops).
 * Every written value is written once, so threads can share the rows.
 */
export function spaceToBatch2d(x: usize, N: i32, H: i32, W: i32, C: i32, bh: i32, bw: i32, top: i32, left: i32,
  p: usize, PH: i32, PW: i32, mode: i32, q0: i32, q1: i32): void {
  const bytes = <usize>C * 4;
  const zero = f32x4.splat(0);
  for (let q = q0; q < q1; q++) {
    if (mode == 0) {
      const b = q / PH, i = q - b * PH, ph = b / N, n = b - ph * N, r = ph / bw, s = ph - r * bw;
      const y = i * bh + r - top;
      const dst = p + <usize>q * <usize>PW * bytes;
      if (y < 0 || y >= H) { fillF(dst, <usize>PW * bytes, zero, 0); continue; }
      const row = x + <usize>((n * H + y) * W) * bytes;
      for (let j = 0; j < PW; j++) {
        const xx = j * bw + s - left, d = dst + <usize>j * bytes;
        if (xx < 0 || xx >= W) fillF(d, bytes, zero, 0);
        else copyF(d, row + <usize>xx * bytes, bytes);
      }
    } else {
      const n = q / H, I = q - n * H, r = (I + top) % bh, i = (I + top) / bh;
      const dst = x + <usize>q * <usize>W * bytes;
      for (let J = 0; J < W; J++) {
        const s = (J + left) % bw, j = (J + left) / bw;
        copyF(dst + <usize>J * bytes, p + <usize>((((r * bw + s) * N + n) * PH + i) * PW + j) * bytes, bytes);
      }
    }
  }
}

@inline function copyF(dst: usize, src: usize, bytes: usize): void {
  let o: usize = 0;
  for (; o + 16 <= bytes; o += 16) v128.store(dst + o, v128.load(src + o));
  for (; o < bytes; o += 4) store<f32>(dst + o, load<f32>(src + o));
}

@inline function fillF(p: usize, bytes: usize, vv: v128, value: f32): void {
  if (value == 0) { memory.fill(p, 0, bytes); return; }
  let o: usize = 0;
  for (; o + 16 <= bytes; o += 16) v128.store(p + o, vv);
  for (; o < bytes; o += 4) store<f32>(p + o, value);
}

// ---- Depthwise convolution (NHWC, filter [KH, KW, C, M], output channel c*M + q) -----------------
// Geometry as for convolutions (G_*), plus the channel multiplier M. Per output (or, for the input
// gradient, input) pixel the valid taps are listed once, then every channel runs through them with
// 4-channel vectors; threads split images.
const G_M = 56;

// Lists the taps of output pixel (oy, ox) that fall inside the image: at work, pairs of
// (byte offset of the input pixel from the image start, tap index); returns how many.
@inline function tapsOut(oy: i32, ox: i32, H: i32, W: i32, C: i32, KH: i32, KW: i32, sh: i32, sw: i32, dh: i32, dw: i32, pt: i32, pl: i32, work: usize): i32 {
  let cnt = 0;
  for (let ky = 0; ky < KH; ky++) {
    const iy = oy * sh - pt + ky * dh;
    if (iy < 0 || iy >= H) continue;
    for (let kx = 0; kx < KW; kx++) {
      const ix = ox * sw - pl + kx * dw;
      if (ix < 0 || ix >= W) continue;
      store<i32>(work + <usize>cnt * 8, (iy * W + ix) * C * 4);
      store<i32>(work + <usize>cnt * 8, ky * KW + kx, 4);
      cnt++;
    }
  }
  return cnt;
}

/** y = act(depthwise(x, w) + bias) for images [n0, n1); bias 0: none; act 0 linear, 1 relu, 2 relu6. */
export function depthwiseForward(x: usize, w: usize, bias: usize, y: usize, g: usize, act: i32, n0: i32, n1: i32, work: usize): void {
  const H = load<i32>(g, G_H), W = load<i32>(g, G_W), C = load<i32>(g, G_C), KH = load<i32>(g, G_KH), KW = load<i32>(g, G_KW);
  const sh = load<i32>(g, G_SH), sw = load<i32>(g, G_SW), dh = load<i32>(g, G_DH), dw = load<i32>(g, G_DW);
  const pt = load<i32>(g, G_PT), pl = load<i32>(g, G_PL), OH = load<i32>(g, G_OH), OW = load<i32>(g, G_OW), M = load<i32>(g, G_M);
  const fast3 = KH == 3 && KW == 3 && M == 1 && dh == 1 && dw == 1 && (C & 3) == 0;
  const lo: f32 = act != 0 ? 0 : -Infinity, hi: f32 = act == 2 ? 6 : Infinity;
  const vlo = f32x4.splat(lo), vhi = f32x4.splat(hi);
  const pix = <usize>C * 4, rowB = <usize>(W * C) * 4;
  // Output columns whose 3 taps all lie inside the image (for the 3x3 path).
  const oxa = fast3 ? min(OW, pl > 0 ? (pl + sw - 1) / sw : 0) : 0;
  const oxb = fast3 ? max(oxa, min(OW, W - 3 + pl >= 0 ? (W - 3 + pl) / sw + 1 : 0)) : 0;
  for (let n = n0; n < n1; n++) {
    const img = x + <usize>(n * H * W) * pix;
    for (let oy = 0; oy < OH; oy++) {
      const iy0 = oy * sh - pt;
      const outRow = y + <usize>((n * OH + oy) * OW) * <usize>(C * M) * 4;
      if (!fast3 || iy0 < 0 || iy0 + 3 > H) {
        for (let ox = 0; ox < OW; ox++) dwPixel(img, w, bias, outRow, oy, ox, H, W, C, KH, KW, sh, sw, dh, dw, pt, pl, M, lo, hi, work);
        continue;
      }
      for (let ox = 0; ox < oxa; ox++) dwPixel(img, w, bias, outRow, oy, ox, H, W, C, KH, KW, sh, sw, dh, dw, pt, pl, M, lo, hi, work);
      for (let ox = oxb; ox < OW; ox++) dwPixel(img, w, bias, outRow, oy, ox, H, W, C, KH, KW, sh, sw, dh, dw, pt, pl, M, lo, hi, work);
      // Interior: per 4 channels, the 9 weights stay in registers while the window slides along the row.
      const step = <usize>sw * pix;
      const tap = <usize>C * 4;
      for (let c0 = 0; c0 < C; c0 += 4) {
        const q = <usize>c0 * 4;
        const w0 = v128.load(w + q), w1 = v128.load(w + tap + q), w2 = v128.load(w + 2 * tap + q);
        const w3 = v128.load(w + 3 * tap + q), w4 = v128.load(w + 4 * tap + q), w5 = v128.load(w + 5 * tap + q);
        const w6 = v128.load(w + 6 * tap + q), w7 = v128.load(w + 7 * tap + q), w8 = v128.load(w + 8 * tap + q);
        const b = bias != 0 ? v128.load(bias + q) : f32x4.splat(0);
        let p = img + <usize>iy0 * rowB + <usize>(oxa * sw - pl) * pix + q;
        let o = outRow + <usize>oxa * pix + q;
        for (let ox = oxa; ox < oxb; ox++) {
          let a = madd(v128.load(p), w0, b);
          a = madd(v128.load(p + pix), w1, a);
          a = madd(v128.load(p + 2 * pix), w2, a);
          a = madd(v128.load(p + rowB), w3, a);
          a = madd(v128.load(p + rowB + pix), w4, a);
          a = madd(v128.load(p + rowB + 2 * pix), w5, a);
          a = madd(v128.load(p + 2 * rowB), w6, a);
          a = madd(v128.load(p + 2 * rowB + pix), w7, a);
          a = madd(v128.load(p + 2 * rowB + 2 * pix), w8, a);
          v128.store(o, atMost(atLeast(a, vlo), vhi));
          p += step;
          o += pix;
        }
      }
    }
  }
}

// One output pixel of a depthwise convolution, any geometry (the valid taps listed first).
function dwPixel(img: usize, w: usize, bias: usize, outRow: usize, oy: i32, ox: i32, H: i32, W: i32, C: i32, KH: i32, KW: i32,
  sh: i32, sw: i32, dh: i32, dw: i32, pt: i32, pl: i32, M: i32, lo: f32, hi: f32, work: usize): void {
  const CM = C * M;
  const tapB = <usize>CM * 4;
  const vlo = f32x4.splat(lo), vhi = f32x4.splat(hi);
  const cnt = tapsOut(oy, ox, H, W, C, KH, KW, sh, sw, dh, dw, pt, pl, work);
  const out = outRow + <usize>ox * tapB;
  if (M == 1) {
    let c = 0;
    for (; c + 4 <= C; c += 4) {
      const q = <usize>c * 4;
      let a0 = bias != 0 ? v128.load(bias + q) : f32x4.splat(0);
      for (let t = 0; t < cnt; t++) {
        a0 = madd(v128.load(img + <usize>load<i32>(work + <usize>t * 8) + q), v128.load(w + <usize>load<i32>(work + <usize>t * 8, 4) * tapB + q), a0);
      }
      v128.store(out + q, atMost(atLeast(a0, vlo), vhi));
    }
    for (; c < C; c++) {
      const q = <usize>c * 4;
      let a: f32 = bias != 0 ? load<f32>(bias + q) : 0;
      for (let t = 0; t < cnt; t++) a += load<f32>(img + <usize>load<i32>(work + <usize>t * 8) + q) * load<f32>(w + <usize>load<i32>(work + <usize>t * 8, 4) * tapB + q);
      store<f32>(out + q, a < lo ? lo : a > hi ? hi : a);
    }
  } else {
    for (let c = 0; c < C; c++) {
      for (let qm = 0; qm < M; qm++) {
        const o = <usize>(c * M + qm) * 4;
        let a: f32 = bias != 0 ? load<f32>(bias + o) : 0;
        for (let t = 0; t < cnt; t++) {
          a += load<f32>(img + <usize>load<i32>(work + <usize>t * 8) + <usize>c * 4) * load<f32>(w + <usize>load<i32>(work + <usize>t * 8, 4) * tapB + o);
        }
        store<f32>(out + o, a < lo ? lo : a > hi ? hi : a);
      }
    }
  }
}

/** dx of a depthwise convolution for images [n0, n1), gathered per input pixel (no write conflicts). */
export function depthwiseBackpropInput(dy: usize, w: usize, dx: usize, g: usize, n0: i32, n1: i32, work: usize): void {
  const H = load<i32>(g, G_H), W = load<i32>(g, G_W), C = load<i32>(g, G_C), KH = load<i32>(g, G_KH), KW = load<i32>(g, G_KW);
  const sh = load<i32>(g, G_SH), sw = load<i32>(g, G_SW), dh = load<i32>(g, G_DH), dw = load<i32>(g, G_DW);
  const pt = load<i32>(g, G_PT), pl = load<i32>(g, G_PL), OH = load<i32>(g, G_OH), OW = load<i32>(g, G_OW), M = load<i32>(g, G_M);
  const CM = C * M;
  const tapB = <usize>CM * 4;
  for (let n = n0; n < n1; n++) {
    const dimg = dy + <usize>(n * OH * OW) * tapB;
    for (let iy = 0; iy < H; iy++) {
      for (let ix = 0; ix < W; ix++) {
        // Output pixels whose window covers (iy, ix): oy*sh - pt + ky*dh == iy.
        let cnt = 0;
        for (let ky = 0; ky < KH; ky++) {
          const ty = iy + pt - ky * dh;
          if (ty < 0) break;
          const oy = ty / sh;
          if (oy * sh != ty || oy >= OH) continue;
          for (let kx = 0; kx < KW; kx++) {
            const tx = ix + pl - kx * dw;
            if (tx < 0) break;
            const ox = tx / sw;
            if (ox * sw != tx || ox >= OW) continue;
            store<i32>(work + <usize>cnt * 8, (oy * OW + ox) * CM * 4);
            store<i32>(work + <usize>cnt * 8, ky * KW + kx, 4);
            cnt++;
          }
        }
        const out = dx + <usize>((n * H + iy) * W + ix) * <usize>C * 4;
        if (M == 1) {
          let c = 0;
          for (; c + 8 <= C; c += 8) {
            const q = <usize>c * 4;
            let a0 = f32x4.splat(0), a1 = f32x4.splat(0);
            for (let t = 0; t < cnt; t++) {
              const dp = dimg + <usize>load<i32>(work + <usize>t * 8) + q;
              const wp = w + <usize>load<i32>(work + <usize>t * 8, 4) * tapB + q;
              a0 = madd(v128.load(dp), v128.load(wp), a0);
              a1 = madd(v128.load(dp, 16), v128.load(wp, 16), a1);
            }
            v128.store(out + q, a0);
            v128.store(out + q, a1, 16);
          }
          for (; c + 4 <= C; c += 4) {
            const q = <usize>c * 4;
            let a0 = f32x4.splat(0);
            for (let t = 0; t < cnt; t++) {
              a0 = madd(v128.load(dimg + <usize>load<i32>(work + <usize>t * 8) + q), v128.load(w + <usize>load<i32>(work + <usize>t * 8, 4) * tapB + q), a0);
            }
            v128.store(out + q, a0);
          }
          for (; c < C; c++) {
            const q = <usize>c * 4;
            let a: f32 = 0;
            for (let t = 0; t < cnt; t++) a += load<f32>(dimg + <usize>load<i32>(work + <usize>t * 8) + q) * load<f32>(w + <usize>load<i32>(work + <usize>t * 8, 4) * tapB + q);
            store<f32>(out + q, a);
          }
        } else {
          for (let c = 0; c < C; c++) {
            let a: f32 = 0;
            for (let t = 0; t < cnt; t++) {
              const dp = dimg + <usize>load<i32>(work + <usize>t * 8) + <usize>(c * M) * 4;
              const wp = w + <usize>load<i32>(work + <usize>t * 8, 4) * tapB + <usize>(c * M) * 4;
              for (let qm = 0; qm < M; qm++) a += load<f32>(dp + <usize>qm * 4) * load<f32>(wp + <usize>qm * 4);
            }
            store<f32>(out + <usize>c * 4, a);
          }
        }
      }
    }
  }
}

/** acc[KH*KW][C*M] += the filter gradient over images [n0, n1) (acc: the calling thread's). */
export function depthwiseBackpropFilter(x: usize, dy: usize, g: usize, n0: i32, n1: i32, acc: usize, work: usize): void {
  const H = load<i32>(g, G_H), W = load<i32>(g, G_W), C = load<i32>(g, G_C), KH = load<i32>(g, G_KH), KW = load<i32>(g, G_KW);
  const sh = load<i32>(g, G_SH), sw = load<i32>(g, G_SW), dh = load<i32>(g, G_DH), dw = load<i32>(g, G_DW);
  const pt = load<i32>(g, G_PT), pl = load<i32>(g, G_PL), OH = load<i32>(g, G_OH), OW = load<i32>(g, G_OW), M = load<i32>(g, G_M);
  const CM = C * M;
  const tapB = <usize>CM * 4;
  for (let n = n0; n < n1; n++) {
    const img = x + <usize>(n * H * W) * <usize>C * 4;
    for (let oy = 0; oy < OH; oy++) {
      for (let ox = 0; ox < OW; ox++) {
        const cnt = tapsOut(oy, ox, H, W, C, KH, KW, sh, sw, dh, dw, pt, pl, work);
        const d = dy + <usize>((n * OH + oy) * OW + ox) * tapB;
        if (M == 1) {
          let c = 0;
          for (; c + 4 <= C; c += 4) {
            const q = <usize>c * 4;
            const dv = v128.load(d + q);
            for (let t = 0; t < cnt; t++) {
              const ap = acc + <usize>load<i32>(work + <usize>t * 8, 4) * tapB + q;
              v128.store(ap, madd(v128.load(img + <usize>load<i32>(work + <usize>t * 8) + q), dv, v128.load(ap)));
            }
          }
          for (; c < C; c++) {
            const q = <usize>c * 4;
            const dv = load<f32>(d + q);
            for (let t = 0; t < cnt; t++) {
              const ap = acc + <usize>load<i32>(work + <usize>t * 8, 4) * tapB + q;
              store<f32>(ap, load<f32>(ap) + load<f32>(img + <usize>load<i32>(work + <usize>t * 8) + q) * dv);
            }
          }
        } else {
          for (let t = 0; t < cnt; t++) {
            const xp = img + <usize>load<i32>(work + <usize>t * 8);
            const ap = acc + <usize>load<i32>(work + <usize>t * 8, 4) * tapB;
            for (let c = 0; c < C; c++) {
              const xv = load<f32>(xp + <usize>c * 4);
              for (let qm = 0; qm < M; qm++) {
                const o = <usize>(c * M + qm) * 4;
                store<f32>(ap + o, load<f32>(ap + o) + xv * load<f32>(d + o));
              }
            }
          }
        }
      }
    }
  }
}

// ---- Winograd F(2x2, 3x3) filter gradient -----------------------------------------------------
// dW = G^T [ sum over tiles (A dY A^T) . (B^T d B) ] G: per block of tiles, the input transform is
// stored as GEMM A panels (rows: channels, k: tiles: each tile's 4-channel vector as it comes out of
// the transform) and the 2x2 output-gradient transform as B panels (8 filters per tile), and 16
// GEMMs accumulate U[xi][C][F] over the tiles. 16 multiplies per tile and (c, f) instead of 36.

/**
 * Adds to U[xi][Cp][Fp] (the calling thread's, zeroed by the caller) the sum over tiles [t0, t1) of x
 * [N,H,W,C] (padding pt/pl) and dy [N,OH,OW,F]; TB tiles per block; work holds 16*TB*(Cp + Fp)
 * floats plus 2 KiB (Cp = C rounded up to 4, Fp = F rounded up to 8).
 */
export function winogradFilterGradJob(x: usize, H: i32, W: i32, C: i32, pt: i32, pl: i32, dy: usize, OH: i32, OW: i32, F: i32,
  t0: i32, t1: i32, TB: i32, u: usize, work: usize): void {
  const TH = (OH + 1) >> 1, TW = (OW + 1) >> 1;
  const Cp = (C + 3) & ~3;
  const Fp = (F + NR - 1) / NR * NR;
  const pa = (work + 63) & ~(<usize>63);
  // Per-xi strides padded by a cache line: 16 streams 4 KiB apart would share L1 sets.
  const xiA = <usize>(TB * Cp) * 4 + 64, xiB = <usize>(TB * Fp) * 4 + 64;
  const pb = pa + 16 * xiA;
  const xiU = <usize>(Cp * Fp) * 4;
  const tv = pb + 16 * xiB;
  const rowB = <usize>(W * C) * 4, colB = <usize>C * 4;
  const drow = <usize>(OW * F) * 4, dcol = <usize>F * 4;
  const zero = f32x4.splat(0);
  for (let tb0 = t0; tb0 < t1; tb0 += TB) {
    const nt = min(TB, t1 - tb0);
    for (let i = 0; i < nt; i++) {
      const t = tb0 + i;
      const n = t / (TH * TW), rem = t - n * TH * TW, ty = rem / TW, tx = rem - ty * TW;
      const iy0 = 2 * ty - pt, ix0 = 2 * tx - pl;
      const img = x + <usize>(n * H) * rowB;
      const inside = iy0 >= 0 && iy0 + 4 <= H && ix0 >= 0 && ix0 + 4 <= W;
      // Input transform: 4 channels at a time, straight into A panels pa[xi][c/4][tile][4].
      let c0 = 0;
      for (; c0 + 4 <= C; c0 += 4) {
        const q = img + <usize>c0 * 4;
        const dst = pa + <usize>(c0 * TB + i * 4) * 4;
        if (inside) {
          const p = q + <usize>iy0 * rowB + <usize>ix0 * colB;
          winoIn(v128.load(p), v128.load(p + colB), v128.load(p + 2 * colB), v128.load(p + 3 * colB),
            v128.load(p + rowB), v128.load(p + rowB + colB), v128.load(p + rowB + 2 * colB), v128.load(p + rowB + 3 * colB),
            v128.load(p + 2 * rowB), v128.load(p + 2 * rowB + colB), v128.load(p + 2 * rowB + 2 * colB), v128.load(p + 2 * rowB + 3 * colB),
            v128.load(p + 3 * rowB), v128.load(p + 3 * rowB + colB), v128.load(p + 3 * rowB + 2 * colB), v128.load(p + 3 * rowB + 3 * colB), dst, xiA);
        } else {
          const y0 = iy0 >= 0 && iy0 < H, y1 = iy0 + 1 >= 0 && iy0 + 1 < H, y2 = iy0 + 2 >= 0 && iy0 + 2 < H, y3 = iy0 + 3 >= 0 && iy0 + 3 < H;
          const x0 = ix0 >= 0 && ix0 < W, x1 = ix0 + 1 >= 0 && ix0 + 1 < W, x2 = ix0 + 2 >= 0 && ix0 + 2 < W, x3 = ix0 + 3 >= 0 && ix0 + 3 < W;
          const ry0 = <usize>clampI(iy0, H) * rowB, ry1 = <usize>clampI(iy0 + 1, H) * rowB, ry2 = <usize>clampI(iy0 + 2, H) * rowB, ry3 = <usize>clampI(iy0 + 3, H) * rowB;
          const cx0 = <usize>clampI(ix0, W) * colB, cx1 = <usize>clampI(ix0 + 1, W) * colB, cx2 = <usize>clampI(ix0 + 2, W) * colB, cx3 = <usize>clampI(ix0 + 3, W) * colB;
          winoIn(ld(q + ry0 + cx0, y0 && x0), ld(q + ry0 + cx1, y0 && x1), ld(q + ry0 + cx2, y0 && x2), ld(q + ry0 + cx3, y0 && x3),
            ld(q + ry1 + cx0, y1 && x0), ld(q + ry1 + cx1, y1 && x1), ld(q + ry1 + cx2, y1 && x2), ld(q + ry1 + cx3, y1 && x3),
            ld(q + ry2 + cx0, y2 && x0), ld(q + ry2 + cx1, y2 && x1), ld(q + ry2 + cx2, y2 && x2), ld(q + ry2 + cx3, y2 && x3),
            ld(q + ry3 + cx0, y3 && x0), ld(q + ry3 + cx1, y3 && x1), ld(q + ry3 + cx2, y3 && x2), ld(q + ry3 + cx3, y3 && x3), dst, xiA);
        }
      }
      if (c0 < C) {
        // The last 1-3 channels, lanes past C zero (masked loads of the channel vector, clamped inside the image).
        const keep = C - c0;
        const mask = keep == 1 ? i32x4(-1, 0, 0, 0) : keep == 2 ? i32x4(-1, -1, 0, 0) : i32x4(-1, -1, -1, 0);
        const q = img + <usize>c0 * 4;
        const dst = pa + <usize>(c0 * TB + i * 4) * 4;
        const y0 = iy0 >= 0 && iy0 < H, y1 = iy0 + 1 >= 0 && iy0 + 1 < H, y2 = iy0 + 2 >= 0 && iy0 + 2 < H, y3 = iy0 + 3 >= 0 && iy0 + 3 < H;
        const x0 = ix0 >= 0 && ix0 < W, x1 = ix0 + 1 >= 0 && ix0 + 1 < W, x2 = ix0 + 2 >= 0 && ix0 + 2 < W, x3 = ix0 + 3 >= 0 && ix0 + 3 < W;
        const ry0 = <usize>clampI(iy0, H) * rowB, ry1 = <usize>clampI(iy0 + 1, H) * rowB, ry2 = <usize>clampI(iy0 + 2, H) * rowB, ry3 = <usize>clampI(iy0 + 3, H) * rowB;
        const cx0 = <usize>clampI(ix0, W) * colB, cx1 = <usize>clampI(ix0 + 1, W) * colB, cx2 = <usize>clampI(ix0 + 2, W) * colB, cx3 = <usize>clampI(ix0 + 3, W) * colB;
        winoIn(ldTail(q + ry0 + cx0, y0 && x0, keep, mask), ldTail(q + ry0 + cx1, y0 && x1, keep, mask), ldTail(q + ry0 + cx2, y0 && x2, keep, mask), ldTail(q + ry0 + cx3, y0 && x3, keep, mask),
          ldTail(q + ry1 + cx0, y1 && x0, keep, mask), ldTail(q + ry1 + cx1, y1 && x1, keep, mask), ldTail(q + ry1 + cx2, y1 && x2, keep, mask), ldTail(q + ry1 + cx3, y1 && x3, keep, mask),
          ldTail(q + ry2 + cx0, y2 && x0, keep, mask), ldTail(q + ry2 + cx1, y2 && x1, keep, mask), ldTail(q + ry2 + cx2, y2 && x2, keep, mask), ldTail(q + ry2 + cx3, y2 && x3, keep, mask),
          ldTail(q + ry3 + cx0, y3 && x0, keep, mask), ldTail(q + ry3 + cx1, y3 && x1, keep, mask), ldTail(q + ry3 + cx2, y3 && x2, keep, mask), ldTail(q + ry3 + cx3, y3 && x3, keep, mask), dst, xiA);
      }
      // Output-gradient transform A dY A^T: 4 filters at a time into B panels pb[xi][f/8][tile][8].
      const oy = 2 * ty, ox = 2 * tx;
      const h1 = oy + 1 < OH, w1 = ox + 1 < OW;
      const d00 = dy + <usize>((n * OH + oy) * OW + ox) * dcol;
      for (let f0 = 0; f0 < Fp; f0 += 4) {
        let a = zero, b = zero, c = zero, d = zero;
        if (f0 + 4 <= F) {
          const p = d00 + <usize>f0 * 4;
          a = v128.load(p);
          if (w1) b = v128.load(p + dcol);
          if (h1) { c = v128.load(p + drow); if (w1) d = v128.load(p + drow + dcol); }
        } else if (f0 < F) {
          // The last 1-3 filters through a zeroed scratch of 4 vectors.
          memory.fill(tv, 0, 64);
          for (let l = 0; l < F - f0; l++) {
            const p = d00 + <usize>(f0 + l) * 4, o = <usize>l * 4;
            store<f32>(tv + o, load<f32>(p));
            if (w1) store<f32>(tv + o, load<f32>(p + dcol), 16);
            if (h1) { store<f32>(tv + o, load<f32>(p + drow), 32); if (w1) store<f32>(tv + o, load<f32>(p + drow + dcol), 48); }
          }
          a = v128.load(tv); b = v128.load(tv, 16); c = v128.load(tv, 32); d = v128.load(tv, 48);
        }
        // Rows of A dY: [a b], [a+c b+d], [a-c b-d], [-c -d]; each row [p q] -> [p, p+q, p-q, -q].
        const dst = pb + <usize>((f0 / NR) * NR * TB + i * NR + (f0 % NR)) * 4;
        const p1 = f32x4.add(a, c), q1 = f32x4.add(b, d), p2 = f32x4.sub(a, c), q2 = f32x4.sub(b, d);
        const p3 = f32x4.neg(c), q3 = f32x4.neg(d);
        v128.store(dst, a); v128.store(dst + xiB, f32x4.add(a, b)); v128.store(dst + 2 * xiB, f32x4.sub(a, b)); v128.store(dst + 3 * xiB, f32x4.neg(b));
        v128.store(dst + 4 * xiB, p1); v128.store(dst + 5 * xiB, f32x4.add(p1, q1)); v128.store(dst + 6 * xiB, f32x4.sub(p1, q1)); v128.store(dst + 7 * xiB, f32x4.neg(q1));
        v128.store(dst + 8 * xiB, p2); v128.store(dst + 9 * xiB, f32x4.add(p2, q2)); v128.store(dst + 10 * xiB, f32x4.sub(p2, q2)); v128.store(dst + 11 * xiB, f32x4.neg(q2));
        v128.store(dst + 12 * xiB, p3); v128.store(dst + 13 * xiB, f32x4.add(p3, q3)); v128.store(dst + 14 * xiB, f32x4.sub(p3, q3)); v128.store(dst + 15 * xiB, f32x4.neg(q3));
      }
    }
    // 16 GEMMs: U[xi][Cp][Fp] += V[xi]^T [Cp x nt] * Z[xi] [nt x Fp].
    const flags = F_ACC;
    for (let xi = 0; xi < 16; xi++) {
      const ax = pa + <usize>xi * xiA, bx = pb + <usize>xi * xiB, ux = u + <usize>xi * xiU;
      for (let jr = 0; jr < Fp; jr += NR) {
        const bp = bx + <usize>(jr * TB) * 4;
        for (let ir = 0; ir < Cp; ir += MR) {
          kernel(nt, ax + <usize>(ir * TB) * 4, bp, ux + <usize>(ir * Fp + jr) * 4, <usize>Fp * 4, flags, 0);
        }
      }
    }
  }
}

@inline function ldTail(p: usize, ok: bool, keep: i32, mask: v128): v128 {
  // Reads `keep` (1-3) floats at p without reading past them, zero-filled.
  if (!ok) return f32x4.splat(0);
  let v = f32x4.splat(0);
  v = f32x4.replace_lane(v, 0, load<f32>(p));
  if (keep > 1) v = f32x4.replace_lane(v, 1, load<f32>(p, 4));
  if (keep > 2) v = f32x4.replace_lane(v, 2, load<f32>(p, 8));
  return v128.and(v, mask);
}

/** dW[3][3][C][F] = G^T U[xi] G per (c, f), from winogradFilterGradJob's U[xi][Cp][Fp]. */
export function winogradFilterGradFinish(u: usize, C: i32, F: i32, dw: usize): void {
  const Cp = (C + 3) & ~3;
  const Fp = (F + NR - 1) / NR * NR;
  const xiU = <usize>(Cp * Fp) * 4;
  const tap = <usize>(C * F) * 4;
  for (let c = 0; c < C; c++) {
    for (let f = 0; f < F; f++) {
      const p = u + <usize>(c * Fp + f) * 4;
      const u00 = load<f32>(p), u01 = load<f32>(p + xiU), u02 = load<f32>(p + 2 * xiU), u03 = load<f32>(p + 3 * xiU);
      const u10 = load<f32>(p + 4 * xiU), u11 = load<f32>(p + 5 * xiU), u12 = load<f32>(p + 6 * xiU), u13 = load<f32>(p + 7 * xiU);
      const u20 = load<f32>(p + 8 * xiU), u21 = load<f32>(p + 9 * xiU), u22 = load<f32>(p + 10 * xiU), u23 = load<f32>(p + 11 * xiU);
      const u30 = load<f32>(p + 12 * xiU), u31 = load<f32>(p + 13 * xiU), u32 = load<f32>(p + 14 * xiU), u33 = load<f32>(p + 15 * xiU);
      // G^T U: rows s0 = u0 + (u1 + u2)/2, s1 = (u1 - u2)/2, s2 = (u1 + u2)/2 + u3.
      const s00 = u00 + (u10 + u20) * 0.5, s01 = u01 + (u11 + u21) * 0.5, s02 = u02 + (u12 + u22) * 0.5, s03 = u03 + (u13 + u23) * 0.5;
      const s10 = (u10 - u20) * 0.5, s11 = (u11 - u21) * 0.5, s12 = (u12 - u22) * 0.5, s13 = (u13 - u23) * 0.5;
      const s20 = (u10 + u20) * 0.5 + u30, s21 = (u11 + u21) * 0.5 + u31, s22 = (u12 + u22) * 0.5 + u32, s23 = (u13 + u23) * 0.5 + u33;
      // (G^T U) G: columns the same way.
      const o = dw + <usize>(c * F + f) * 4;
      store<f32>(o, s00 + (s01 + s02) * 0.5); store<f32>(o + tap, (s01 - s02) * 0.5); store<f32>(o + 2 * tap, (s01 + s02) * 0.5 + s03);
      store<f32>(o + 3 * tap, s10 + (s11 + s12) * 0.5); store<f32>(o + 4 * tap, (s11 - s12) * 0.5); store<f32>(o + 5 * tap, (s11 + s12) * 0.5 + s13);
      store<f32>(o + 6 * tap, s20 + (s21 + s22) * 0.5); store<f32>(o + 7 * tap, (s21 - s22) * 0.5); store<f32>(o + 8 * tap, (s21 + s22) * 0.5 + s23);
    }
  }
}

// ---- Winograd filter gradients with 6x6 and 8x8 tiles: F(4x4, 3x3), F(2x2, 5x5), and F(6x6, 3x3), F(4x4, 5x5), F(2x2, 7x7) ----
// The forward pass is y = A^T [U * V] A per tile, U = G g G^T, so dL/dU = sum over tiles of
// (A dY A^T) * V and dL/dg = G^T (dL/dU) G: T*T GEMMs accumulate U[xi][C][F] over the tiles.

/** Bytes per point of a filter-gradient GEMM panel of TB tiles, `width` floats each (C or Fp), with 16 floats of slack. */
@inline function w6PanelBytes(TB: i32, width: i32): usize {
  return <usize>(TB * width + 16) * 4;
}

/**
 * Transforms tile t of x[N,H,W,C] (C a multiple of 4, padding pt/pl) and dy[N,OH,OW,F] (m x m output
 * tiles: m = 4 or 6 for 3x3, 2 or 4 for 5x5, 2 for 7x7 (r); T = m + r - 1 = 6 or 8 input points per
 * axis) into column i of the GEMM panels of TB tiles: B^T d B into pa[xi][c/4][TB][4] (xiA bytes per
 * point), A dY A^T into pb[xi][f/8][TB][8] (xiB bytes per point); d and s are T*T vectors of scratch.
 */
@inline function w6GradTile(x: usize, H: i32, W: i32, C: i32, pt: i32, pl: i32, dy: usize, OH: i32, OW: i32, F: i32,
  m: i32, r: i32, t: i32, i: i32, TB: i32, pa: usize, xiA: usize, pb: usize, xiB: usize, d: usize, s: usize): void {
  const T = m + r - 1;
  const rowT = <usize>T * 16;
  const TH = (OH + m - 1) / m, TW = (OW + m - 1) / m;
  const Fp = (F + NR - 1) / NR * NR;
  const rowB = <usize>(W * C) * 4, colB = <usize>C * 4;
  const drow = <usize>(OW * F) * 4, dcol = <usize>F * 4;
  const zero = f32x4.splat(0);
  const n = t / (TH * TW), rem = t - n * TH * TW, ty = rem / TW, tx = rem - ty * TW;
  const iy0 = m * ty - pt, ix0 = m * tx - pl;
  const img = x + <usize>(n * H) * rowB;
  const inside = iy0 >= 0 && iy0 + T <= H && ix0 >= 0 && ix0 + T <= W;
  // Input transform B^T d B, 4 channels at a time, into A panels pa[xi][c/4][tile][4].
  for (let c0 = 0; c0 < C; c0 += 4) {
    const q = img + <usize>c0 * 4;
    if (inside) {
      const p = q + <usize>iy0 * rowB + <usize>ix0 * colB;
      for (let yy = 0; yy < T; yy++) wbt(T, p + <usize>yy * rowB, colB, d + <usize>yy * rowT, 16);
    } else {
      w6btBorderRows(T, q, iy0, ix0, H, W, rowB, colB, s, d);
    }
    const dst = pa + <usize>(c0 * TB + i * 4) * 4;
    for (let j = 0; j < T; j++) wbt(T, d + <usize>j * 16, rowT, dst + <usize>j * xiA, <usize>T * xiA);
  }
  // Output-gradient transform A dY A^T, 4 filters at a time, into B panels pb[xi][f/8][tile][8].
  const oy = m * ty, ox = m * tx;
  const rowsIn = min(m, OH - oy), colsIn = min(m, OW - ox);
  const d00 = dy + <usize>((n * OH + oy) * OW + ox) * dcol;
  for (let f0 = 0; f0 < Fp; f0 += 4) {
    const lanes = min(4, F - f0);
    // The m x m block of dy: read in place (column b at src + b*scs, rows srs bytes apart) when
    // it lies inside the map and holds 4 filters, else copied to d[a*m + b] with zeros past the
    // map's edge and past F.
    const ms = <usize>m * 16;
    const inPlace = rowsIn == m && colsIn == m && lanes == 4;
    let src = d, srs = ms, scs: usize = 16;
    if (inPlace) {
      src = d00 + <usize>f0 * 4; srs = drow; scs = dcol;
    } else {
      for (let a = 0; a < m; a++) {
        for (let b = 0; b < m; b++) {
          let v = zero;
          if (a < rowsIn && b < colsIn && lanes > 0) {
            const p = d00 + <usize>a * drow + <usize>b * dcol + <usize>f0 * 4;
            if (lanes == 4) v = v128.load(p);
            else for (let l = 0; l < lanes; l++) v = laneSet(v, l, load<f32>(p + <usize>l * 4));
          }
          v128.store(d + <usize>(a * m + b) * 16, v);
        }
      }
    }
    const dst = pb + <usize>((f0 / NR) * NR * TB + i * NR + (f0 % NR)) * 4;
    if (m == 6) {
      for (let b = 0; b < 6; b++) w8a63(src + <usize>b * scs, srs, s + <usize>b * 16, ms);
      for (let a = 0; a < 8; a++) w8a63(s + <usize>a * ms, 16, dst + <usize>(a * 8) * xiB, xiB);
    } else if (r == 7) {
      for (let b = 0; b < 2; b++) w8a27(src + <usize>b * scs, srs, s + <usize>b * 16, ms);
      for (let a = 0; a < 8; a++) w8a27(s + <usize>a * ms, 16, dst + <usize>(a * 8) * xiB, xiB);
    } else if (T == 8) {
      for (let b = 0; b < 4; b++) w8a45(src + <usize>b * scs, srs, s + <usize>b * 16, ms);
      for (let a = 0; a < 8; a++) w8a45(s + <usize>a * ms, 16, dst + <usize>(a * 8) * xiB, xiB);
    } else if (m == 4) {
      for (let b = 0; b < 4; b++) w6a43(src + <usize>b * scs, srs, s + <usize>b * 16, ms);
      for (let a = 0; a < 6; a++) w6a43(s + <usize>a * ms, 16, dst + <usize>(a * 6) * xiB, xiB);
    } else {
      for (let b = 0; b < 2; b++) w6a25(src + <usize>b * scs, srs, s + <usize>b * 16, ms);
      for (let a = 0; a < 6; a++) w6a25(s + <usize>a * ms, 16, dst + <usize>(a * 6) * xiB, xiB);
    }
  }
}

/**
 * Adds to U[xi][C][Fp] (the chunk's, zeroed by the caller) the sum over tiles [t0, t1) of x and dy
 * (see w6GradTile); TB tiles per block; work holds T*T*(TB*(C + Fp) + 40) + 16 floats (Fp = F
 * rounded up to 8).
 */
export function winograd6FilterGradJob(x: usize, H: i32, W: i32, C: i32, pt: i32, pl: i32, dy: usize, OH: i32, OW: i32, F: i32,
  t0: i32, t1: i32, TB: i32, m: i32, r: i32, u: usize, work: usize): void {
  const T = m + r - 1, TT = T * T;
  const Fp = (F + NR - 1) / NR * NR;
  const pa = (work + 63) & ~(<usize>63);
  const xiA = w6PanelBytes(TB, C), xiB = w6PanelBytes(TB, Fp);
  const pb = pa + <usize>TT * xiA;
  const d = pb + <usize>TT * xiB; // TT vectors
  const s = d + <usize>TT * 16; // TT vectors
  for (let tb0 = t0; tb0 < t1; tb0 += TB) {
    const nt = min(TB, t1 - tb0);
    for (let i = 0; i < nt; i++) w6GradTile(x, H, W, C, pt, pl, dy, OH, OW, F, m, r, tb0 + i, i, TB, pa, xiA, pb, xiB, d, s);
    w6GradPoints(pa, xiA, pb, xiB, TB, nt, C, F, 0, TT, F_ACC, u);
  }
}

/** For points [xi0, xi1): U[xi][C][Fp] (+)= V[xi]^T [C x nt] * Z[xi] [nt x Fp], from panels of TB tiles (flags: F_ACC adds). */
@inline function w6GradPoints(pa: usize, xiA: usize, pb: usize, xiB: usize, TB: i32, nt: i32, C: i32, F: i32, xi0: i32, xi1: i32, flags: i32, u: usize): void {
  const Fp = (F + NR - 1) / NR * NR;
  const xiU = <usize>(C * Fp) * 4;
  for (let xi = xi0; xi < xi1; xi++) {
    const ax = pa + <usize>xi * xiA, bx = pb + <usize>xi * xiB, ux = u + <usize>xi * xiU;
    for (let jr = 0; jr < Fp; jr += NR) {
      const bp = bx + <usize>(jr * TB) * 4;
      for (let ir = 0; ir < C; ir += MR) {
        kernel(nt, ax + <usize>(ir * TB) * 4, bp, ux + <usize>(ir * Fp + jr) * 4, <usize>Fp * 4, flags, 0);
      }
    }
  }
}

/**
 * The filter gradient's transform split by tiles, for layers whose U is large beside their tiles
 * (many channels on small maps): tiles [t0, t1) go to columns t - tBase of panels of TB tiles at
 * pa and pb (as w6GradTile; w6PanelBytes per point), which
 * winograd6FilterGradPoints then multiplies point by point. work: 2*T*T vectors.
 */
export function winograd6FilterGradTiles(x: usize, H: i32, W: i32, C: i32, pt: i32, pl: i32, dy: usize, OH: i32, OW: i32, F: i32,
  t0: i32, t1: i32, tBase: i32, TB: i32, m: i32, r: i32, pa: usize, pb: usize, work: usize): void {
  const T = m + r - 1, TT = T * T;
  const Fp = (F + NR - 1) / NR * NR;
  const xiA = w6PanelBytes(TB, C), xiB = w6PanelBytes(TB, Fp);
  const d = (work + 15) & ~(<usize>15), s = d + <usize>TT * 16;
  for (let t = t0; t < t1; t++) w6GradTile(x, H, W, C, pt, pl, dy, OH, OW, F, m, r, t, t - tBase, TB, pa, xiA, pb, xiB, d, s);
}

/**
 * U[xi][C][Fp] for points [xi0, xi1) from winograd6FilterGradTiles's panels of TB tiles, nt of them
 * filled: overwritten (acc 0: the first block of tiles) or added to (acc 1), so every U value is one
 * sum over the tiles in order, whatever the thread count.
 */
export function winograd6FilterGradPoints(pa: usize, pb: usize, TB: i32, nt: i32, C: i32, F: i32, xi0: i32, xi1: i32, acc: i32, u: usize): void {
  const Fp = (F + NR - 1) / NR * NR;
  w6GradPoints(pa, w6PanelBytes(TB, C), pb, w6PanelBytes(TB, Fp), TB, nt, C, F, xi0, xi1, acc ? F_ACC : 0, u);
}

/**
 * dW[r][r][C][F] = G^T U[xi] G per (c, f) (r = 3, 5 or 7; m the output tile, as winograd6Filter)
 * for the filters [f0, f1) (multiples of 4, f1 up to F), from winograd6FilterGradJob's U[xi][C][Fp].
 * Split over the threads by filters; work: 448 floats.
 */
export function winograd6FilterGradFinish(u: usize, r: i32, m: i32, C: i32, F: i32, dw: usize, f0s: i32, f1s: i32, work: usize): void {
  const Fp = (F + NR - 1) / NR * NR;
  const xiU = <usize>(C * Fp) * 4;
  const tap = <usize>(C * F) * 4;
  const t = (work + 15) & ~(<usize>15); // r x T vectors (rows of 8 for T = 8, of 6 for T = 6)
  const o = t + <usize>(r * 8) * 16; // r x r vectors
  const rs = <usize>r * 16;
  for (let f0 = f0s; f0 < min(f1s, F); f0 += 4) {
    for (let c = 0; c < C; c++) {
      const p = u + <usize>(c * Fp + f0) * 4;
      // G^T along the rows' index (per column j), then along the columns.
      if (m == 6) {
        for (let j = 0; j < 8; j++) w8gt63(p + <usize>j * xiU, 8 * xiU, t + <usize>j * 16, 128);
        for (let k = 0; k < 3; k++) w8gt63(t + <usize>k * 128, 16, o + <usize>k * rs, 16);
      } else if (r == 7) {
        for (let j = 0; j < 8; j++) w8gt27(p + <usize>j * xiU, 8 * xiU, t + <usize>j * 16, 128);
        for (let k = 0; k < 7; k++) w8gt27(t + <usize>k * 128, 16, o + <usize>k * rs, 16);
      } else if (m == 4 && r == 5) {
        for (let j = 0; j < 8; j++) w8gt45(p + <usize>j * xiU, 8 * xiU, t + <usize>j * 16, 128);
        for (let k = 0; k < 5; k++) w8gt45(t + <usize>k * 128, 16, o + <usize>k * rs, 16);
      } else if (r == 3) {
        for (let j = 0; j < 6; j++) w6gt43(p + <usize>j * xiU, 6 * xiU, t + <usize>j * 16, 96);
        for (let k = 0; k < 3; k++) w6gt43(t + <usize>k * 96, 16, o + <usize>k * rs, 16);
      } else {
        for (let j = 0; j < 6; j++) w6gt25(p + <usize>j * xiU, 6 * xiU, t + <usize>j * 16, 96);
        for (let k = 0; k < 5; k++) w6gt25(t + <usize>k * 96, 16, o + <usize>k * rs, 16);
      }
      const lanes = min(4, F - f0);
      for (let k = 0; k < r * r; k++) {
        const q = dw + <usize>k * tap + <usize>(c * F + f0) * 4;
        const v = v128.load(o + <usize>k * 16);
        if (lanes == 4) v128.store(q, v);
        else {
          v128.store(t, v);
          for (let l = 0; l < lanes; l++) store<f32>(q + <usize>l * 4, load<f32>(t + <usize>l * 4));
        }
      }
    }
  }
}

/**
 * Relu's (hi = Infinity) or Relu6's (hi = 6) gradient in one pass: dy * mask, mask 1 where
 * 0 < x <= hi, 0 elsewhere, NaN for NaN (as the stock Step-based masks give).
 */
export function reluGrad(dy: usize, x: usize, n: i32, hi: f32, y: usize): void {
  const one = f32x4.splat(1), zero = f32x4.splat(0), vhi = f32x4.splat(hi);
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const o = <usize>i * 4;
    const v = v128.load(x + o);
    const inside = v128.and(f32x4.gt(v, zero), f32x4.le(v, vhi));
    const s = v128.bitselect(v, v128.bitselect(one, zero, inside), f32x4.ne(v, v));
    v128.store(y + o, f32x4.mul(v128.load(dy + o), s));
  }
  for (; i < n; i++) {
    const o = <usize>i * 4;
    const v = load<f32>(x + o);
    const s: f32 = v != v ? v : v > 0 && v <= hi ? 1 : 0;
    store<f32>(y + o, load<f32>(dy + o) * s);
  }
}

/**
 * Relu's gradient (reluGrad, hi = Infinity) for rows [r0, r1) of cols values, then those rows of the
 * result added into acc as sumRowsInto adds them: a relu convolution's bias gradient, read back
 * while the chunk is still in cache instead of in a second pass over the whole tensor.
 */
export function reluGradRowsSum(dy: usize, x: usize, r0: i32, r1: i32, cols: i32, y: usize, acc: usize): void {
  const o = <usize>r0 * <usize>cols * 4;
  reluGrad(dy + o, x + o, (r1 - r0) * cols, Infinity, y + o);
  sumRowsInto(y, r0, r1, cols, acc);
}

/** ClipByValue's gradient in one pass: dy where lo <= x <= hi, else 0. */
export function clipGrad(dy: usize, x: usize, n: i32, lo: f32, hi: f32, y: usize): void {
  const vlo = f32x4.splat(lo), vhi = f32x4.splat(hi);
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const o = <usize>i * 4;
    const v = v128.load(x + o);
    v128.store(y + o, v128.and(v128.load(dy + o), v128.and(f32x4.ge(v, vlo), f32x4.le(v, vhi))));
  }
  for (; i < n; i++) {
    const o = <usize>i * 4;
    const v = load<f32>(x + o);
    store<f32>(y + o, v >= lo && v <= hi ? load<f32>(dy + o) : 0);
  }
}

/** LeakyRelu: y = x < 0 ? alpha * x : x (NaN stays NaN), as the stock kernels. */
export function leakyRelu(x: usize, n: i32, alpha: f32, y: usize): void {
  const va = f32x4.splat(alpha), zero = f32x4.splat(0);
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const o = <usize>i * 4;
    const v = v128.load(x + o);
    v128.store(y + o, v128.bitselect(f32x4.mul(v, va), v, f32x4.lt(v, zero)));
  }
  for (; i < n; i++) {
    const o = <usize>i * 4;
    const v = load<f32>(x + o);
    store<f32>(y + o, v < 0 ? alpha * v : v);
  }
}

/** LeakyRelu's gradient as the stock one selects it: dy where x > 0, else dy * alpha (x = 0 and NaN included). */
export function leakyReluGrad(dy: usize, x: usize, n: i32, alpha: f32, y: usize): void {
  const va = f32x4.splat(alpha), zero = f32x4.splat(0);
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const o = <usize>i * 4;
    const g = v128.load(dy + o);
    v128.store(y + o, v128.bitselect(g, f32x4.mul(g, va), f32x4.gt(v128.load(x + o), zero)));
  }
  for (; i < n; i++) {
    const o = <usize>i * 4;
    const g = load<f32>(dy + o);
    store<f32>(y + o, load<f32>(x + o) > 0 ? g : g * alpha);
  }
}

/**
 * tanh(x) by Eigen's rational approximation (generic_fast_tanh_float: odd degree-13 numerator,
 * even degree-6 denominator, inputs clamped to +-7.905, |x| < 0.0004 returned as is): within a few
 * float32 ulps of the exact value, NaN stays NaN. The stock wasm kernel calls libc's tanhf per
 * value, on one thread.
 */
export function tanhApprox(x: usize, n: i32, y: usize): void {
  const c = f32x4.splat(7.90531110763549805), nc = f32x4.splat(-7.90531110763549805), tiny = f32x4.splat(0.0004);
  const a1 = f32x4.splat(4.89352455891786e-03), a3 = f32x4.splat(6.37261928875436e-04), a5 = f32x4.splat(1.48572235717979e-05);
  const a7 = f32x4.splat(5.12229709037114e-08), a9 = f32x4.splat(-8.60467152213735e-11), a11 = f32x4.splat(2.00018790482477e-13);
  const a13 = f32x4.splat(-2.76076847742355e-16);
  const b0 = f32x4.splat(4.89352518554385e-03), b2 = f32x4.splat(2.26843463243900e-03), b4 = f32x4.splat(1.18534705686654e-04);
  const b6 = f32x4.splat(1.19825839466702e-06);
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const o = <usize>i * 4;
    const raw = v128.load(x + o);
    const v = atLeast(atMost(raw, c), nc);
    const v2 = f32x4.mul(v, v);
    let p = f32x4.add(f32x4.mul(v2, a13), a11);
    p = f32x4.add(f32x4.mul(v2, p), a9);
    p = f32x4.add(f32x4.mul(v2, p), a7);
    p = f32x4.add(f32x4.mul(v2, p), a5);
    p = f32x4.add(f32x4.mul(v2, p), a3);
    p = f32x4.add(f32x4.mul(v2, p), a1);
    p = f32x4.mul(v, p);
    let q = f32x4.add(f32x4.mul(v2, b6), b4);
    q = f32x4.add(f32x4.mul(v2, q), b2);
    q = f32x4.add(f32x4.mul(v2, q), b0);
    v128.store(y + o, v128.bitselect(raw, f32x4.div(p, q), f32x4.lt(f32x4.abs(raw), tiny)));
  }
  for (; i < n; i++) {
    const raw = load<f32>(x + <usize>i * 4);
    const v = max(min(raw, <f32>7.90531110763549805), <f32>-7.90531110763549805);
    const v2 = v * v;
    let p: f32 = v2 * <f32>-2.76076847742355e-16 + <f32>2.00018790482477e-13;
    p = v2 * p + <f32>-8.60467152213735e-11;
    p = v2 * p + <f32>5.12229709037114e-08;
    p = v2 * p + <f32>1.48572235717979e-05;
    p = v2 * p + <f32>6.37261928875436e-04;
    p = v2 * p + <f32>4.89352455891786e-03;
    p = v * p;
    let q: f32 = v2 * <f32>1.19825839466702e-06 + <f32>1.18534705686654e-04;
    q = v2 * q + <f32>2.26843463243900e-03;
    q = v2 * q + <f32>4.89352518554385e-03;
    store<f32>(y + <usize>i * 4, abs(raw) < <f32>0.0004 ? raw : p / q);
  }
}

/** Gradients from the output y: kind 0 tanh, dy * (1 - y * y); 1 sigmoid, dy * (y * (1 - y)) (the stock gradients' float32 ops, in their order). */
export function outputGrad(dy: usize, yv: usize, n: i32, kind: i32, out: usize): void {
  const one = f32x4.splat(1);
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const o = <usize>i * 4;
    const v = v128.load(yv + o);
    const s = kind == 0 ? f32x4.sub(one, f32x4.mul(v, v)) : f32x4.mul(v, f32x4.sub(one, v));
    v128.store(out + o, f32x4.mul(v128.load(dy + o), s));
  }
  for (; i < n; i++) {
    const o = <usize>i * 4;
    const v = load<f32>(yv + o);
    const s: f32 = kind == 0 ? 1 - v * v : v * (1 - v);
    store<f32>(out + o, load<f32>(dy + o) * s);
  }
}

/**
 * y[a, b] = the max (isMax 1) or min of x[a, r, b] over r < R, for a in [a0, a1), as the stock wasm
 * kernels compare: a value replaces the running one only when strictly greater (less), so NaN never
 * does (pmax / pmin).
 */
export function extremum(x: usize, R: i32, B: i32, y: usize, isMax: i32, a0: i32, a1: i32): void {
  for (let a = a0; a < a1; a++) {
    const xb = x + <usize>(a * R) * <usize>B * 4, yb = y + <usize>(a * B) * 4;
    let j = 0;
    for (; j + 4 <= B; j += 4) {
      const q = <usize>j * 4;
      let m = v128.load(xb + q);
      for (let r = 1; r < R; r++) {
        const v = v128.load(xb + <usize>r * <usize>B * 4 + q);
        m = isMax ? f32x4.pmax(m, v) : f32x4.pmin(m, v);
      }
      v128.store(yb + q, m);
    }
    for (; j < B; j++) {
      const q = <usize>j * 4;
      let m = load<f32>(xb + q);
      for (let r = 1; r < R; r++) {
        const v = load<f32>(xb + <usize>r * <usize>B * 4 + q);
        if (isMax ? v > m : v < m) m = v;
      }
      store<f32>(yb + q, m);
    }
  }
}

/**
 * The gradient of a max (or min) over the middle axis of x[A, R, B] for a in [a0, a1): dx = dy[a, b]
 * where x[a, r, b] equals the extremum y[a, b] (every tie gets it, NaN never matches), else 0.
 */
export function extremumGrad(x: usize, y: usize, dy: usize, R: i32, B: i32, dx: usize, a0: i32, a1: i32): void {
  for (let a = a0; a < a1; a++) {
    const yb = y + <usize>(a * B) * 4, gb = dy + <usize>(a * B) * 4;
    for (let r = 0; r < R; r++) {
      const o = <usize>(a * R + r) * <usize>B * 4;
      let j = 0;
      for (; j + 4 <= B; j += 4) {
        const q = <usize>j * 4;
        v128.store(dx + o + q, v128.and(v128.load(gb + q), f32x4.eq(v128.load(x + o + q), v128.load(yb + q))));
      }
      for (; j < B; j++) {
        const q = <usize>j * 4;
        store<f32>(dx + o + q, load<f32>(x + o + q) == load<f32>(yb + q) ? load<f32>(gb + q) : 0);
      }
    }
  }
}

/**
 * Nearest-neighbour upsampling by whole factors (UpSampling2D): y[n, oy, ox] = x[n, oy / fy, ox / fx]
 * for images [n0, n1) of x[N, H, W, C]; each output row is built once and copied fy - 1 times.
 */
export function upsampleNearest(x: usize, H: i32, W: i32, C: i32, fy: i32, fx: i32, y: usize, n0: i32, n1: i32): void {
  const cb = <usize>C * 4, outRow = <usize>(W * fx) * cb;
  for (let n = n0; n < n1; n++) {
    for (let iy = 0; iy < H; iy++) {
      const src = x + <usize>(n * H + iy) * <usize>W * cb;
      const dst = y + <usize>(n * H + iy) * <usize>fy * outRow;
      for (let ix = 0; ix < W; ix++) {
        for (let j = 0; j < fx; j++) memory.copy(dst + <usize>(ix * fx + j) * cb, src + <usize>ix * cb, cb);
      }
      for (let i = 1; i < fy; i++) memory.copy(dst + <usize>i * outRow, dst, outRow);
    }
  }
}

/** The gradient of upsampleNearest: dx[n, y, x] = the sum of dy over its fy x fx block, for images [n0, n1). */
export function upsampleNearestGrad(dy: usize, H: i32, W: i32, C: i32, fy: i32, fx: i32, dx: usize, n0: i32, n1: i32): void {
  const cb = <usize>C * 4, outRow = <usize>(W * fx) * cb;
  for (let n = n0; n < n1; n++) {
    for (let iy = 0; iy < H; iy++) {
      const dst = dx + <usize>(n * H + iy) * <usize>W * cb;
      const block = dy + <usize>(n * H + iy) * <usize>fy * outRow;
      for (let ix = 0; ix < W; ix++) {
        const o = dst + <usize>ix * cb;
        let c: usize = 0;
        for (; c + 16 <= cb; c += 16) {
          let acc = f32x4.splat(0);
          for (let i = 0; i < fy; i++) for (let j = 0; j < fx; j++) acc = f32x4.add(acc, v128.load(block + <usize>i * outRow + <usize>(ix * fx + j) * cb + c));
          v128.store(o + c, acc);
        }
        for (; c < cb; c += 4) {
          let acc: f32 = 0;
          for (let i = 0; i < fy; i++) for (let j = 0; j < fx; j++) acc += load<f32>(block + <usize>i * outRow + <usize>(ix * fx + j) * cb + c);
          store<f32>(o + c, acc);
        }
      }
    }
  }
}

/**
 * dx for average pooling whose windows tile the image (stride = window, no padding: Keras's
 * AveragePooling2D by default) for images [n0, n1): every input of a window gets its dy times mult
 * (1 / window size); rows and columns past the last window get 0.
 */
export function avgPoolGradTiled(dy: usize, dx: usize, H: i32, W: i32, C: i32, OH: i32, OW: i32, fh: i32, fw: i32, mult: f32, n0: i32, n1: i32): void {
  const vm = f32x4.splat(mult);
  const rowB = <usize>(W * C) * 4, pixB = <usize>C * 4;
  for (let n = n0; n < n1; n++) {
    const img = dx + <usize>n * <usize>H * rowB;
    const dimg = dy + <usize>(n * OH * OW) * pixB;
    for (let oy = 0; oy < OH; oy++) {
      for (let ky = 0; ky < fh; ky++) {
        const drow = img + <usize>(oy * fh + ky) * rowB;
        for (let ox = 0; ox < OW; ox++) {
          const src = dimg + <usize>(oy * OW + ox) * pixB;
          for (let kx = 0; kx < fw; kx++) {
            const dst = drow + <usize>(ox * fw + kx) * pixB;
            let c = 0;
            for (; c + 4 <= C; c += 4) v128.store(dst + <usize>c * 4, f32x4.mul(v128.load(src + <usize>c * 4), vm));
            for (; c < C; c++) store<f32>(dst + <usize>c * 4, load<f32>(src + <usize>c * 4) * mult);
          }
        }
        if (OW * fw < W) memory.fill(drow + <usize>(OW * fw) * pixB, 0, <usize>(W - OW * fw) * pixB);
      }
    }
    if (OH * fh < H) memory.fill(img + <usize>(OH * fh) * rowB, 0, <usize>(H - OH * fh) * rowB);
  }
}

/**
 * dx for max pooling of any window, stride, padding and dilation (geometry at g, as pool2d's) for
 * images [n0, n1): each dy goes to the first maximum of its window in row-major order, as the stock
 * kernel picks (a value wins only when greater than every earlier one, starting from -Infinity: NaN
 * never does, and a window of -Infinity and NaN gives no gradient). Four channels at a time: the
 * winning tap per lane is found first, then each tap adds dy where it won. Each image is zeroed here.
 */
export function maxPoolGradAny(x: usize, dy: usize, dx: usize, g: usize, n0: i32, n1: i32): void {
  const H = load<i32>(g, G_H), W = load<i32>(g, G_W), C = load<i32>(g, G_C), KH = load<i32>(g, G_KH), KW = load<i32>(g, G_KW);
  const sh = load<i32>(g, G_SH), sw = load<i32>(g, G_SW), dh = load<i32>(g, G_DH), dw = load<i32>(g, G_DW);
  const pt = load<i32>(g, G_PT), pl = load<i32>(g, G_PL), OH = load<i32>(g, G_OH), OW = load<i32>(g, G_OW);
  const cb = <usize>C * 4, rowB = <usize>W * cb;
  const ninf = f32x4.splat(-Infinity), none = i32x4.splat(-1), zero = f32x4.splat(0);
  for (let n = n0; n < n1; n++) {
    const img = <usize>n * <usize>H * rowB;
    memory.fill(dx + img, 0, <usize>H * rowB);
    for (let oy = 0; oy < OH; oy++) {
      const y0 = oy * sh - pt;
      // Taps inside the image: rows y0 + ky*dh with 0 <= row < H.
      let ky0 = 0;
      while (ky0 < KH && y0 + ky0 * dh < 0) ky0++;
      let ky1 = KH;
      while (ky1 > ky0 && y0 + (ky1 - 1) * dh >= H) ky1--;
      for (let ox = 0; ox < OW; ox++) {
        const x0 = ox * sw - pl;
        let kx0 = 0;
        while (kx0 < KW && x0 + kx0 * dw < 0) kx0++;
        let kx1 = KW;
        while (kx1 > kx0 && x0 + (kx1 - 1) * dw >= W) kx1--;
        const o = dy + <usize>((n * OH + oy) * OW + ox) * cb;
        let c: usize = 0;
        for (; c + 16 <= cb; c += 16) {
          let best = ninf, idx = none;
          for (let ky = ky0; ky < ky1; ky++) {
            const row = x + img + <usize>(y0 + ky * dh) * rowB + c;
            for (let kx = kx0; kx < kx1; kx++) {
              const v = v128.load(row + <usize>(x0 + kx * dw) * cb);
              const m = f32x4.gt(v, best);
              best = v128.bitselect(v, best, m);
              idx = v128.bitselect(i32x4.splat(ky * KW + kx), idx, m);
            }
          }
          const gv = v128.load(o + c);
          for (let ky = ky0; ky < ky1; ky++) {
            const row = dx + img + <usize>(y0 + ky * dh) * rowB + c;
            for (let kx = kx0; kx < kx1; kx++) {
              const m = i32x4.eq(idx, i32x4.splat(ky * KW + kx));
              if (v128.any_true(m)) {
                const q = row + <usize>(x0 + kx * dw) * cb;
                v128.store(q, f32x4.add(v128.load(q), v128.bitselect(gv, zero, m)));
              }
            }
          }
        }
        for (; c < cb; c += 4) {
          let best: f32 = -Infinity;
          let at: usize = 0;
          for (let ky = ky0; ky < ky1; ky++) {
            for (let kx = kx0; kx < kx1; kx++) {
              const q = img + <usize>(y0 + ky * dh) * rowB + <usize>(x0 + kx * dw) * cb + c;
              const v = load<f32>(x + q);
              if (v > best) { best = v; at = q + 1; }
            }
          }
          if (at != 0) store<f32>(dx + at - 1, load<f32>(dx + at - 1) + load<f32>(o + c));
        }
      }
    }
  }
}

/** pool2d's max or mean of the cnt taps listed at work for the four channels at byte offset q of one output pixel. */
@inline function pool4(img: usize, out: usize, q: usize, cnt: i32, isMax: i32, init: v128, work: usize): void {
  let a = init;
  if (isMax) { for (let t = 0; t < cnt; t++) a = f32x4.pmax(a, v128.load(img + <usize>load<i32>(work + <usize>t * 8) + q)); }
  else { for (let t = 0; t < cnt; t++) a = f32x4.add(a, v128.load(img + <usize>load<i32>(work + <usize>t * 8) + q)); a = f32x4.div(a, f32x4.splat(<f32>cnt)); }
  v128.store(out + q, a);
}

/**
 * Max (isMax 1) or average pooling forward of x[N,H,W,C] for images [n0, n1) (geometry as for
 * convolutions, G_*): max takes the first maximum the stock kernel would (NaN never wins: pmax),
 * average divides by the number of window taps inside the image.
 */
export function pool2d(x: usize, y: usize, g: usize, isMax: i32, n0: i32, n1: i32, work: usize): void {
  const H = load<i32>(g, G_H), W = load<i32>(g, G_W), C = load<i32>(g, G_C), KH = load<i32>(g, G_KH), KW = load<i32>(g, G_KW);
  const sh = load<i32>(g, G_SH), sw = load<i32>(g, G_SW), dh = load<i32>(g, G_DH), dw = load<i32>(g, G_DW);
  const pt = load<i32>(g, G_PT), pl = load<i32>(g, G_PL), OH = load<i32>(g, G_OH), OW = load<i32>(g, G_OW);
  const pix = <usize>C * 4;
  const init = f32x4.splat(isMax ? -Infinity : 0);
  for (let n = n0; n < n1; n++) {
    const img = x + <usize>(n * H * W) * pix;
    for (let oy = 0; oy < OH; oy++) {
      for (let ox = 0; ox < OW; ox++) {
        const cnt = tapsOut(oy, ox, H, W, C, KH, KW, sh, sw, dh, dw, pt, pl, work);
        const out = y + <usize>((n * OH + oy) * OW + ox) * pix;
        let c = 0;
        for (; c + 4 <= C; c += 4) pool4(img, out, <usize>c * 4, cnt, isMax, init, work);
        // A channel count that is not a multiple of 4 (LeNet-5's 6) ends with the last four
        // channels again, overlapping (the shared ones get the same values); fewer than 4 one by one.
        if (c < C && C >= 4) {
          pool4(img, out, <usize>(C - 4) * 4, cnt, isMax, init, work);
          c = C;
        }
        for (; c < C; c++) {
          const q = <usize>c * 4;
          let a: f32 = isMax ? -Infinity : 0;
          for (let t = 0; t < cnt; t++) {
            const v = load<f32>(img + <usize>load<i32>(work + <usize>t * 8) + q);
            if (isMax) { if (v > a) a = v; } else a += v;
          }
          store<f32>(out + q, isMax ? a : a / <f32>cnt);
        }
      }
    }
  }
}

// ---- Few-channel convolutions (first layers: 1-4 input channels) -----------------------------------
// Implicit GEMM suits these poorly: its reduction (taps x channels, 9-75) is too short for the packing
// and the micro-kernel's set-up to pay off when there are few filters to share a packed panel, and
// XNNPACK runs on one thread. These two kernels read a zero-padded copy xp[N][Hp][Wp][C] of the
// images (small: few channels), so no tap needs a bounds check. Both do 8 multiply-adds per 6 loads.

/**
 * y = act(conv + bias) for output rows [r0, r1) of the N*OH: 4 neighbouring output pixels x 8
 * filters per register block (eight f32x4 accumulators). Per kernel row the taps (kx, c) of an
 * undilated kernel are one contiguous run of the padded image row (KW*C floats; dilated: KW runs
 * of C), walked by four pixel pointers, so the inner loop is loads, broadcasts and multiply-adds
 * only. (The former kernel read each tap through a table of byte offsets; V8 then recomputed the
 * row address, divisions included, inside the loop: on RGB layers it was 3-30% slower than
 * implicit GEMM, this one is 16-75% faster up to 24 filters.) w8[F8/8][K][8] (taps in (ky, kx, c)
 * order, filters padded to F8 with zeros), bias8[F8] (0: none), act 0 linear, 1 relu, 2 relu6.
 * work: 32 floats.
 */
export function convSmallC(xp: usize, Hp: i32, Wp: i32, C: i32, KH: i32, KW: i32, sh: i32, sw: i32, dh: i32, dw: i32,
  w8: usize, F: i32, bias8: usize, act: i32, y: usize, OH: i32, OW: i32, r0: i32, r1: i32, work: usize): void {
  const F8 = (F + 7) & ~7;
  const K = KH * KW * C;
  const lo: f32 = act != 0 ? 0 : -Infinity, hi: f32 = act == 2 ? 6 : Infinity;
  const vlo = f32x4.splat(lo), vhi = f32x4.splat(hi);
  const colB = <usize>(sw * C) * 4, rowB = <usize>(Wp * C) * 4;
  const kyB = <usize>dh * rowB;
  // Runs per kernel row: one of KW*C floats, or (dilated) KW of C floats dw*C apart.
  const runs = dw == 1 ? 1 : KW, runB = <usize>(dw == 1 ? KW * C : C) * 4, runStep = <usize>(dw * C) * 4;
  // From a run's end to the next run's start: within a kernel row, and to the next kernel row.
  const skipRun = runStep - runB, skipRow = kyB - <usize>(runs - 1) * runStep - runB;
  const tmp = (work + 15) & ~(<usize>15);
  const zero = f32x4.splat(0);
  let n = r0 / OH, oy = r0 - n * OH;
  for (let r = r0; r < r1; r++) {
    const rowIn = xp + <usize>(n * Hp + oy * sh) * rowB;
    const rowOut = y + <usize>(r * OW * F) * 4;
    for (let ox0 = 0; ox0 < OW; ox0 += 4) {
      const valid = min(4, OW - ox0);
      // Pixels past the row's end repeat its last one (computed, not stored): no read past the padding.
      const p0 = rowIn + <usize>ox0 * colB;
      const p1 = p0 + <usize>min(1, valid - 1) * colB, p2 = p0 + <usize>min(2, valid - 1) * colB, p3 = p0 + <usize>min(3, valid - 1) * colB;
      for (let f0 = 0; f0 < F8; f0 += 8) {
        let a00 = zero, a01 = zero, a10 = zero, a11 = zero, a20 = zero, a21 = zero, a30 = zero, a31 = zero;
        let wp = w8 + <usize>(f0 * K) * 4;
        // The four pixel pointers walk the runs in order, each run's end plus a skip being the next
        // run's start. (Recomputed from p0..p3 per run, the run's set-up took V8 a dozen
        // multiplications: 3x3 RGB layers, three runs of 9 taps, ran at half the speed of 7x7 ones.)
        let q0 = p0, q1 = p1, q2 = p2, q3 = p3;
        for (let ky = 0; ky < KH; ky++) {
          for (let ru = 0; ru < runs; ru++) {
            const end = q0 + runB;
            const skip = ru + 1 < runs ? skipRun : skipRow;
            while (q0 < end) {
              const w0 = v128.load(wp), w1 = v128.load(wp, 16);
              let s = v128.load32_splat(q0);
              a00 = madd(s, w0, a00); a01 = madd(s, w1, a01);
              s = v128.load32_splat(q1);
              a10 = madd(s, w0, a10); a11 = madd(s, w1, a11);
              s = v128.load32_splat(q2);
              a20 = madd(s, w0, a20); a21 = madd(s, w1, a21);
              s = v128.load32_splat(q3);
              a30 = madd(s, w0, a30); a31 = madd(s, w1, a31);
              q0 += 4; q1 += 4; q2 += 4; q3 += 4; wp += 32;
            }
            q0 += skip; q1 += skip; q2 += skip; q3 += skip;
          }
        }
        // The bias after the sum, as a convolution followed by a bias add rounds (fused = unfused).
        if (bias8 != 0) {
          const b0 = v128.load(bias8 + <usize>f0 * 4), b1 = v128.load(bias8 + <usize>f0 * 4, 16);
          a00 = f32x4.add(a00, b0); a01 = f32x4.add(a01, b1); a10 = f32x4.add(a10, b0); a11 = f32x4.add(a11, b1);
          a20 = f32x4.add(a20, b0); a21 = f32x4.add(a21, b1); a30 = f32x4.add(a30, b0); a31 = f32x4.add(a31, b1);
        }
        a00 = atMost(atLeast(a00, vlo), vhi); a01 = atMost(atLeast(a01, vlo), vhi);
        a10 = atMost(atLeast(a10, vlo), vhi); a11 = atMost(atLeast(a11, vlo), vhi);
        a20 = atMost(atLeast(a20, vlo), vhi); a21 = atMost(atLeast(a21, vlo), vhi);
        a30 = atMost(atLeast(a30, vlo), vhi); a31 = atMost(atLeast(a31, vlo), vhi);
        const ob = rowOut + <usize>(ox0 * F + f0) * 4, pix = <usize>F * 4;
        // Pixels stored whole, 8 lanes each: all of a full block of filters. Of the last, partial
        // block too when there are 4-7 filters in all (LeNet's 6): the lanes past F land on the next
        // pixel's first filters (F >= 4: on no pixel beyond it), which this task writes afterwards,
        // in order; but not a row's last pixel (the next may be another task's, or past the end).
        // The rest, the real F - f0 filters only, through scratch: a row's last pixel, every pixel
        // of a partial block after full ones (F > 8: whole stores would overwrite filters stored
        // already) or of fewer than 4 filters. LeNet-5's first layer (5x5, 1 -> 6 on 28x28, batch
        // 64), alternating in one process, whole stores against scratch: 0.92 -> 0.79 ms.
        const whole = f0 + 8 <= F ? valid : F >= 4 && F < 8 ? (ox0 + valid == OW ? valid - 1 : valid) : 0;
        if (whole > 0) { v128.store(ob, a00); v128.store(ob, a01, 16); }
        if (whole > 1) { v128.store(ob + pix, a10); v128.store(ob + pix, a11, 16); }
        if (whole > 2) { v128.store(ob + 2 * pix, a20); v128.store(ob + 2 * pix, a21, 16); }
        if (whole > 3) { v128.store(ob + 3 * pix, a30); v128.store(ob + 3 * pix, a31, 16); }
        if (whole < valid) {
          v128.store(tmp, a00); v128.store(tmp, a01, 16); v128.store(tmp, a10, 32); v128.store(tmp, a11, 48);
          v128.store(tmp, a20, 64); v128.store(tmp, a21, 80); v128.store(tmp, a30, 96); v128.store(tmp, a31, 112);
          const nf = F - f0;
          for (let pp = whole; pp < valid; pp++) for (let f = 0; f < nf; f++) store<f32>(ob + <usize>pp * pix + <usize>f * 4, load<f32>(tmp + <usize>(pp * 8 + f) * 4));
        }
      }
    }
    if (++oy == OH) { oy = 0; n++; }
  }
}

/**
 * Filter gradient of a few-channel convolution for images [n0, n1): acc[K4][F8] += sum over their
 * output pixels of xp(pixel, row k) * dy(pixel, 0..F8), 4 reduction rows x 8 filters per register
 * block, run along each output row. offs[k] is the byte offset of reduction row k = (ky*KW + kx)*C + c
 * from an output pixel's first input, (ky*dh*Wp + kx*dw)*C + c times 4 (hoisted out of the pixel
 * loop, 4 rows at a time). K4 = K rounded up to 4 (the padding rows' offsets are 0: their sums are
 * garbage the caller drops), dy read 8 filters wide (lanes past F are garbage too; the
 * caller pads dy by 8 floats). acc is the calling task's, zeroed by the caller.
 */
export function convFilterGradSmallC(xp: usize, Hp: i32, Wp: i32, C: i32, sh: i32, sw: i32, dy: usize, F: i32, offs: usize, K4: i32,
  OH: i32, OW: i32, n0: i32, n1: i32, acc: usize): void {
  const F8 = (F + 7) & ~7;
  const colB = <usize>(sw * C) * 4, dyPix = <usize>F * 4;
  const zero = f32x4.splat(0);
  for (let n = n0; n < n1; n++) {
    for (let oy = 0; oy < OH; oy++) {
      const rowIn = xp + <usize>((n * Hp + oy * sh) * Wp * C) * 4;
      const dyRow = dy + <usize>((n * OH + oy) * OW) * dyPix;
      for (let k0 = 0; k0 < K4; k0 += 4) {
        const o0 = <usize>load<i32>(offs + <usize>k0 * 4), o1 = <usize>load<i32>(offs + <usize>k0 * 4, 4);
        const o2 = <usize>load<i32>(offs + <usize>k0 * 4, 8), o3 = <usize>load<i32>(offs + <usize>k0 * 4, 12);
        for (let f0 = 0; f0 < F8; f0 += 8) {
          let a00 = zero, a01 = zero, a10 = zero, a11 = zero, a20 = zero, a21 = zero, a30 = zero, a31 = zero;
          // One pointer per reduction row and an end pointer: few live values, so V8 keeps them all
          // in registers (a base pointer plus four offsets spilled: 2-5% slower).
          let q0 = rowIn + o0, q1 = rowIn + o1, q2 = rowIn + o2, q3 = rowIn + o3;
          let dp = dyRow + <usize>f0 * 4;
          const dend = dp + <usize>OW * dyPix;
          while (dp < dend) {
            const d0 = v128.load(dp), d1 = v128.load(dp, 16);
            let s = v128.load32_splat(q0);
            a00 = madd(s, d0, a00); a01 = madd(s, d1, a01);
            s = v128.load32_splat(q1);
            a10 = madd(s, d0, a10); a11 = madd(s, d1, a11);
            s = v128.load32_splat(q2);
            a20 = madd(s, d0, a20); a21 = madd(s, d1, a21);
            s = v128.load32_splat(q3);
            a30 = madd(s, d0, a30); a31 = madd(s, d1, a31);
            q0 += colB; q1 += colB; q2 += colB; q3 += colB; dp += dyPix;
          }
          const q = acc + <usize>(k0 * F8 + f0) * 4, row = <usize>F8 * 4;
          v128.store(q, f32x4.add(v128.load(q), a00)); v128.store(q, f32x4.add(v128.load(q, 16), a01), 16);
          v128.store(q + row, f32x4.add(v128.load(q + row), a10)); v128.store(q + row, f32x4.add(v128.load(q + row, 16), a11), 16);
          v128.store(q + 2 * row, f32x4.add(v128.load(q + 2 * row), a20)); v128.store(q + 2 * row, f32x4.add(v128.load(q + 2 * row, 16), a21), 16);
          v128.store(q + 3 * row, f32x4.add(v128.load(q + 3 * row), a30)); v128.store(q + 3 * row, f32x4.add(v128.load(q + 3 * row, 16), a31), 16);
        }
      }
    }
  }
}
