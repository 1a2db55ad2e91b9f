#!/usr/bin/env python3
"""Records GPU matrix-unit results on the device (issue #13): mma.sync through mma_probe.cu,
wgmma through Triton, and torch._scaled_mm with and without fast accumulation.

    python3 record.py OUTDIR            (needs nvcc, a Hopper GPU, numpy, torch, triton)

Every set is a folder OUTDIR/<name>/ with a.npy (M x K codes), b.npy (N x K codes: row j is
column j of B), c.npy and d.npy (M x N codes of the accumulator type; c absent when the path
takes none), and meta.json (the instruction, the formats, K, how the data were drawn). For
mma.sync, tile t covers rows 16t..16t+15 and columns 8t..8t+7 of the stored matrices: each
set's a.npy is (16 * tiles) x K, b.npy (8 * tiles) x K, and c/d hold one 16 x 8 block per
tile, stacked: (16 * tiles) x 8. Before recording, every path is checked on small integers,
where every rounding rule gives the exact sum, so a wrong fragment layout cannot go unseen.
"""
import json
import os
import subprocess
import sys

import numpy as np
import torch

OUT = sys.argv[1]
HERE = os.path.dirname(os.path.abspath(__file__))
PROBE = os.path.join(OUT, "mma_probe")
rng = np.random.default_rng(20261203)
meta_common = {"gpu": torch.cuda.get_device_name(0), "torch": torch.__version__,
               "cuda": torch.version.cuda}

F8 = {"e4m3": torch.float8_e4m3fn, "e5m2": torch.float8_e5m2}


def values(codes, fmt):
    t = torch.from_numpy(np.ascontiguousarray(codes))
    if fmt in F8:
        return t.view(F8[fmt]).double().numpy()
    if fmt == "f16":
        return t.view(torch.float16).double().numpy()
    if fmt == "bf16":
        return t.view(torch.bfloat16).double().numpy()
    if fmt in ("f32", "tf32"):
        return t.view(torch.float32).double().numpy()
    raise ValueError(fmt)


def codes_of(x, fmt):
    t = torch.from_numpy(np.asarray(x, dtype=np.float64))
    if fmt in F8:
        return t.to(F8[fmt]).view(torch.uint8).numpy()
    if fmt == "f16":
        return t.to(torch.float16).view(torch.int16).numpy().view(np.uint16)
    if fmt == "bf16":
        return t.to(torch.bfloat16).view(torch.int16).numpy().view(np.uint16)
    if fmt == "f32":
        return t.to(torch.float32).view(torch.int32).numpy().view(np.uint32)
    if fmt == "tf32":  # RNE to 10 fraction bits, as a binary32 pattern
        u = t.to(torch.float32).view(torch.int32).numpy().view(np.uint32).astype(np.uint64)
        u = (u + 0xfff + ((u >> 13) & 1)) & ~np.uint64(0x1fff)
        return u.astype(np.uint32)
    raise ValueError(fmt)


def finite_codes(fmt, n, allow_special=False):
    """Uniform over the codes: every exponent (subnormals included) equally likely."""
    if fmt == "tf32":  # every exponent and sign equally likely, 10 fraction bits
        c = (rng.integers(0, 1 << 19, size=n, dtype=np.uint64) << 13).astype(np.uint32)
        v = values(c, fmt)
        c[~np.isfinite(v)] = 0
        return c
    bits = 8 if fmt in F8 else 16
    c = rng.integers(0, 1 << bits, size=n, dtype=np.uint64).astype(np.uint8 if bits == 8 else np.uint16)
    if allow_special:
        return c
    v = values(c, fmt)
    bad = ~np.isfinite(v)
    while bad.any():
        c[bad] = rng.integers(0, 1 << bits, size=int(bad.sum()), dtype=np.uint64)
        v = values(c, fmt)
        bad = ~np.isfinite(v)
    return c


