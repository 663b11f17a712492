"""Latency of the landscape explorer (issue 14 §3): time from a control change to the first (coarse) picture, to the
full grid, and to the Hessian numbers, for ResNet-20 on 256 Fashion-MNIST test images, 1-D 21 points and 2-D 21x21.

    .venv/bin/python benchmarks/bench_explorer.py [--threads 2] [--repeats 3] [--zoo DIR]

The checkpoints are the zoo's `quick` ResNet-20 teacher (trained first if the zoo does not hold it, about 5 min on
2 cores) and a copy pruned to 59 % by global magnitude. Each measurement switches the checkpoint dropdown (which
computes directions, grids and spectrum afresh: nothing is cached for the new setting), then waits for the explorer's
own timestamps (`LandscapeExplorer.timings`): 'coarse' = first picture on screen, 'fine' = full grid on screen,
'spectrum' = lambda_max / lambda_min shown. Fresh explorers per view so that no grid of an earlier measurement is
reused. Goals: first picture <= 3 s, full 1-D <= 10 s. Everything in fp32 (landscape differences are small numbers). First
it prints the seconds per landscape point with and without the loop backend's two CPU speed-ups (BN folded into the
convolutions, 32 images per forward pass).
"""
import argparse, copy, statistics, time
import torch
from prunekd.data import load_dataset, sample_random
from prunekd.explorer import LandscapeExplorer
from prunekd.landscape import loss_landscape, random_direction
from prunekd.prune import magnitude_prune
from prunekd.runs import pretrained


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--threads', type=int, default=2)
    ap.add_argument('--repeats', type=int, default=3, help='checkpoint switches per (view, direction)')
    ap.add_argument('--images', type=int, default=256)
    ap.add_argument('--zoo', default=None)
    ap.add_argument('--directions', nargs='+', default=['random', 'gradient'])
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    teacher, rec = pretrained('resnet20', 'fashion_mnist', 'quick', 0, {'shortcut': 'B'}, zoo=a.zoo, progress=False)
    pruned = copy.deepcopy(teacher); magnitude_prune(pruned, sparsity=0.59)
    test = sample_random(load_dataset('fashion_mnist', 'test'), a.images, seed=0)
    data = (test.normalized(), test.labels)
    print(f"torch {torch.__version__}, {torch.get_num_threads()} threads; ResNet-20 teacher {100*rec['test_acc']:.2f} % "
          f"and a 59 % magnitude-pruned copy; {len(data[1])} test images; times in s from the dropdown change")
    d = random_direction(teacher, 0)
    print('seconds per landscape point (loop backend, eval BN, 21 points, main thread):')
    for fold, eb in ((False, 256), (False, 32), (True, 32)):
        ls = loss_landscape(teacher, data, d, (-1, 1, 21), fold_bn=fold, eval_batch=eb, progress=False)
        print(f"  BN folded {str(fold):5}, {eb:3} images per forward: {ls.meta['seconds'] / 21:.3f}")
    print(f"{'view':>4} {'points':>7} {'direction':>9} | {'first picture':>13} {'full grid':>9} {'lambdas':>8} | goal")
    for view, n in (('1-D', 21), ('2-D', 21)):
        for kind in a.directions:
            ex = LandscapeExplorer({'teacher': teacher, 'pruned teacher': pruned}, data, resolution=n, view=view, direction=kind)
            ex.wait()                                   # the initial setting (not timed)
            rows = []
            for r in range(a.repeats):
                ex._dirs.clear(); ex._grids.clear(); ex._spectra.clear()   # nothing cached: a first visit
                ex.checkpoint.value = 'pruned teacher' if ex.checkpoint.value == 'teacher' else 'teacher'
                ex.wait()
                if ex.error is not None: raise ex.error
                rows.append(ex.timings[-1])
            med = {k: statistics.median(t[k] for t in rows) for k in ('coarse', 'fine', 'spectrum')}
            goal = 'first <= 3 s, full <= 10 s' if view == '1-D' else 'first <= 3 s'
            print(f"{view:>4} {n if view == '1-D' else f'{n}x{n}':>7} {kind:>9} | {med['coarse']:>13.2f} {med['fine']:>9.2f} "
                  f"{med['spectrum']:>8.2f} | {goal}")


if __name__ == '__main__':
    main()
