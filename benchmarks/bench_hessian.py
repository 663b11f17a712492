"""Hessian and landscape benchmark: prunekd against PyHessian, SciPy `eigsh` and loss-landscapes, on one model and batch,
in one process (spec/analysis.md §5.3).

    bash benchmarks/setup_bench_env.sh          # .venv-bench with pyhessian==0.1 and loss-landscapes==3.0.6
    .venv-bench/bin/python benchmarks/bench_hessian.py [--repeats 3] [--threads 1]

Setup (as spec/analysis.md §3): a CIFAR-style ResNet-20 (option-A shortcuts, 269,434 parameters, 1 input channel) trained
3 epochs on 5,000 real Fashion-MNIST images average-pooled to 8x8; the Hessian batch is 256 other training images,
eval-mode BatchNorm, one intra-op thread. HVP counts are the machine-independent figures; times are medians of
`--repeats` runs interleaved round-robin across methods (the CPU is shared, single runs swing by up to 2x).

Goals (issue 5):
  (a) lambda_max: no more HVPs than PyHessian, relative error <= 1e-5 against a float64 reference;
  (b) both ends: at most 0.8x the HVPs of eigsh 'BE' (k=2), condition-number error <= 1e-4;
  (c) 21x21 grid: at most 1.1x the time of the fastest of {loss-landscapes planar_interpolation, plain loop},
      with the exact grid.
"""
import argparse, copy, statistics, time, sys
import numpy as np
import torch
import torch.nn.functional as F
import scipy.sparse.linalg
from prunekd.data import load_dataset, train_val_split, sample_random
from prunekd.models import get_model
from prunekd.hessian import HessianOperator, lanczos, eigsh_extremes
from prunekd.landscape import random_direction, loss_landscape, grid_coords


def data_8x8(n, seed):
    "n real Fashion-MNIST training images, normalised, average-pooled to 8x8 (uint8 -> float [n, 1, 8, 8])."
    full = train_val_split(load_dataset('fashion_mnist'), 0.1, seed=0)[0]
    d = sample_random(full, n, seed=seed)
    x = (d.images.float() / 255 - 0.2860) / 0.3530
    return F.adaptive_avg_pool2d(x, 8), d.labels


def train(model, x, y, epochs=3, bs=128, lr=0.1):
    opt = torch.optim.SGD(model.parameters(), lr=lr, momentum=0.9, weight_decay=5e-4)
    g = torch.Generator().manual_seed(0)
    model.train()
    for _ in range(epochs):
        perm = torch.randperm(len(x), generator=g)
        for i in range(0, len(x), bs):
            idx = perm[i:i+bs]
            loss = F.cross_entropy(model(x[idx]), y[idx]); opt.zero_grad(); loss.backward(); opt.step()
    return model.eval()


