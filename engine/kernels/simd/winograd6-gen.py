#!/usr/bin/env python3
# Generates the one-dimensional Winograd transforms of kernels.as (between the WINOGRAD6-GENERATED
# markers) from exact rational matrices: F(4x4, 3x3) and F(2x2, 5x5) over the points 0, ±1, ±2, ∞,
# F(6x6, 3x3), F(4x4, 5x5) and F(2x2, 7x7) over those and ±1/2,
# and the stride-2 (polyphase) 3x3 transforms built on F(4, 2) over 0, ±1, 2, ∞ (see ws2 below).
# A^T and G follow the Toom-Cook construction (Lavin & Gray's matrices for 3x3); B^T is solved
# exactly so that A^T[(G g) * (B^T d)] is the correlation of d with g, and checked. Zeros are
# skipped and ±1 become adds. Run after changing it, then node engine/kernels/simd/build.mjs:
#   python3 engine/kernels/simd/winograd6-gen.py
from fractions import Fraction as Fr
import os
import random
def mats(m, r, pts=(0, 1, -1, 2, -2)):
    a = m + r - 1
    p = [Fr(x) for x in pts[:a-1]]
    AT = [[p[j]**i for j in range(a-1)] + [Fr(1 if i == m-1 else 0)] for i in range(m)]
    N = [1]*(a-1)
    for j in range(a-1):
        for l in range(a-1):
            if l != j: N[j] *= (p[j]-p[l])
    G = [[p[j]**k / N[j] for k in range(r)] for j in range(a-1)] + [[Fr(1 if k == r-1 else 0) for k in range(r)]]
    # Solve for BT column by column: sum_j AT[i][j] G[j][k] x_j = [l == i+k]
    BT = [[Fr(0)]*a for _ in range(a)]
    for l in range(a):
        rows = []; rhs = []
        for i in range(m):
            for k in range(r):
                rows.append([AT[i][j]*G[j][k] for j in range(a)]); rhs.append(Fr(1 if l == i+k else 0))
        # normal equations
        A = [[sum(rows[q][i]*rows[q][j] for q in range(len(rows))) for j in range(a)] for i in range(a)]
        b = [sum(rows[q][i]*rhs[q] for q in range(len(rows))) for i in range(a)]
        # gaussian elimination
        M = [A[i][:] + [b[i]] for i in range(a)]
        for c in range(a):
            piv = next(i for i in range(c, a) if M[i][c] != 0)
            M[c], M[piv] = M[piv], M[c]
            for i in range(a):
                if i != c and M[i][c] != 0:
                    f = M[i][c]/M[c][c]
                    M[i] = [M[i][q]-f*M[c][q] for q in range(a+1)]
        x = [M[i][a]/M[i][i] for i in range(a)]
        for q in range(len(rows)):
            assert sum(rows[q][j]*x[j] for j in range(a)) == rhs[q], (m, r, l)
        for j in range(a): BT[j][l] = x[j]
    return AT, G, BT
def lit(c):
    return f"<f32>{float(c)!r}"
def gen1d(name, Mx):
    # out[i] = sum_k M[i][k] in[k]; vectors loaded from s + k*ss, stored to d + i*ds
    n_in = len(Mx[0]); n_out = len(Mx)
    lines = [f"@inline function {name}(s: usize, ss: usize, d: usize, ds: usize): void {{"]
    lines.append("  " + " ".join(f"const x{k} = v128.load(s + {k} * ss);" for k in range(n_in)))
    for i in range(n_out):
        terms = [(Mx[i][k], k) for k in range(n_in) if Mx[i][k] != 0]
        expr = None
        for c, k in terms:
            if expr is None:
                expr = f"x{k}" if c == 1 else (f"f32x4.neg(x{k})" if c == -1 else f"f32x4.mul(f32x4.splat({lit(c)}), x{k})")
            elif c == 1: expr = f"f32x4.add({expr}, x{k})"
            elif c == -1: expr = f"f32x4.sub({expr}, x{k})"
            else: expr = f"madd(f32x4.splat({lit(c)}), x{k}, {expr})"
        if expr is None: expr = "f32x4.splat(0)"
        lines.append(f"  v128.store(d + {i} * ds, {expr});")
    lines.append("}")
    return "\n".join(lines)

blocks = []
for (m, r) in [(4, 3), (2, 5)]:
    AT, G, BT = mats(m, r)
    if m == 4:
        blocks.append(gen1d("w6bt", BT))
    else:
        assert BT == mats(4, 3)[2], "both sizes share B^T"
    blocks.append(gen1d(f"w6at{m}{r}", AT))
    blocks.append(gen1d(f"w6g{m}{r}", G))
    # The filter gradient's: A (the output gradient's transform) and G^T (back to the taps).
    blocks.append(gen1d(f"w6a{m}{r}", [list(col) for col in zip(*AT)]))
    blocks.append(gen1d(f"w6gt{m}{r}", [list(col) for col in zip(*G)]))
# 8x8 input tiles over 0, ±1, ±2, ±1/2, ∞ (Lavin & Gray's points for F(6x6, 3x3)), one B^T for all
# three sizes: F(6x6, 3x3) for maps that 4x4 output tiles cover badly (6x6 outputs: one 8x8 tile, 64
# products, against four 6x6 tiles, 144); F(2x2, 7x7), 64 products per 2x2 outputs where a direct
# 7x7 convolution takes 196; F(4x4, 5x5), 64 per 4x4 outputs where F(2x2, 5x5) takes 144.
POINTS8 = (0, 1, -1, 2, -2, Fr(1, 2), Fr(-1, 2))
BT8 = mats(6, 3, POINTS8)[2]
blocks.append(gen1d("w8bt", BT8))
for m, r in [(6, 3), (2, 7), (4, 5)]:
    AT, G, BT = mats(m, r, POINTS8)
    assert BT == BT8, f"F({m}x{m}, {r}x{r}) shares F(6x6, 3x3)'s B^T"
    blocks += [gen1d(f"w8at{m}{r}", AT), gen1d(f"w8g{m}{r}", G)]
    blocks += [gen1d(f"w8a{m}{r}", [list(col) for col in zip(*AT)]), gen1d(f"w8gt{m}{r}", [list(col) for col in zip(*G)])]
