// An LSTM layer over a whole sequence as two kernels, forward and backward through time, instead of
// tfjs-layers' dozen small ops per timestep (about 3,300 kernel calls per training step of the LSTM
// template, each costing more to dispatch than to compute). The products run on the SIMD kernels'
// matrix product (the inputs' products for every timestep at once, the recurrent one per step; the
// weight gradients once, over every timestep, in fixed chunks: the same bits on any thread count);
// the gates in JavaScript. Keras's gate order (input, forget, cell, output), zero initial states.
import { simd } from './simd/runtime';
import { gemm, gemmReduceK } from './gemm';

export interface LstmShape {
  /** Batch, timesteps, input features, units. */
  N: number; T: number; D: number; U: number;
  /** Recurrent activation: hard sigmoid (tfjs-layers' default) or sigmoid. */
  hard: boolean;
}

const hardSigmoid = (z: number): number => Math.min(1, Math.max(0, 0.2 * z + 0.5));
const sigmoid = (z: number): number => 1 / (1 + Math.exp(-z));

/** The recurrent activation's derivative from its output a (hard sigmoid: 0.2 inside its ramp). */
const recurrentSlope = (a: number, hard: boolean): number => (hard ? (a > 0 && a < 1 ? 0.2 : 0) : a * (1 - a));

/**
 * The LSTM's outputs for x [N, T, D], kernel [D, 4U], recurrent kernel [U, 4U], bias [4U] (or
 * null): every h [N, T, U] (`sequences`) or the last [N, U]; and, for the gradient, the activated
 * gates [T, N, 4U] and the cell states [T, N, U].
 */
export function lstmForward(s: LstmShape, x: Float32Array, kernel: Float32Array, recurrent: Float32Array, bias: Float32Array | null, sequences: boolean):
  { y: Float32Array; gates: Float32Array; cells: Float32Array } {
  const { N, T, D, U, hard } = s, G = 4 * U;
  const act = hard ? hardSigmoid : sigmoid;
  const rt = simd();
  rt.reset();
  const px = rt.put(x), pk = rt.put(kernel), pr = rt.put(recurrent), pb = bias ? rt.put(bias) : 0;
  // x·W + b for every (n, t) at once: row n·T + t.
  const xw = rt.alloc(N * T * G);
  gemm(rt, N * T, G, D, { addr: px, rs: D, cs: 1 }, { addr: pk, rs: G, cs: 1 }, xw, G, pb ? { bias: pb } : {});
  const h = rt.alloc(N * U), z = rt.alloc(N * G);
  rt.zero(h, N * U);
  const c = new Float64Array(N * U);
  const gates = new Float32Array(T * N * G), cells = new Float32Array(T * N * U);
  const y = new Float32Array(sequences ? N * T * U : N * U);
  for (let t = 0; t < T; t++) {
    let f = rt.f32;
    for (let n = 0; n < N; n++) f.copyWithin((z >> 2) + n * G, (xw >> 2) + (n * T + t) * G, (xw >> 2) + (n * T + t + 1) * G);
    gemm(rt, N, G, U, { addr: h, rs: U, cs: 1 }, { addr: pr, rs: G, cs: 1 }, z, G, { accumulate: true });
    f = rt.f32; // the product may have grown the memory
    const z0 = z >> 2, h0 = h >> 2;
    for (let n = 0; n < N; n++) {
      const row = z0 + n * G, g0 = (t * N + n) * G;
      for (let j = 0; j < U; j++) {
        const i = act(f[row + j]!), fg = act(f[row + U + j]!), g = Math.tanh(f[row + 2 * U + j]!), o = act(f[row + 3 * U + j]!);
        const cell = fg * c[n * U + j]! + i * g;
        c[n * U + j] = cell;
        const hv = o * Math.tanh(cell);
        f[h0 + n * U + j] = hv;
        gates[g0 + j] = i; gates[g0 + U + j] = fg; gates[g0 + 2 * U + j] = g; gates[g0 + 3 * U + j] = o;
        cells[(t * N + n) * U + j] = cell;
        if (sequences) y[(n * T + t) * U + j] = hv;
        else if (t === T - 1) y[n * U + j] = hv;
      }
    }
  }
  return { y, gates, cells };
}

/**
 * Gradients of lstmForward for dy (shaped as its y): dx [N, T, D], dkernel [D, 4U], drecurrent
 * [U, 4U], dbias [4U], backward through time from the saved gates and cell states.
 */