def wide_c(n, acc, lo=-140, hi=20, zero=0.1):
    """Addends with exponents uniform in [lo, hi] (fp32: subnormals below -126), random sign,
    random significand; a fraction `zero` are +0."""
    if acc == "f16":
        lo, hi = max(lo, -24), min(hi, 15)
    e = rng.integers(lo, hi + 1, size=n)
    x = np.ldexp(rng.uniform(1, 2, size=n), e) * rng.choice([-1, 1], size=n)
    x[rng.uniform(size=n) < zero] = 0
    return codes_of(x, acc)


def stress_rows(fmt, rows, k):
    """Cancellation, alignment and subnormal rows of A with matching rows of B (one kind per row)."""
    a = finite_codes(fmt, rows * k).reshape(rows, k)
    b = finite_codes(fmt, rows * k).reshape(rows, k)
    av, bv = values(a, fmt), values(b, fmt)
    for r in range(rows):
        kind = r % 4
        if kind == 0:  # cancellation: pairs of equal and opposite products plus a small residue
            av[r, 1::2] = -av[r, 0::2]
            bv[r, 1::2] = bv[r, 0::2]
            av[r, -1] = av[r, -1] * 2.0 ** -6
        elif kind == 1:  # one large product, the rest 2^-8 .. 2^-20 below it
            av[r] = np.abs(av[r]) * rng.choice([-1, 1], size=k)
            scale = 2.0 ** -rng.integers(8, 21, size=k)
            scale[0] = 1
            av[r] = av[r] * scale
        elif kind == 2:  # subnormal operands
            av[r] = av[r] * 2.0 ** -rng.integers(6, 12, size=k)
        # kind 3: uniform codes as drawn
    return codes_of(av, fmt), codes_of(bv, fmt)


def save(name, meta, **arrays):
    d = os.path.join(OUT, name)
    os.makedirs(d, exist_ok=True)
    for k, v in arrays.items():
        np.save(os.path.join(d, k + ".npy"), np.ascontiguousarray(v))
    with open(os.path.join(d, "meta.json"), "w") as f:
        json.dump({**meta_common, **meta}, f, indent=1)
    print("recorded", name, {k: v.shape for k, v in arrays.items()}, flush=True)


# ---------------------------------------------------------------- mma.sync (mma_probe.cu)
def run_probe(kind, a, b, c, chain):
    """a: (16 tiles) x K, b: (8 tiles) x K, c: (16 tiles) x 8 -> d like c."""
    tiles = a.shape[0] // 16
    d = os.path.join(OUT, "tmp")
    os.makedirs(d, exist_ok=True)
    a.tofile(os.path.join(d, "a.bin"))
    b.tofile(os.path.join(d, "b.bin"))
    c.tofile(os.path.join(d, "c.bin"))
    subprocess.run([PROBE, kind, str(tiles), str(chain), d], check=True)
    return np.fromfile(os.path.join(d, "d.bin"), dtype=c.dtype).reshape(c.shape)


def tile_exact(av, bv, cv):
    tiles = av.shape[0] // 16
    out = np.zeros_like(cv)
    for t in range(tiles):
        out[16 * t:16 * t + 16] = av[16 * t:16 * t + 16] @ bv[8 * t:8 * t + 8].T + cv[16 * t:16 * t + 16]
    return out


def small_int_check(kind, ta, tb, acc, kinst):
    tiles, chain = 4, 3
    k = kinst * chain
    a = codes_of(rng.integers(-4, 5, size=(16 * tiles, k)), ta)
    b = codes_of(rng.integers(-4, 5, size=(8 * tiles, k)), tb)
    c = codes_of(rng.integers(-64, 65, size=(16 * tiles, 8)), acc)
    d = run_probe(kind, a, b, c, chain)
    want = tile_exact(values(a, ta), values(b, tb), values(c, acc))
    if not np.array_equal(values(d, acc), want):
        bad = np.argwhere(values(d, acc) != want)
        sys.exit(f"layout check failed for {kind}: {len(bad)} wrong, first {bad[0]} got "
                 f"{values(d, acc)[tuple(bad[0])]} want {want[tuple(bad[0])]}")
    print("layout check passed:", kind, flush=True)


