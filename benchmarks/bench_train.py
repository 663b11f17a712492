"""Training throughput on this machine, measured side by side in one process.

1. Precision and memory format: images/s of one SGD step (forward + backward + update, batch 128, 1x28x28) of
   ResNet-20, ResNet-56 (projection shortcuts) and VGG-11 in fp32 eager, channels-last, bf16 autocast,
   bf16 + channels-last (what `fit` uses on a CPU with native bf16) and, with --compile, torch.compile.
   Goal (issue 10): bf16 + channels-last >= 2x fp32 eager for ResNet-20 on a CPU with AVX512-BF16 or AMX.
2. A KD step (`DistillLoss`: the teacher's forward in inference mode under the same autocast) against a plain step.
3. `prunekd.train.fit` against a minimal plain PyTorch loop (same model, data, optimiser, schedule, precision).
   Goal: fit within 5 % of the plain loop.
4. `prunekd.data.InMemoryLoader` (whole-batch augmentation on the device) against torchvision's per-image
   transforms in a `DataLoader` with 2 workers, crop+flip+normalise, one epoch each. Goal: at least 10x.
5. KESI's ensemble distillation step: a ResNet-20 student taught by 6 ResNet-20 teachers (KESI's original network +
   5 snapshots; `kesi_loss`, teachers run once per batch in inference mode under the same autocast) against a
   single-teacher KD step. Goal (issue 11): the 6-teacher step takes <= 3.5x the single-teacher step's time.

Usage: python benchmarks/bench_train.py [--device cpu|cuda] [--sections 1 2 3 4 5] [--steps N] [--repeats R] [--compile]
Times are medians of `--repeats` interleaved repeats (a shared CPU swings between runs).
"""
import argparse, time, statistics, platform, contextlib
import torch, torch.nn.functional as F
from prunekd.core import seed_everything, get_device
from prunekd.data import load_dataset, sample_random, InMemoryLoader, tensor_loader, ImageData
from prunekd.models import get_model
from prunekd.train import fit, make_optimizer, make_schedule, precision, cpu_bf16_supported
from prunekd.distill import DistillLoss
from prunekd.kesi import kesi_loss

MODELS = {'resnet20': dict(shortcut='B'), 'resnet56': dict(shortcut='B'), 'vgg11': {}}
VARIANTS = [('fp32 eager', False, False, False), ('channels-last', False, True, False), ('bf16', True, False, False),
            ('bf16 + channels-last', True, True, False)]

def step_rate(model, amp, cl, device, steps, batch=128, loss_fn=None, compiled=False):
    "images/s of `steps` SGD steps on a fixed random batch, after 3 warm-up steps."
    model = model.to(device)
    if cl: model = model.to(memory_format=torch.channels_last)
    net = torch.compile(model) if compiled else model
    opt = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
    x, y = torch.randn(batch, 1, 28, 28, device=device), torch.randint(0, 10, (batch,), device=device)
    if cl: x = x.contiguous(memory_format=torch.channels_last)
    loss_fn = loss_fn or (lambda m, x, y: (F.cross_entropy(m(x), y), None))
    def one():
        with torch.autocast(device.type, dtype=torch.bfloat16, enabled=amp): loss, _ = loss_fn(net, x, y)
        opt.zero_grad(set_to_none=True); loss.backward(); opt.step()
    for _ in range(3): one()
    if device.type == 'cuda': torch.cuda.synchronize()
    t0 = time.perf_counter()
    for _ in range(steps): one()
    if device.type == 'cuda': torch.cuda.synchronize()
    return steps * batch / (time.perf_counter() - t0)

def build(name):
    seed_everything(0); return get_model(name, num_classes=10, in_chans=1, **MODELS[name])

