"""EKG search benchmark (issue 12, Performance): the cost of one search step and of the whole search to a FLOPs target on
a CIFAR ResNet with projection shortcuts, and what the trimmed-Otsu pre-filter saves.

    python benchmarks/bench_ekg.py [--model resnet56] [--target 0.45] [--device cpu|cuda] [--threads N]

Setup: the model's weights are random (He init, BN statistics from 5 training batches), D_val = the last 32
real Fashion-MNIST training images of each class (320 images, 1x28x28), as the search uses. Reported: seconds of one
scoring pass (forward + backward of R through the gates over D_val), of one candidate evaluation (forward over D_val with
batch-statistics BN), and of the whole search; steps; candidate evaluations made vs the number a search without the
pre-filter would make (every gate at every step). The search's choices on random weights differ from a trained
network's, but its costs per step do not depend on the weights.
"""
import argparse, time
import torch
from prunekd.core import get_device
from prunekd.data import load_dataset
from prunekd.models import get_model
from prunekd.ekg import EKGGates, score_gates, evaluate_objective, ekg_search, gated_macs


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('--model', default='resnet56'); ap.add_argument('--target', type=float, default=0.45)
    ap.add_argument('--device', default=None); ap.add_argument('--threads', type=int, default=None)
    a = ap.parse_args()
    if a.threads: torch.set_num_threads(a.threads)
    dev = get_device(a.device)
    tr = load_dataset('fashion_mnist', 'train')
    idx = torch.cat([(tr.labels == c).nonzero().flatten()[-32:] for c in range(10)])
    x = ((tr.images[idx].float() / 255 - 0.2860) / 0.3530).to(dev); y = tr.labels[idx].to(dev)
    torch.manual_seed(0)
    net = get_model(a.model, num_classes=10, in_chans=1, shortcut='B').to(dev)
    with torch.no_grad():                     # BN running statistics of real data, so that eval mode is sensible
        net.train()
        for i in range(5): net(((tr.images[i*128:(i+1)*128].float() / 255 - 0.2860) / 0.3530).to(dev))
    net.eval()
    sync = (lambda: torch.cuda.synchronize()) if dev.type == 'cuda' else (lambda: None)
    with EKGGates(net) as gates:
        score_gates(net, gates, x, y, None); sync()           # warm-up
        t0 = time.perf_counter(); score_gates(net, gates, x, y, None); sync(); t_score = time.perf_counter() - t0
        t0 = time.perf_counter()
        for _ in range(3): evaluate_objective(net, x, y, None)
        sync(); t_eval = (time.perf_counter() - t0) / 3
        n_gates = len(gates.gates); m0 = gated_macs(net, gates, (1, *x.shape[1:]))
    t0 = time.perf_counter(); res = ekg_search(net, x, y, a.target, 'ensemble', True); sync(); t_all = time.perf_counter() - t0
    h = res['history']; ev = sum(r['evaluated'] for r in h); tot = sum(r['gates_total'] for r in h)
    print(f"{a.model} on {dev} ({torch.cuda.get_device_name() if dev.type == 'cuda' else f'{torch.get_num_threads()} threads'}), "
          f"{n_gates} gates, {m0/1e6:.2f} M MACs, D_val 320 images, torch {torch.__version__}")
    print(f"| scoring pass | candidate evaluation | search to {a.target:.0%} of the MACs | steps | s per step | candidates evaluated | without pre-filter |")
    print(f"|---|---|---|---|---|---|---|")
    print(f"| {t_score:.2f} s | {t_eval:.3f} s | {t_all:.0f} s | {len(h)} | {t_all/max(1, len(h)):.1f} | {ev} | {tot} ({ev/tot:.0%} evaluated) |")


if __name__ == '__main__': main()