def mma_sets():
    subprocess.run(["nvcc", "-O2", "-arch=sm_90a", "-o", PROBE, os.path.join(HERE, "mma_probe.cu")], check=True)
    eight = [("e4m3", "e4m3", "f32"), ("e4m3", "e5m2", "f32"), ("e5m2", "e4m3", "f32"), ("e5m2", "e5m2", "f32"),
             ("e4m3", "e4m3", "f16"), ("e5m2", "e5m2", "f16")]
    sixteen = [("f16", "f16", "f32"), ("bf16", "bf16", "f32"), ("f16", "f16", "f16"), ("tf32", "tf32", "f32")]
    for ta, tb, acc in eight + sixteen:
        kind = f"{ta}.{tb}.{acc}"
        kinst = 32 if ta in F8 else 8 if ta == "tf32" else 16
        small_int_check(kind, ta, tb, acc, kinst)
        instr = f"mma.sync.aligned.m16n8k{kinst}.row.col.{acc}.{ta}.{tb}.{acc}"
        tiles = 64
        # wide: uniform codes, addends over a wide exponent range
        a = finite_codes(ta, 16 * tiles * kinst).reshape(16 * tiles, kinst)
        b = finite_codes(tb, 8 * tiles * kinst).reshape(8 * tiles, kinst)
        c = wide_c(16 * tiles * 8, acc).reshape(16 * tiles, 8)
        save(f"mma_sync_{ta}_{tb}_{acc}_wide", {"instr": instr, "a": ta, "b": tb, "acc": acc, "k": kinst,
             "tiles": tiles, "data": "uniform codes; c exponent uniform in [-140, 20] (f16: [-24, 15]), 10% zero"},
             a=a, b=b, c=c, d=run_probe(kind, a, b, c, 1))
        # c = 0 (the condition of the published Hopper FP8 rows)
        c0 = np.zeros_like(c)
        save(f"mma_sync_{ta}_{tb}_{acc}_c0", {"instr": instr, "a": ta, "b": tb, "acc": acc, "k": kinst,
             "tiles": tiles, "data": "the wide set's a and b with c = 0"}, a=a, b=b, c=c0, d=run_probe(kind, a, b, c0, 1))
        # stress: cancellation / alignment / subnormal rows, addends near the products
        a, _ = stress_rows(ta, 16 * tiles, kinst)
        _, b = stress_rows(tb, 8 * tiles, kinst)
        c = wide_c(16 * tiles * 8, acc, lo=-30, hi=10).reshape(16 * tiles, 8)
        save(f"mma_sync_{ta}_{tb}_{acc}_stress", {"instr": instr, "a": ta, "b": tb, "acc": acc, "k": kinst,
             "tiles": tiles, "data": "rows r mod 4: 0 cancelling pairs, 1 one large product, 2 subnormal, 3 uniform; "
             "c exponent in [-30, 10]"}, a=a, b=b, c=c, d=run_probe(kind, a, b, c, 1))
        # specials: NaN / inf codes in the operands and c
        if acc == "f32" and ta == tb:
            t8 = 8
            a = finite_codes(ta, 16 * t8 * kinst, allow_special=True).reshape(16 * t8, kinst)
            b = finite_codes(tb, 8 * t8 * kinst).reshape(8 * t8, kinst)
            c = wide_c(16 * t8 * 8, acc).reshape(16 * t8, 8)
            c[::7, ::3] = codes_of(np.array([np.inf]), acc)[0]
            c[::11, 1::4] = codes_of(np.array([-np.inf]), acc)[0]
            save(f"mma_sync_{ta}_{tb}_{acc}_specials", {"instr": instr, "a": ta, "b": tb, "acc": acc, "k": kinst,
                 "tiles": t8, "data": "a: every code (NaN/inf included); some c = +-inf"},
                 a=a, b=b, c=c, d=run_probe(kind, a, b, c, 1))
        # bf16 overflow: products near 2^127 .. 2^254
        if ta == "bf16":
            av = np.ldexp(rng.uniform(1, 2, size=(16 * tiles, kinst)), rng.integers(60, 128, size=(16 * tiles, kinst)))
            bv = np.ldexp(rng.uniform(1, 2, size=(8 * tiles, kinst)), rng.integers(60, 128, size=(8 * tiles, kinst)))
            av *= rng.choice([-1, 1], size=av.shape)
            a, b = codes_of(av, ta), codes_of(bv, tb)
            c = wide_c(16 * tiles * 8, acc, lo=100, hi=127).reshape(16 * tiles, 8)
            save(f"mma_sync_{ta}_{tb}_{acc}_overflow", {"instr": instr, "a": ta, "b": tb, "acc": acc, "k": kinst,
                 "tiles": tiles, "data": "products 2^120 .. 2^256, c 2^100 .. 2^127"},
                 a=a, b=b, c=c, d=run_probe(kind, a, b, c, 1))
        # chains over K (D of one instruction is C of the next), N(0,1) data
        if (ta, tb) in (("e4m3", "e4m3"), ("f16", "f16")):
            for k in (64, 256, 1024, 4096):
                t4 = 4
                a = codes_of(rng.normal(size=(16 * t4, k)), ta)
                b = codes_of(rng.normal(size=(8 * t4, k)), tb)
                c = wide_c(16 * t4 * 8, acc, lo=-4, hi=6).reshape(16 * t4, 8)
                save(f"mma_sync_{ta}_{tb}_{acc}_chain{k}", {"instr": instr, "a": ta, "b": tb, "acc": acc, "k": k,
                     "chain": k // kinst, "tiles": t4, "data": "N(0,1) rounded to the input format; c 2^-4 .. 2^6"},
                     a=a, b=b, c=c, d=run_probe(kind, a, b, c, k // kinst))


# ---------------------------------------------------------------- wgmma through Triton
def wgmma_sets():
    import triton
    import triton.language as tl

    @triton.jit
    def kern(A, B, C, D, K: tl.constexpr, BM: tl.constexpr, BN: tl.constexpr, BK: tl.constexpr,
             IMPRECISE: tl.constexpr):
        rm = tl.arange(0, BM)
        rn = tl.arange(0, BN)
        rk = tl.arange(0, BK)
        acc = tl.load(C + rm[:, None] * BN + rn[None, :])
        for k0 in range(0, K, BK):
            a = tl.load(A + rm[:, None] * K + (k0 + rk)[None, :])
            b = tl.load(B + rn[None, :] * K + (k0 + rk)[:, None])  # B stored N x K (K-major)
            acc = tl.dot(a, b, acc, max_num_imprecise_acc=IMPRECISE)
        tl.store(D + rm[:, None] * BN + rn[None, :], acc)

    BM = BN = 64
    for ta, tb in (("e4m3", "e4m3"), ("e5m2", "e5m2"), ("e4m3", "e5m2")):
        for k, data in ((32, "wide"), (32, "c0"), (32, "stress"), (128, "normal"), (1024, "normal"), (4096, "normal")):
            for imprecise in ((None, ) if k == 32 else (None, 32)):
                if data in ("wide", "c0"):
                    a = finite_codes(ta, BM * k).reshape(BM, k)
                    b = finite_codes(tb, BN * k).reshape(BN, k)
                    c = wide_c(BM * BN, "f32").reshape(BM, BN)
                    if data == "c0":
                        c[:] = 0
                elif data == "stress":
                    a, _ = stress_rows(ta, BM, k)
                    _, b = stress_rows(tb, BN, k)
                    c = wide_c(BM * BN, "f32", lo=-30, hi=10).reshape(BM, BN)
                else:
                    a = codes_of(rng.normal(size=(BM, k)), ta)
                    b = codes_of(rng.normal(size=(BN, k)), tb)
                    c = wide_c(BM * BN, "f32", lo=-4, hi=6).reshape(BM, BN)
                dev = lambda x, dt: torch.from_numpy(np.ascontiguousarray(x)).cuda().view(dt)
                At, Bt = dev(a, F8[ta]), dev(b, F8[tb])
                Ct = dev(c.view(np.int32), torch.float32)
                Dt = torch.empty_like(Ct)
                try:
                    h = kern[(1, )](At, Bt, Ct, Dt, K=k, BM=BM, BN=BN, BK=32, IMPRECISE=imprecise, num_warps=4)
                    torch.cuda.synchronize()
                except Exception as e:  # record what can be recorded; say why the rest is missing
                    print(f"wgmma {ta} x {tb} k={k} {data} failed: {e!r}"[:400], flush=True)
                    continue
                ptx = h.asm["ptx"]
                instrs = sorted({l.strip().split()[0] for l in ptx.splitlines() if "wgmma.mma_async" in l or "mma.sync" in l})
                name = f"wgmma_triton_{ta}_{tb}_f32_k{k}_{data}" + ("" if imprecise is None else f"_imprecise{imprecise}")
                save(name, {"instr": instrs, "a": ta, "b": tb, "acc": "f32", "k": k, "data": data,
                            "triton": triton.__version__, "max_num_imprecise_acc": imprecise,
                            "ptx_adds_after_wgmma": sum("add.f32" in l for l in ptx.splitlines())},
                     a=a, b=b, c=c, d=Dt.cpu().view(torch.int32).numpy().view(np.uint32))
                with open(os.path.join(OUT, name, "kernel.ptx"), "w") as f:
                    f.write(ptx)


# ---------------------------------------------------------------- torch._scaled_mm (cuBLASLt)
def scaled_mm_sets():
    M = N = 64
    one = torch.tensor(1.0, device="cuda")
    for k in (32, 128, 256, 1024, 4096):
        a = codes_of(rng.normal(size=(M, k)), "e4m3")
        b = codes_of(rng.normal(size=(N, k)), "e4m3")
        At = torch.from_numpy(a).cuda().view(torch.float8_e4m3fn)
        Bt = torch.from_numpy(b).cuda().view(torch.float8_e4m3fn)
        for fast in (True, False):
            try:
                D = torch._scaled_mm(At, Bt.t(), scale_a=one, scale_b=one, out_dtype=torch.float32, use_fast_accum=fast)
                torch.cuda.synchronize()
            except Exception as e:
                print(f"_scaled_mm k={k} fast={fast} failed: {e!r}"[:400], flush=True)
                continue
            save(f"scaled_mm_e4m3_e4m3_f32_k{k}_{'fast' if fast else 'precise'}",
                 {"instr": "torch._scaled_mm (cuBLASLt)", "a": "e4m3", "b": "e4m3", "acc": "f32", "k": k,
                  "use_fast_accum": fast, "data": "N(0,1) rounded to e4m3; scales 1; no C"},
                 a=a, b=b, d=D.cpu().view(torch.int32).numpy().view(np.uint32))


if __name__ == "__main__":
    os.makedirs(OUT, exist_ok=True)
    which = sys.argv[2:] or ["mma", "wgmma", "scaled_mm"]
    if "mma" in which:
        mma_sets()
    if "wgmma" in which:
        try:
            wgmma_sets()
        except Exception as e:  # record what could be recorded; say why the rest is missing
            print("wgmma sets failed:", repr(e), flush=True)
    if "scaled_mm" in which:
        try:
            scaled_mm_sets()
        except Exception as e:
            print("scaled_mm sets failed:", repr(e), flush=True)
    import shutil
    shutil.rmtree(os.path.join(OUT, "tmp"), ignore_errors=True)
    os.remove(PROBE) if os.path.exists(PROBE) else None
