"""MiR benchmark (issue 13, Performance): the cost of one few-sample recovery run of every method on the Res-50% ResNet-56
student, and of the whole Table 12 grid extrapolated from it.

    python benchmarks/bench_mir.py [--device cpu|cuda] [--iters 100] [--cd-iters 100] [--threads N] [--model resnet20 --shortcut B]

Setup: a CIFAR ResNet-56 with option-A slicing shortcuts (the `standard` preset's; `--model`/`--shortcut` choose another,
e.g. the ResNet-20-B of the CPU evidence) on 1x28x28 inputs (Fashion-MNIST's shape; weights random: the
cost does not depend on them), pruned with `res50_plan`; a K=50 few-sample set of random images (500 images, so the
iterative methods run full batches of 64). The iterative methods (BP, KD, MiR_before, MiR_after) are timed over `--iters`
iterations after 10 warm-up iterations and scaled to the preset's 2,000; CD is run with `--cd-iters` and twice as many
steps per layer, and its fixed cost plus 3,000 steps' worth of the difference reported; FSKD is timed whole (it has no iterations). The teacher's features are computed once per batch under no_grad
in eval mode, with bf16 autocast where `fit` would use it (`prunekd.train.precision`). The grid estimate is
sum over methods of (seconds per run) x 6 K x trials, for one process: K changes the batch size only below K = 7
(10 classes x K < 64), so runs at small K are cheaper than this estimate.
"""
import argparse, copy, time
import torch
from prunekd.data import ImageData
from prunekd.models import get_model
from prunekd.core import get_device
from prunekd.train import precision
from prunekd.mir import (structured_student, FewShotBatches, few_shot_inputs, mimic, backprop, few_shot_kd, fskd, cross_distill,
                         PRESETS)


def sync(dev):
    if dev.type == 'cuda': torch.cuda.synchronize()


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('--device', default=None)
    ap.add_argument('--iters', type=int, default=100)
    ap.add_argument('--cd-iters', type=int, default=100)
    ap.add_argument('--threads', type=int, default=None)
    ap.add_argument('--trials', type=int, default=3)
    ap.add_argument('--model', default='resnet56', help='a CIFAR ResNet (default resnet56, the standard preset\'s)')
    ap.add_argument('--shortcut', default='A_slice', help='its shortcut (default A_slice, the standard preset\'s)')
    a = ap.parse_args()
    if a.threads: torch.set_num_threads(a.threads)
    dev = get_device(a.device)
    torch.manual_seed(0)
    teacher = get_model(a.model, num_classes=10, in_chans=1, shortcut=a.shortcut).to(dev).eval()
    floor, plan = structured_student(teacher, 'res50', torch.zeros(1, 1, 28, 28, device=dev))
    few = ImageData(torch.randint(0, 256, (500, 1, 28, 28), dtype=torch.uint8), torch.arange(10).repeat(50), list(range(10)), (0.286,), (0.353,))
    spec = PRESETS['standard']['few']
    print(f"{a.model} (shortcut {a.shortcut}), Res-50% student; device {dev} ({torch.cuda.get_device_name() if dev.type == 'cuda' else f'{torch.get_num_threads()} threads'}), "
          f"precision {precision(dev)['dtype']}, torch {torch.__version__}")
    rows = {}
    def timed(name, fn, scale):
        s = copy.deepcopy(floor)
        sync(dev); t0 = time.perf_counter(); fn(s); sync(dev)
        rows[name] = (time.perf_counter() - t0) * scale
    for name, fn in [('bp', lambda s, n: backprop(s, FewShotBatches(few, n, 64, device=dev))),
                     ('kd', lambda s, n: few_shot_kd(s, teacher, FewShotBatches(few, n, 64, device=dev))),
                     ('mir_before', lambda s, n: mimic(s, teacher, FewShotBatches(few, n, 64, device=dev), 'before')),
                     ('mir_after', lambda s, n: mimic(s, teacher, FewShotBatches(few, n, 64, device=dev), 'after'))]:
        fn(copy.deepcopy(floor), 10)                                   # warm-up
        timed(name, lambda s: fn(s, a.iters), spec['iters'] / a.iters)
    x = few_shot_inputs(few, dev)
    timed('fskd', lambda s: fskd(s, teacher, x, plan), 1.)
    # CD: fixed cost (two forward passes per layer to read its inputs) + per-step cost, from runs of n and 2n steps
    timed('cd', lambda s: cross_distill(s, teacher, x, plan, iters=a.cd_iters), 1.); t1 = rows['cd']
    timed('cd', lambda s: cross_distill(s, teacher, x, plan, iters=2 * a.cd_iters), 1.); t2 = rows['cd']
    rows['cd'] = t1 + (spec['cd_iters'] - a.cd_iters) * (t2 - t1) / a.cd_iters
    print(f"| method | seconds per run (2,000 iterations; CD 3,000 steps x {len(plan)} layers) |\n|---|---|")
    for k, v in rows.items(): print(f"| {k} | {v:.1f} |")
    grid = sum(rows.values()) * 6 * a.trials
    print(f"Table 12 grid (6 methods x 6 K x {a.trials} trials), one process: {grid/60:.1f} min (upper bound: small K runs smaller batches)")


if __name__ == '__main__': main()
