"""CPU latency of physically pruned models against the unpruned one, next to their MAC reduction (issue 4).

    .venv/bin/python benchmarks/bench_latency.py [--repeats 15] [--threads 2]

For each (model, plan) the unpruned and the pruned model (`prune_channels`, Torch-Pruning surgery) are timed
interleaved, batch 1 and batch 128 on CIFAR-size inputs (3x32x32), median of `--repeats` forward passes under
`torch.inference_mode`. Printed: MACs, latency, images/s, measured speed-up, MAC speed-up (MACs_large / MACs_pruned)
and their ratio. Goal: at about 50 % fewer MACs the measured speed-up reaches at least 0.8 of the MAC speed-up at
batch 128.
"""
import argparse, statistics, time
import torch
from prunekd.models import get_model
from prunekd.metrics import macs, param_counts
from prunekd.structured import li_plan, plan_by_ratio, prune_channels


def time_pair(a, b, batch, repeats, warmup=3):
    "Median ms per forward of a and b, measured alternately so load changes hit both."
    x = torch.randn(batch, 3, 32, 32)
    ta, tb = [], []
    with torch.inference_mode():
        for i in range(warmup + repeats):
            for m, ts in ((a, ta), (b, tb)):
                t = time.perf_counter(); m(x); d = (time.perf_counter() - t) * 1e3
                if i >= warmup: ts.append(d)
    return statistics.median(ta), statistics.median(tb)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--repeats', type=int, default=15)
    ap.add_argument('--threads', type=int, default=2)
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    print(f"torch {torch.__version__}, {a.threads} threads, median of {a.repeats} forwards, 3x32x32 inputs\n")
    cases = [('resnet56', {'shortcut': 'A'}, 'Li et al. ResNet-56-B', lambda m: li_plan(m, 'resnet56-B')),
             ('resnet56', {'shortcut': 'A'}, 'L1, every inner conv -50 %', lambda m: plan_by_ratio(m, 0.5)),
             ('vgg16', {}, 'Li et al. VGG-16-A', lambda m: li_plan(m, 'vgg16-A')),
             ('vgg16', {}, 'L1, every conv -30 %', lambda m: plan_by_ratio(m, 0.3))]
    print("| model | plan | params | MACs (M) | MAC reduction | batch | latency unpruned / pruned (ms) | img/s unpruned / pruned | "
          "measured speed-up | MAC speed-up | measured / MAC |")
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    for name, kw, label, planner in cases:
        torch.manual_seed(0)
        big = get_model(name, **kw).eval()
        small = prune_channels(big, planner(big), torch.randn(1, 3, 32, 32)).eval()
        m0, m1 = macs(big)['dense'], macs(small)['dense']
        p0, p1 = param_counts(big)['dense'], param_counts(small)['dense']
        for batch in (1, 128):
            t0, t1 = time_pair(big, small, batch, a.repeats)
            meas, macr = t0 / t1, m0 / m1
            print(f"| {name} | {label} | {p0/1e6:.2f} M -> {p1/1e6:.2f} M | {m0/1e6:.1f} -> {m1/1e6:.1f} | {100*(1-m1/m0):.1f} % | {batch} | "
                  f"{t0:.2f} / {t1:.2f} | {1e3*batch/t0:.0f} / {1e3*batch/t1:.0f} | {meas:.2f}x | {macr:.2f}x | {meas/macr:.2f} |")


if __name__ == '__main__':
    main()
