"""Training and data-loading throughput, measured side by side in one process.

1. images/s of `prunekd.train.fit` against a minimal plain PyTorch loop (same model, data, optimiser, schedule).
   Goal: fit within 5 % of the plain loop.
2. images/s of `prunekd.data.InMemoryLoader` (whole-batch augmentation on the device) against torchvision's per-image
   transforms in a `DataLoader` with 2 workers, crop+flip+normalise, one epoch each. Goal: at least 10x.

Usage: python benchmarks/bench_train.py [--device cpu|cuda] [--images N] [--epochs E] [--repeats R]
"""
import argparse, time, statistics, json, platform
import torch, torch.nn.functional as F
from prunekd.core import seed_everything, get_device
from prunekd.data import load_dataset, sample_random, InMemoryLoader, tensor_loader, ImageData
from prunekd.models import get_model
from prunekd.train import fit, make_optimizer, make_schedule

def plain_loop(model, dl, epochs, lr, device):
    opt = make_optimizer(model.parameters(), 'sgd', lr, 0.9, False, 5e-4)
    sch = make_schedule(opt, 'multistep', epochs, len(dl), [max(1, epochs // 2)], 0.1)
    model.train()
    for e in range(epochs):
        dl.set_epoch(e)
        for x, y in dl:
            loss = F.cross_entropy(model(x), y)
            opt.zero_grad(set_to_none=True); loss.backward(); opt.step(); sch.step()
    if device.type == 'cuda': torch.cuda.synchronize()

def time_training(kind, data, args, device):
    seed_everything(0)
    model = get_model(args.model, num_classes=10, in_chans=data.in_chans).to(device)
    dl = InMemoryLoader(data, args.batch_size, shuffle=True, augment=True, device=device, seed=0)
    t0 = time.perf_counter()
    if kind == 'plain': plain_loop(model, dl, args.epochs, 0.1, device)
    else:
        fit(model, dl, None, epochs=args.epochs, lr=0.1, milestones=[max(1, args.epochs // 2)], select=None,
            progress=(kind == 'fit+bar'), amp=False)
        if device.type == 'cuda': torch.cuda.synchronize()
    return args.epochs * len(data) / (time.perf_counter() - t0)

def time_loader(loader, device, epochs=1):
    n, t0 = 0, time.perf_counter()
    for _ in range(epochs):
        for x, y in loader:
            x = x.to(device, non_blocking=True); n += len(y)
    if device.type == 'cuda': torch.cuda.synchronize()
    return n / (time.perf_counter() - t0)

def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument('--device', default=None); p.add_argument('--model', default='resnet20')
    p.add_argument('--images', type=int, default=5000, help='training images for the fit benchmark')
    p.add_argument('--epochs', type=int, default=2); p.add_argument('--batch-size', type=int, default=128)
    p.add_argument('--repeats', type=int, default=3, help='alternating repeats; the median is reported')
    args = p.parse_args()
    device = get_device(args.device)
    torch.backends.cudnn.benchmark = True
    print(f"device: {device} ({torch.cuda.get_device_name() if device.type == 'cuda' else platform.processor() or 'cpu'}), "
          f"torch {torch.__version__}, threads {torch.get_num_threads()}")
    train = load_dataset('fashion_mnist', 'train')
    sub = sample_random(train, args.images, seed=0)
    print(f"\n1) training {args.model} on {args.images} Fashion-MNIST images x {args.epochs} epochs, batch {args.batch_size}")
    time_training('plain', sub, argparse.Namespace(**{**vars(args), 'epochs': 1}), device)   # warm-up
    res = {k: [] for k in ('plain', 'fit', 'fit+bar')}
    for r in range(args.repeats):
        for k in res: res[k].append(time_training(k, sub, args, device))
    med = {k: statistics.median(v) for k, v in res.items()}
    for k, v in med.items():
        print(f"   {k:8s} {v:8.0f} images/s   (runs: {', '.join(f'{x:.0f}' for x in res[k])})   {v/med['plain']:.3f}x plain")

    print(f"\n2) one augmented epoch (crop+flip+normalise), batch {args.batch_size}")
    cifar_like = ImageData(torch.randint(0, 256, (50000, 3, 32, 32), dtype=torch.uint8), torch.randint(0, 10, (50000,)),
                           list(range(10)), (0.5,)*3, (0.25,)*3, 'random-3x32x32')
    for data in (train, cifar_like):
        mem = InMemoryLoader(data, args.batch_size, shuffle=True, augment=True, device=device)
        dl = tensor_loader(data, args.batch_size, shuffle=True, augment=True, num_workers=2, pin_memory=device.type == 'cuda')
        time_loader(mem, device); next(iter(dl))            # warm-up (and worker start)
        a, b = time_loader(mem, device), time_loader(dl, device)
        print(f"   {data.name:15s} {len(data)} images: InMemoryLoader {a:9.0f} images/s   DataLoader(2 workers) {b:7.0f} images/s   {a/b:5.1f}x")

if __name__ == '__main__': main()