def section_precision(args, device):
    print(f"\n1) one SGD step, batch 128, 1x28x28: images/s (median of {args.repeats})")
    variants = VARIANTS + ([('torch.compile (fp32)', False, False, True), ('torch.compile + bf16 + CL', True, True, True)] if args.compile else [])
    for name in MODELS:
        res = {v[0]: [] for v in variants}
        for _ in range(args.repeats):
            for label, amp, cl, comp in variants: res[label].append(step_rate(build(name), amp, cl, device, args.steps, compiled=comp))
        base = statistics.median(res['fp32 eager'])
        for label, v in res.items():
            med = statistics.median(v)
            print(f"   {name:9s} {label:26s} {med:7.0f} images/s  {med/base:4.2f}x fp32 eager   (runs: {', '.join(f'{r:.0f}' for r in v)})")

def section_kd(args, device):
    prec = precision(device)
    print(f"\n2) a KD step vs a plain step, ResNet-20 student and teacher, {prec['dtype']}, channels-last={prec['channels_last']}")
    res = {'plain': [], 'KD (teacher forward + student step)': []}
    for _ in range(args.repeats):
        res['plain'].append(step_rate(build('resnet20'), prec['amp'], prec['channels_last'], device, args.steps))
        teacher = build('resnet20').to(device)
        if prec['channels_last']: teacher = teacher.to(memory_format=torch.channels_last)
        kd = DistillLoss(teacher, 0.95, 4.)
        res['KD (teacher forward + student step)'].append(step_rate(build('resnet20'), prec['amp'], prec['channels_last'], device, args.steps, loss_fn=kd))
    base = statistics.median(res['plain'])
    for k, v in res.items():
        print(f"   {k:38s} {statistics.median(v):7.0f} images/s  {statistics.median(v)/base:4.2f}x the plain step")

def section_ensemble(args, device):
    prec = precision(device)
    print(f"\n5) KESI ensemble distillation step vs single-teacher KD, ResNet-20s, {prec['dtype']}, channels-last={prec['channels_last']}")
    def teachers(k):
        ts = [build('resnet20').to(device) for _ in range(k)]
        return [t.to(memory_format=torch.channels_last) for t in ts] if prec['channels_last'] else ts
    res = {'1 teacher (KD)': [], '6 teachers (KESI, mean of tau^2 KL)': []}
    for _ in range(args.repeats):
        res['1 teacher (KD)'].append(step_rate(build('resnet20'), prec['amp'], prec['channels_last'], device, args.steps, loss_fn=kesi_loss(teachers(1))))
        res['6 teachers (KESI, mean of tau^2 KL)'].append(step_rate(build('resnet20'), prec['amp'], prec['channels_last'], device, args.steps, loss_fn=kesi_loss(teachers(6))))
    one = statistics.median(res['1 teacher (KD)'])
    for k, v in res.items():
        m = statistics.median(v)
        print(f"   {k:38s} {m:7.0f} images/s  step time {one/m:4.2f}x the single-teacher step   (runs: {', '.join(f'{r:.0f}' for r in v)})")