export function lstmBackward(s: LstmShape, dy: Float32Array, x: Float32Array, kernel: Float32Array, recurrent: Float32Array, gates: Float32Array, cells: Float32Array, sequences: boolean):
  { dx: Float32Array; dkernel: Float32Array; drecurrent: Float32Array; dbias: Float32Array } {
  const { N, T, D, U, hard } = s, G = 4 * U;
  const rt = simd();
  rt.reset();
  const px = rt.put(x), pk = rt.put(kernel), pr = rt.put(recurrent);
  // Per (n, t), row n·T + t: the gates' pre-activation gradients and the previous h.
  const dz = rt.alloc(N * T * G), hPrev = rt.alloc(N * T * U), dzt = rt.alloc(N * G), dhRec = rt.alloc(N * U);
  const dx = rt.alloc(N * T * D), dk = rt.alloc(D * G), dr = rt.alloc(U * G);
  let f = rt.f32;
  for (let n = 0; n < N; n++) {
    for (let t = 0; t < T; t++) {
      for (let j = 0; j < U; j++) {
        f[(hPrev >> 2) + (n * T + t) * U + j] = t === 0 ? 0 : gates[((t - 1) * N + n) * G + 3 * U + j]! * Math.tanh(cells[((t - 1) * N + n) * U + j]!);
      }
    }
  }
  const dhNext = new Float64Array(N * U), dcNext = new Float64Array(N * U);
  for (let t = T - 1; t >= 0; t--) {
    f = rt.f32;
    for (let n = 0; n < N; n++) {
      const g0 = (t * N + n) * G;
      for (let j = 0; j < U; j++) {
        const k = n * U + j;
        const dh = dhNext[k]! + (sequences ? dy[(n * T + t) * U + j]! : t === T - 1 ? dy[k]! : 0);
        const i = gates[g0 + j]!, fg = gates[g0 + U + j]!, g = gates[g0 + 2 * U + j]!, o = gates[g0 + 3 * U + j]!;
        const tc = Math.tanh(cells[(t * N + n) * U + j]!);
        const cPrev = t === 0 ? 0 : cells[((t - 1) * N + n) * U + j]!;
        const dc = dcNext[k]! + dh * o * (1 - tc * tc);
        dcNext[k] = dc * fg;
        const row = (dzt >> 2) + n * G, all = (dz >> 2) + (n * T + t) * G;
        const di = dc * g * recurrentSlope(i, hard), df = dc * cPrev * recurrentSlope(fg, hard);
        const dg = dc * i * (1 - g * g), dout = dh * tc * recurrentSlope(o, hard);
        f[row + j] = f[all + j] = di;
        f[row + U + j] = f[all + U + j] = df;
        f[row + 2 * U + j] = f[all + 2 * U + j] = dg;
        f[row + 3 * U + j] = f[all + 3 * U + j] = dout;
      }
    }
    if (t === 0) break;
    // dh of the previous step: dz_t · recurrentᵀ.
    gemm(rt, N, U, G, { addr: dzt, rs: G, cs: 1 }, { addr: pr, rs: 1, cs: G }, dhRec, U);
    f = rt.f32;
    for (let k = 0; k < N * U; k++) dhNext[k] = f[(dhRec >> 2) + k]!;
  }
  // Over every timestep at once: dx = dz · kernelᵀ, dkernel = xᵀ · dz, drecurrent = h_prevᵀ · dz.
  gemm(rt, N * T, D, G, { addr: dz, rs: G, cs: 1 }, { addr: pk, rs: 1, cs: G }, dx, D);
  gemmReduceK(rt, D, G, N * T, { addr: px, rs: 1, cs: D }, { addr: dz, rs: G, cs: 1 }, dk);
  gemmReduceK(rt, U, G, N * T, { addr: hPrev, rs: 1, cs: U }, { addr: dz, rs: G, cs: 1 }, dr);
  f = rt.f32;
  const dbias = new Float32Array(G);
  const acc = new Float64Array(G);
  for (let r = 0; r < N * T; r++) for (let q = 0; q < G; q++) acc[q]! += f[(dz >> 2) + r * G + q]!;
  dbias.set(acc);
  return { dx: rt.view(dx, N * T * D).slice(), dkernel: rt.view(dk, D * G).slice(), drecurrent: rt.view(dr, U * G).slice(), dbias };
}
