// Activations that fused kernels apply after the matrix product, for those not folded into the GEMM
// epilogue (relu and linear are). Mirrors the stock cpu `applyActivation`.
export function applyActivation(x: Float32Array, activation: string, leakyAlpha = 0.2): Float32Array {
  const out = new Float32Array(x.length);
  switch (activation) {
    case 'linear': out.set(x); break;
    case 'relu': for (let i = 0; i < x.length; i++) out[i] = x[i]! < 0 ? 0 : x[i]!; break;
    case 'relu6': for (let i = 0; i < x.length; i++) out[i] = Math.min(Math.max(x[i]!, 0), 6); break;
    case 'elu': for (let i = 0; i < x.length; i++) { const v = x[i]!; out[i] = v >= 0 ? v : Math.exp(v) - 1; } break;
    case 'sigmoid': for (let i = 0; i < x.length; i++) out[i] = 1 / (1 + Math.exp(-x[i]!)); break;
    case 'leakyrelu': for (let i = 0; i < x.length; i++) { const v = x[i]!; out[i] = v < 0 ? leakyAlpha * v : v; } break;
    default: throw new Error(`Unsupported fused activation "${activation}"`);
  }
  return out;
}