# Stride-2 3x3 convolutions, one dimension: y[u] = w0 x[2u] + w1 x[2u+1] + w2 x[2u+2] for m outputs
# splits into the even samples' 2-tap correlation with (w0, w2), F(m, 2) on x[0], x[2], ... x[2m] (m
# + 1 points), plus the odd samples times w1 (m points, the identity): 2m + 1 points for 2m + 1
# inputs, m outputs. The input gradient is its transpose (dx[2u] = w2 dy[u-1] + w0 dy[u], dx[2u+1] =
# w1 dy[u]: m + 1 dy values in, 2m dx values out), the filter gradient its other transpose (see
# winogradS2FilterGradJob).
Z = lambda rows, cols: [[Fr(0)] * cols for _ in range(rows)]
mul = lambda M, v: [sum(M[i][k] * v[k] for k in range(len(v))) for i in range(len(M))]
def stride2(m, pts):
    """The one-dimensional stride-2 transforms for m outputs (F(m, 2) over pts on the even samples)."""
    AT, G, BT = mats(m, 2, pts)
    E, P = m + 1, 2 * m + 1  # even points; all points (the odd samples' m pass through)
    fwd_bt, fwd_at, fwd_g = Z(P, P), Z(m, P), Z(P, 3)
    dx_bt, dx_at, dx_g = Z(P, m + 1), Z(2 * m, P), Z(P, 3)
    dw_a, dw_gt = Z(P, m), Z(3, E + 1)
    for j in range(E):
        for k in range(E):
            fwd_bt[j][2 * k] = BT[j][k]  # B^T on the even samples
            dx_bt[j][k] = BT[j][k]
        fwd_g[j][0], fwd_g[j][2] = G[j][0], G[j][1]  # (w0, w2)
        dx_g[j][2], dx_g[j][0] = G[j][0], G[j][1]  # (w2, w0): the taps flipped
        dw_gt[0][j], dw_gt[2][j] = G[j][0], G[j][1]
        for u in range(m):
            fwd_at[u][j] = AT[u][j]
            dx_at[2 * u][j] = AT[u][j]
            dw_a[j][u] = AT[u][j]
    for u in range(m):
        fwd_bt[E + u][2 * u + 1] = Fr(1)  # the odd samples pass through
        dx_bt[E + u][u + 1] = Fr(1)
        fwd_at[u][E + u] = Fr(1)
        dx_at[2 * u + 1][E + u] = Fr(1)
        dw_a[E + u][u] = Fr(1)
    for j in range(E, P):
        fwd_g[j][1] = dx_g[j][1] = Fr(1)
    dw_gt[1][E] = Fr(1)  # the odd points' products, already summed (one accumulator for the m)
    # Checked against the direct sums on exact integers.
    rng = random.Random(1)
    for _ in range(20):
        x = [Fr(rng.randint(-9, 9)) for _ in range(P)]; w = [Fr(rng.randint(-9, 9)) for _ in range(3)]
        y = mul(fwd_at, [a * b for a, b in zip(mul(fwd_bt, x), mul(fwd_g, w))])
        assert y == [w[0] * x[2 * u] + w[1] * x[2 * u + 1] + w[2] * x[2 * u + 2] for u in range(m)]
        e = x[:m + 1]  # dy[-1 .. m-1]
        dx = mul(dx_at, [a * b for a, b in zip(mul(dx_bt, e), mul(dx_g, w))])
        assert dx == [w[2] * e[v // 2] + w[0] * e[v // 2 + 1] if v % 2 == 0 else w[1] * e[v // 2 + 1] for v in range(2 * m)]
        dy = x[:m]
        prod = [a * b for a, b in zip(mul(fwd_bt, x), mul(dw_a, dy))]
        dw = mul(dw_gt, prod[:E] + [sum(prod[E:])])
        assert dw == [sum(dy[u] * x[2 * u + k] for u in range(m)) for k in range(3)]
    # The weights' m odd points are one and the same (w1): m + 2 distinct points per axis (and the
    # filter gradient adds the odd points' products into one accumulator).
    return fwd_bt, fwd_at, fwd_g[:E + 1], dx_bt, dx_at, dx_g[:E + 1], dw_a, dw_gt
# 4x4 output tiles (9 points per axis, 81 per tile) and, for small maps, 3x3 (7 points, 49 per tile:
# F(3, 2) over 0, ±1, ∞ on the even samples).
for prefix, m, pts in [("ws2", 4, (0, 1, -1, 2)), ("ws2x3", 3, (0, 1, -1))]:
    names = ["bt", "at", "g", "dbt", "dat", "dg", "a", "gt"]
    blocks += [gen1d(prefix + n, M) for n, M in zip(names, stride2(m, pts))]

path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "kernels.as")
text = open(path).read()
begin, end = "// WINOGRAD6-GENERATED-BEGIN\n", "// WINOGRAD6-GENERATED-END"
i, j = text.index(begin) + len(begin), text.index(end)
open(path, "w").write(text[:i] + "\n".join(blocks) + "\n" + text[j:])
