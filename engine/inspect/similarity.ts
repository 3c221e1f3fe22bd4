// Similarity of two maps, as in Adebayo et al.'s sanity checks: Spearman rank correlation,
// Pearson correlation and SSIM. Degenerate inputs are defined rather than NaN: two constant maps
// are identical (1) when equal, and a constant map against a varying one scores 0.

export function pearson(a: ArrayLike<number>, b: ArrayLike<number>): number {
  const n = a.length;
  if (n !== b.length) throw new Error(`pearson: lengths differ (${n} vs ${b.length}).`);
  if (n === 0) return 1;
  let ma = 0;
  let mb = 0;
  for (let i = 0; i < n; i++) {
    ma += a[i]!;
    mb += b[i]!;
  }
  ma /= n;
  mb /= n;
  let sab = 0;
  let saa = 0;
  let sbb = 0;
  for (let i = 0; i < n; i++) {
    const da = a[i]! - ma;
    const db = b[i]! - mb;
    sab += da * db;
    saa += da * da;
    sbb += db * db;
  }
  const eps = 1e-12;
  if (saa <= eps && sbb <= eps) return Math.abs(ma - mb) <= 1e-9 ? 1 : 0;
  if (saa <= eps || sbb <= eps) return 0;
  return Math.max(-1, Math.min(1, sab / Math.sqrt(saa * sbb)));
}

/** Ranks 1..n with ties given their average rank. */
export function ranks(values: ArrayLike<number>): Float64Array {
  const order = Array.from({ length: values.length }, (_, i) => i).sort((i, j) => values[i]! - values[j]!);
  const out = new Float64Array(values.length);
  for (let s = 0; s < order.length; ) {
    let e = s;
    while (e + 1 < order.length && values[order[e + 1]!] === values[order[s]!]) e++;
    const r = (s + e) / 2 + 1;
    for (let i = s; i <= e; i++) out[order[i]!] = r;
    s = e + 1;
  }
  return out;
}

export function spearman(a: ArrayLike<number>, b: ArrayLike<number>): number {
  return pearson(ranks(a), ranks(b));
}

/**
 * Mean SSIM (Wang et al., 2004) over win × win windows (7, or the map's size when smaller), data
 * range 1, sample covariance: what skimage.metrics.structural_similarity computes.
 */
export function ssim(a: ArrayLike<number>, b: ArrayLike<number>, h: number, w: number, dataRange = 1): number {
  let win = Math.min(7, h, w);
  if (win % 2 === 0) win -= 1;
  const c1 = (0.01 * dataRange) ** 2;
  const c2 = (0.03 * dataRange) ** 2;
  const np = win * win;
  const cov = np > 1 ? np / (np - 1) : 1;
  let total = 0;
  let count = 0;
  for (let y = 0; y + win <= h; y++) {
    for (let x = 0; x + win <= w; x++) {
      let ma = 0;
      let mb = 0;
      for (let dy = 0; dy < win; dy++) for (let dx = 0; dx < win; dx++) {
        ma += a[(y + dy) * w + x + dx]!;
        mb += b[(y + dy) * w + x + dx]!;
      }
      ma /= np;
      mb /= np;
      let va = 0;
      let vb = 0;
      let vab = 0;
      for (let dy = 0; dy < win; dy++) for (let dx = 0; dx < win; dx++) {
        const da = a[(y + dy) * w + x + dx]! - ma;
        const db = b[(y + dy) * w + x + dx]! - mb;
        va += da * da;
        vb += db * db;
        vab += da * db;
      }
      va = (va / np) * cov;
      vb = (vb / np) * cov;
      vab = (vab / np) * cov;
      total += ((2 * ma * mb + c1) * (2 * vab + c2)) / ((ma * ma + mb * mb + c1) * (va + vb + c2));
      count++;
    }
  }
  return count ? total / count : 1;
}
