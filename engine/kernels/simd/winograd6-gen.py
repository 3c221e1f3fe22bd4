#!/usr/bin/env python3
# Generates the one-dimensional Winograd transforms of kernels.as (between the WINOGRAD6-GENERATED
# markers) from exact rational matrices: F(4x4, 3x3) and F(2x2, 5x5) over the points 0, ±1, ±2, ∞.
# A^T and G follow the Toom-Cook construction (Lavin & Gray's matrices for 3x3); B^T is solved
# exactly so that A^T[(G g) * (B^T d)] is the correlation of d with g, and checked. Zeros are
# skipped and ±1 become adds. Run after changing it, then node engine/kernels/simd/build.mjs:
#   python3 engine/kernels/simd/winograd6-gen.py
from fractions import Fraction as Fr
import os
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
path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "kernels.as")
text = open(path).read()
begin, end = "// WINOGRAD6-GENERATED-BEGIN\n", "// WINOGRAD6-GENERATED-END"
i, j = text.index(begin) + len(begin), text.index(end)
open(path, "w").write(text[:i] + "\n".join(blocks) + "\n" + text[j:])
