"""Cost and accuracy of EKG's condition number (issue 12): HVPs per CN point and seconds per network, and the error of
a CN averaged over fewer points than the paper's 21 (the `quick` study preset uses 5).

    .venv/bin/python benchmarks/bench_cn.py [--networks 3] [--zoo DIR] [--threads 2]

Random sub-networks (`random_subnetwork`, 45 % of the MACs) of the zoo's `quick` ResNet-20 teacher (trained first if
missing), sliced; CN on D_val (16 training images per class, BN on batch statistics, ±0.1·g, Lanczos tol 1e-3) with 21
points, and the 5- and 11-point CNs computed on the same 21-point grid's subsets (the 5 and 11 points are points of the
21-point grid, so the comparison isolates the averaging). Printed per network: CN(21), CN(11), CN(5), their relative
errors, HVPs per point (mean, min-max) and seconds.
"""
import argparse, time
import numpy as np
import torch
from prunekd.data import load_dataset
from prunekd.ekg import EKGGates, per_class_split, random_subnetwork, slice_network
from prunekd.hessian import condition_number
from prunekd.runs import pretrained


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--networks', type=int, default=3)
    ap.add_argument('--zoo', default=None)
    ap.add_argument('--threads', type=int, default=2)
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    teacher, rec = pretrained('resnet20', 'fashion_mnist', 'quick', 0, {'shortcut': 'B'}, zoo=a.zoo, progress=False)
    train = load_dataset('fashion_mnist', 'train')
    _, val = per_class_split(train.labels, 0, 16)
    xv, yv = train.normalized(val), train.labels[val]
    print(f"torch {torch.__version__}, {torch.get_num_threads()} threads; ResNet-20 teacher {100*rec['test_acc']:.2f} %; "
          f"D_val {len(val)} images; random sub-networks at 45 % of the MACs")
    print(f"{'net':>3} | {'CN(21)':>8} {'CN(11)':>8} {'CN(5)':>8} | {'err 11':>7} {'err 5':>7} | {'HVPs/point':>16} | {'s':>5}")
    e5, e11 = [], []
    for i in range(a.networks):
        rs = random_subnetwork(teacher, xv, yv, 0.45, seed=i)
        with EKGGates(teacher) as gates:
            gates.load(rs['final']); sub = slice_network(teacher, gates)
        t0 = time.perf_counter()
        cn = condition_number(sub, (xv, yv), n_points=21, span=0.1, bn='train', tol=1e-3, max_steps=60, seed=i)
        dt = time.perf_counter() - t0
        r = np.array([p['ratio'] for p in cn['points']]); h = np.array([p['hvps'] for p in cn['points']])
        c21, c11, c5 = r.mean(), r[::2].mean(), r[::5].mean()
        e11.append(abs(c11 - c21) / c21); e5.append(abs(c5 - c21) / c21)
        print(f"{i:>3} | {c21:>8.4f} {c11:>8.4f} {c5:>8.4f} | {100*e11[-1]:>6.1f}% {100*e5[-1]:>6.1f}% | "
              f"{h.mean():>6.1f} ({h.min()}-{h.max()}) | {dt:>5.0f}")
    print(f"mean relative error vs 21 points: 11 points {100*np.mean(e11):.1f} %, 5 points {100*np.mean(e5):.1f} %")


if __name__ == '__main__':
    main()