def plain_loop(model, dl, epochs, lr, device):
    prec = precision(device)
    if prec['channels_last']: model = model.to(memory_format=torch.channels_last)
    opt = make_optimizer(model.parameters(), 'sgd', lr, 0.9, False, 5e-4)
    sch = make_schedule(opt, 'multistep', epochs, len(dl), [max(1, epochs // 2)], 0.1)
    model.train()
    for e in range(epochs):
        dl.set_epoch(e)
        for x, y in dl:
            if prec['channels_last']: x = x.contiguous(memory_format=torch.channels_last)
            with torch.autocast(device.type, dtype=torch.bfloat16, enabled=prec['amp']): loss = F.cross_entropy(model(x), y)
            opt.zero_grad(set_to_none=True); loss.backward(); opt.step(); sch.step()
    if device.type == 'cuda': torch.cuda.synchronize()

def time_training(kind, data, args, device, epochs):
    seed_everything(0)
    model = get_model('resnet20', num_classes=10, in_chans=data.in_chans, shortcut='B').to(device)
    dl = InMemoryLoader(data, 128, shuffle=True, augment=True, device=device, seed=0)
    t0 = time.perf_counter()
    if kind == 'plain': plain_loop(model, dl, epochs, 0.1, device)
    else:
        fit(model, dl, None, epochs=epochs, lr=0.1, milestones=[max(1, epochs // 2)], select=None, progress=(kind == 'fit+bar'))
        if device.type == 'cuda': torch.cuda.synchronize()
    return epochs * len(data) / (time.perf_counter() - t0)

def section_fit(args, device, train):
    sub = sample_random(train, args.images, seed=0)
    print(f"\n3) fit vs a plain loop: ResNet-20 on {args.images} Fashion-MNIST images x 2 epochs, batch 128, {precision(device)['dtype']}")
    time_training('plain', sub, args, device, 1)   # warm-up
    res = {k: [] for k in ('plain', 'fit', 'fit+bar')}
    for _ in range(args.repeats):
        for k in res: res[k].append(time_training(k, sub, args, device, 2))
    med = {k: statistics.median(v) for k, v in res.items()}
    for k, v in med.items():
        print(f"   {k:8s} {v:8.0f} images/s   (runs: {', '.join(f'{x:.0f}' for x in res[k])})   {v/med['plain']:.3f}x plain")

def time_loader(loader, device):
    n, t0 = 0, time.perf_counter()
    for x, y in loader:
        x = x.to(device, non_blocking=True); n += len(y)
    if device.type == 'cuda': torch.cuda.synchronize()
    return n / (time.perf_counter() - t0)

def section_loaders(args, device, train):
    print("\n4) one augmented epoch (crop+flip+normalise), batch 128")
    cifar_like = ImageData(torch.randint(0, 256, (50000, 3, 32, 32), dtype=torch.uint8), torch.randint(0, 10, (50000,)),
                           list(range(10)), (0.5,)*3, (0.25,)*3, 'random-3x32x32')
    for data in (train, cifar_like):
        mem = InMemoryLoader(data, 128, shuffle=True, augment=True, device=device)
        dl = tensor_loader(data, 128, shuffle=True, augment=True, num_workers=2, pin_memory=device.type == 'cuda')
        time_loader(mem, device); next(iter(dl))            # warm-up (and worker start)
        a, b = time_loader(mem, device), time_loader(dl, device)
        print(f"   {data.name:15s} {len(data)} images: InMemoryLoader {a:9.0f} images/s   DataLoader(2 workers) {b:7.0f} images/s   {a/b:5.1f}x")

def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument('--device', default=None)
    p.add_argument('--sections', type=int, nargs='+', default=[1, 2, 3, 4, 5])
    p.add_argument('--steps', type=int, default=10, help='timed SGD steps per measurement (sections 1-2)')
    p.add_argument('--images', type=int, default=5000, help='training images for section 3')
    p.add_argument('--repeats', type=int, default=3, help='interleaved repeats; the median is reported')
    p.add_argument('--compile', action='store_true', help='also time torch.compile (slow to compile)')
    args = p.parse_args()
    device = get_device(args.device)
    torch.backends.cudnn.benchmark = True
    cpu = platform.processor() or 'cpu'
    try: cpu = next(l.split(':', 1)[1].strip() for l in open('/proc/cpuinfo') if l.startswith('model name'))
    except (OSError, StopIteration): pass
    print(f"device: {device} ({torch.cuda.get_device_name() if device.type == 'cuda' else cpu}), torch {torch.__version__}, "
          f"threads {torch.get_num_threads()}, native CPU bf16: {cpu_bf16_supported()}, fit's precision here: {precision(device)}")
    if 1 in args.sections: section_precision(args, device)
    if 2 in args.sections: section_kd(args, device)
    if 3 in args.sections or 4 in args.sections: train = load_dataset('fashion_mnist', 'train')
    if 3 in args.sections: section_fit(args, device, train)
    if 4 in args.sections: section_loaders(args, device, train)
    if 5 in args.sections: section_ensemble(args, device)

if __name__ == '__main__': main()