def med(xs): return statistics.median(xs)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--repeats', type=int, default=3)
    ap.add_argument('--threads', type=int, default=1)
    ap.add_argument('--steps', type=int, default=21, help='grid points per axis')
    ap.add_argument('--skip-grid', action='store_true')
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    import pyhessian.hessian
    ph = sys.modules['pyhessian.hessian']          # the package re-exports the class under the module's name
    import loss_landscapes, loss_landscapes.metrics
    print(f"torch {torch.__version__}, PyHessian 0.1, loss-landscapes {getattr(loss_landscapes, '__version__', '3.0.6')}, threads {a.threads}")

    torch.manual_seed(0)
    xt, yt = data_8x8(5000, seed=0)
    model = train(get_model('resnet20', in_chans=1, num_classes=10), xt, yt)
    xb, yb = data_8x8(256, seed=1)
    n_params = sum(p.numel() for p in model.parameters())
    with torch.no_grad(): print(f"ResNet-20, {n_params:,} parameters; Hessian batch 256 images 8x8; loss {F.cross_entropy(model(xb), yb).item():.4f}")

    # float64 reference (both ends)
    t = time.perf_counter()
    op64 = HessianOperator(model, (xb, yb), dtype=torch.float64)
    ref_min, ref_max = eigsh_extremes(op64, 'BE', k=2, tol=1e-10)
    print(f"float64 reference (eigsh 'BE', tol 1e-10, {op64.n_hvp} HVPs, {time.perf_counter() - t:.0f} s): "
          f"lambda_max {ref_max:.8f}, lambda_min {ref_min:.8f}, CN {abs(ref_min / ref_max):.6f}")

    # ---- (a) lambda_max
    counter = {'n': 0}
    raw_hvp = ph.hessian_vector_product
    def counted(*args, **kw):
        counter['n'] += 1; return raw_hvp(*args, **kw)
    ph.hessian_vector_product = counted
    def run_pyhessian(seed):
        torch.manual_seed(seed); counter['n'] = 0
        hc = ph.hessian(copy.deepcopy(model), torch.nn.CrossEntropyLoss(), data=(xb, yb), cuda=False)
        ev, _ = hc.eigenvalues(top_n=1, maxIter=100, tol=1e-3)
        return ev[0], counter['n']
    def run_ours(seed):
        op = HessianOperator(model, (xb, yb))
        r = lanczos(op, 'largest', tol=1e-5, min_steps=5, seed=seed)
        return r['largest'][0], r['n_hvp']
    def run_ours4(seed):
        op = HessianOperator(model, (xb, yb))
        r = lanczos(op, 'largest', tol=1e-4, min_steps=5, seed=seed)
        return r['largest'][0], r['n_hvp']
    rows = {'PyHessian eigenvalues(top_n=1, tol=1e-3)': run_pyhessian, "prunekd lanczos('largest', tol=1e-5, min_steps=5)": run_ours,
            "prunekd lanczos('largest', tol=1e-4, min_steps=5)": run_ours4}
    res = {k: {'t': [], 'v': [], 'n': []} for k in rows}
    for rep in range(a.repeats):
        for k, f in rows.items():
            t = time.perf_counter(); v, n = f(rep); res[k]['t'].append(time.perf_counter() - t); res[k]['v'].append(v); res[k]['n'].append(n)
    print("\n(a) lambda_max, one batch of 256, eval BN")
    print("| method | HVPs (per repeat) | median s | rel. error vs float64 (per repeat) |\n|---|---|---|---|")
    for k, r in res.items():
        errs = [abs(v - ref_max) / abs(ref_max) for v in r['v']]
        print(f"| {k} | {r['n']} | {med(r['t']):.2f} | {', '.join(f'{e:.1e}' for e in errs)} |")
    theirs = res[list(rows)[0]]
    for k in list(rows)[1:]:
        ours = res[k]; err = max(abs(v - ref_max) / abs(ref_max) for v in ours['v'])
        print(f"{k}: HVPs median {med(ours['n'])} vs PyHessian median {med(theirs['n'])} (per repeat {ours['n']} vs {theirs['n']}); "
              f"'no more HVPs' (median) {'met' if med(ours['n']) <= med(theirs['n']) else 'NOT met'}; "
              f"error {err:.1e} (goal <= 1e-5 {'met' if err <= 1e-5 else 'NOT met'}); time ratio to PyHessian {med(ours['t']) / med(theirs['t']):.2f}")

    # ---- (b) both ends
    def run_eigsh(seed):
        op = HessianOperator(model, (xb, yb)); v = eigsh_extremes(op, 'BE', k=2, tol=1e-3, seed=seed)
        return v[0], v[1], op.n_hvp
    def run_both(seed):
        op = HessianOperator(model, (xb, yb)); r = lanczos(op, 'both', tol=1e-4, min_steps=20, seed=seed)
        return r['smallest'][0], r['largest'][0], r['n_hvp']
    rows = {"scipy eigsh 'BE' k=2 tol=1e-3": run_eigsh, "prunekd lanczos('both', tol=1e-4, min_steps=20)": run_both}
    res = {k: {'t': [], 'v': [], 'n': []} for k in rows}
    for rep in range(a.repeats):
        for k, f in rows.items():
            t = time.perf_counter(); lo, hi, n = f(rep); res[k]['t'].append(time.perf_counter() - t); res[k]['v'].append((lo, hi)); res[k]['n'].append(n)
    ref_cn = abs(ref_min / ref_max)
    print("\n(b) both ends (lambda_min, lambda_max) and CN = |lambda_min / lambda_max|")
    print("| method | HVPs | median s | lambda_max rel. err | lambda_min err / lambda_max | CN rel. err |\n|---|---|---|---|---|---|")
    for k, r in res.items():
        e_max = max(abs(hi - ref_max) / abs(ref_max) for lo, hi in r['v'])
        e_min = max(abs(lo - ref_min) / abs(ref_max) for lo, hi in r['v'])
        e_cn = max(abs(abs(lo / hi) - ref_cn) / ref_cn for lo, hi in r['v'])
        print(f"| {k} | {r['n']} | {med(r['t']):.2f} | {e_max:.1e} | {e_min:.1e} | {e_cn:.1e} |")
    ours, theirs = res[list(rows)[1]], res[list(rows)[0]]
    ratio = med(ours['n']) / med(theirs['n'])
    e_cn = max(abs(abs(lo / hi) - ref_cn) / ref_cn for lo, hi in ours['v'])
    print(f"HVP ratio prunekd / eigsh 'BE' {ratio:.2f} (goal <= 0.8: {'met' if ratio <= 0.8 else 'NOT met'}); "
          f"CN error {e_cn:.1e} (goal <= 1e-4: {'met' if e_cn <= 1e-4 else 'NOT met'})")

    # per-HVP overhead against a raw graph-reusing double backward
    params = [p for p in copy.deepcopy(model).parameters()]
    m2 = copy.deepcopy(model)
    ps = list(m2.parameters())
    grads = torch.autograd.grad(F.cross_entropy(m2(xb), yb), ps, create_graph=True)
    vs = [torch.randn_like(p) for p in ps]
    op = HessianOperator(model, (xb, yb)); v = np.random.default_rng(0).standard_normal(op.dim); op.matvec(v)
    tr, to = [], []
    for _ in range(max(5, a.repeats * 3)):
        t = time.perf_counter(); torch.autograd.grad(grads, ps, vs, retain_graph=True); tr.append(time.perf_counter() - t)
        t = time.perf_counter(); op.matvec(v); to.append(time.perf_counter() - t)
    print(f"\nper-HVP cost: raw double backward {med(tr)*1e3:.1f} ms, prunekd HessianOperator.matvec {med(to)*1e3:.1f} ms "
          f"(ratio {med(to)/med(tr):.2f}, goal <= 1.1)")

    if a.skip_grid: return
    # ---- (c) 21 x 21 grid
    S = a.steps
    d1, d2 = random_direction(model, 0), random_direction(model, 1)
    xs = grid_coords(-1, 1, S)
    def plain_loop():
        m = copy.deepcopy(model).eval(); P = dict(m.named_parameters()); th = {k: v.detach().clone() for k, v in P.items()}
        out = np.zeros((len(xs), len(xs)))
        with torch.no_grad():
            for i, u in enumerate(xs):
                for j, w in enumerate(xs):
                    for k in P: P[k].copy_(th[k] + u * d1[k] + w * d2[k])
                    out[i, j] = F.cross_entropy(m(xb), yb).item()
        return out
    def ours_loop():
        return loss_landscape(model, (xb, yb), [d1, d2], [xs, xs], backend='loop', progress=False).loss
    def ours_vmap():
        return loss_landscape(model, (xb, yb), [d1, d2], [xs, xs], backend='vmap', memory_budget=2**28, progress=False).loss
    def ll_planar():
        # loss-landscapes' plane: start + i*(e1-start)/steps + j*(e2-start)/steps; start = theta - d1 - d2 spans the same square
        start, e1, e2 = copy.deepcopy(model).eval(), copy.deepcopy(model).eval(), copy.deepcopy(model).eval()
        step = xs[1] - xs[0]
        with torch.no_grad():
            for (n, p0), p1, p2 in zip(start.named_parameters(), e1.parameters(), e2.parameters()):
                p0.sub_(d1[n] + d2[n]); p1.copy_(p0 + step * S * d1[n]); p2.copy_(p0 + step * S * d2[n])
        metric = loss_landscapes.metrics.Loss(torch.nn.CrossEntropyLoss(), xb, yb)
        return loss_landscapes.planar_interpolation(start, e1, e2, metric, steps=S, deepcopy_model=False)
    rows = {'plain loop (hand-written)': plain_loop, 'loss-landscapes planar_interpolation': ll_planar,
            "prunekd loss_landscape(backend='loop')": ours_loop, "prunekd loss_landscape(backend='vmap')": ours_vmap}
    res = {k: {'t': [], 'v': None} for k in rows}
    for rep in range(a.repeats):
        for k, f in rows.items():
            t = time.perf_counter(); res[k]['v'] = f(); res[k]['t'].append(time.perf_counter() - t)
    ref = res['plain loop (hand-written)']['v']
    print(f"\n(c) {S}x{S} loss grid ({S*S} points), batch 256, eval BN, filter-normalised directions, [-1, 1]^2")
    print("| method | median s | per point ms | max abs diff vs plain loop |\n|---|---|---|---|")
    for k, r in res.items():
        v = np.asarray(r['v'])
        diff = np.abs(v - ref).max() if v.shape == ref.shape else float('nan')
        print(f"| {k} | {med(r['t']):.2f} | {1e3*med(r['t'])/(S*S):.1f} | {diff:.1e} |")
    ll = np.asarray(res['loss-landscapes planar_interpolation']['v'])
    print(f"loss-landscapes grid vs the plain loop: odd rows max diff {np.abs(ll[1::2] - ref[1::2]).max():.1e}, "
          f"even rows {np.abs(ll[0::2] - ref[0::2]).max():.1e} (its even rows are evaluated one step off)")
    fastest = min(med(res['plain loop (hand-written)']['t']), med(res['loss-landscapes planar_interpolation']['t']))
    best_ours = min(med(res["prunekd loss_landscape(backend='loop')"]['t']), med(res["prunekd loss_landscape(backend='vmap')"]['t']))
    r = med(res["prunekd loss_landscape(backend='loop')"]['t']) / fastest
    print(f"prunekd (loop, the CPU default) / fastest other: {r:.3f} (goal <= 1.1: {'met' if r <= 1.1 else 'NOT met'})")


if __name__ == '__main__':
    main()
