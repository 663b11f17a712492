"""Run EKG's Table 1 (L1 vs Taylor vs EKG scoring) and Table 2 (the guidance x fine-tuning ablation) of issue 12 at the
`standard` budget (the whole Fashion-MNIST training split, 256/32 images per class for D_subset/D_val, 15 epochs of
fine-tuning), one process per seed, so that several cores (or one GPU) are used.

    python tools/ekg_evidence.py teacher SEED --out DIR [--model resnet20] [--threads 2]   # the zoo teacher first
    python tools/ekg_evidence.py one SEED --out DIR [--model resnet20] [--parts table1 table2] [--cells ensemble/ensemble ...]
    python tools/ekg_evidence.py study --out DIR [--model resnet20] [--networks 30] [--seed 0]      # Fig. 2's CN study
    python tools/ekg_evidence.py study-helper --out DIR [--model resnet20] [--networks 30] [--seed 0]   # its second process
    python tools/ekg_evidence.py ft-noise --out DIR [--model resnet20] --net 0 [--ft-seeds 101 102 103]  # the fine-tune's spread
    python tools/ekg_evidence.py status --out DIR          # finished stages and the fine-tunings under way (epochs done)
    python tools/ekg_evidence.py pack --out DIR --to EVIDENCE   # copy the finished stages' records (no weights) and their teachers'

`one`, `study` and `study-helper` run on one CPU thread (`--threads`), since two of them share the two cores: left to
PyTorch's default, each takes every core and the four threads slow both processes down.

`--model` replaces the preset's ResNet-56 (on this book's 2-core CPU a ResNet-56 fine-tune of 15 epochs on two views
takes several hours; the CPU evidence uses the ResNet-20 with projection shortcuts). The teachers are the zoo's
`standard` teachers in DIR/zoo (those the Rethinking and Park & No evidence use when DIR is the same cache), the stages
go to DIR/runs-ekg. Every stage is a resumable run record, and a fine-tuning checkpoints after each epoch: rerunning a
command after an interruption continues where it stopped. Table 1's Taylor and EKG rows are Table 2's (none, none) and
(ensemble, none) cells: they share their stages, so the second table reuses them. `--cells` runs only those Table 2
cells, in that order (`search/fine-tune`), e.g. a second process for the same seed next to `--parts table1`:
`--parts table2 --cells ensemble/ensemble ensemble/single single/none` (the stage locks make a process wait on a stage
the other is computing, so the two should start on different stages). The tutorial's slow cell then reads
every stage back with all seeds at once and writes the committed JSON.

`study` runs `cn_study('standard', networks, seed)` (one teacher, random sub-networks numbered 0, 1, ...) into
DIR/runs-ekg-study; `study-helper`, started next to it, computes the same networks' stages from the last one backwards
(`cn_study(..., nets=...)`, no study record), so the two processes meet in the middle and `study` reads the helper's
networks back. `--nets 10 11 12` computes only those networks (no study record): a session on a fresh machine adds its
share of networks this way, and `prunekd.ekg.finished_study` reads every session's committed records together.
Teachers: train each zoo teacher with the thread count its committed record states (`threads`; two for seeds 0 and 1,
with nothing else running, one for seed 2, trained next to the seed-1 runs); the same configuration trained with another
thread count gives other weights, so a fresh machine retrains a teacher with `--threads` set to its record's count and
checks that the test loss printed matches the record's.
"""
import argparse, json, time
from pathlib import Path

def log(*a): print(time.strftime('%H:%M:%S'), *a, flush=True)

def teacher(out, seed, model, threads=2):
    """Train (or read back) the zoo teacher that `one SEED` and `study` start from, with `threads` CPU threads. `one` would
    otherwise train it inside its own (one-thread) process, and a teacher trained with another thread count has other
    weights than the one the committed records were made from."""
    import torch
    from prunekd.runs import pretrained
    torch.set_num_threads(threads)
    t0 = time.perf_counter()
    _, rec = pretrained(model or 'resnet56', recipe='standard', seed=seed, model_kwargs={'shortcut': 'B'}, zoo=out/'zoo', progress=False)
    log(f"teacher seed {seed}: test {100*rec['test_acc']:.2f} %, loss {rec['test_loss']:.6f}, {rec.get('threads')} threads, {rec['precision']} "
        f"({time.perf_counter() - t0:.0f} s here)")

def one(out, seed, model, parts, cells=None):
    from prunekd.ekg import compare_scoring, ablation
    ov = {'model': model} if model else {}
    kw = dict(preset='standard', seeds=[seed], overrides=ov, out=out/'runs-ekg', zoo=out/'zoo', progress=True, log=log)
    if 'table1' in parts:
        t0 = time.perf_counter(); compare_scoring(**kw); log(f"seed {seed}: table 1 done ({time.perf_counter() - t0:.0f} s)")
    if 'table2' in parts:
        t0 = time.perf_counter(); ablation(**kw, **({'cells': cells} if cells else {})); log(f"seed {seed}: table 2 done ({time.perf_counter() - t0:.0f} s)")

def study(out, model, networks, seed, helper=False, nets=None):
    from prunekd.ekg import cn_study
    kw = dict(preset='standard', networks=networks, seed=seed, overrides={'model': model} if model else None,
              out=out/'runs-ekg-study', zoo=out/'zoo', progress=False, log=log)
    t0 = time.perf_counter()
    cn_study(**kw, nets=nets if nets is not None else range(networks - 1, -1, -1) if helper else None)
    log(f"study{' helper' if helper else ''}, seed {seed}, {networks} networks: done ({time.perf_counter() - t0:.0f} s)")

def ft_noise(out, model, net, ft_seeds, study_seed=0):
    """The fine-tuning's own run-to-run spread of the study's potential loss: study network `net`'s random sub-network is
    drawn again exactly as `cn_study` draws it (same teacher, D_val and seed), sliced, and given the study's fine-tune once
    per seed in `ft_seeds`, the training loader's seed (batch order and augmentation; the study's fine-tunes all use the
    study seed's, and `fit`'s own seed changes nothing in a network without dropout); the test loss and top-1 of each go to
    DIR/ft-noise/net<net>-seed<k>.json (written atomically; an existing file is read back, not recomputed). The CN pass
    is skipped (it leaves the BN statistics at the fine-tune's start different), yet with the study's own loader seed
    (`--ft-seeds 0` for study seed 0) the row is the study's exactly: checked on networks 0 and 1 (2026-12-07)."""
    from prunekd.core import atomic_write_json, read_json, load_state, seed_everything
    from prunekd.ekg import STUDY_PRESETS, EKGGates, per_class_split, random_subnetwork, slice_state
    from prunekd.runs import StageContext, get_preset, teacher_stage
    from prunekd.data import InMemoryLoader
    from prunekd.metrics import evaluate
    from prunekd.train import fit
    p = get_preset(STUDY_PRESETS, 'standard', {'model': model} if model else None)
    ctx = StageContext(p['dataset'], study_seed, out/'ft-noise', p['train_subset'], p['val_subset'], None, p['val_fraction'], progress=False)
    EKGGates(ctx.build(p['model'], p['model_kwargs'])).remove()
    _, val = per_class_split(ctx.train.labels, 0, p['val_per_class'])
    xv, yv = ctx.train.normalized(val, ctx.device), ctx.train.labels[val].to(ctx.device)
    _, _, t_dir = teacher_stage(ctx, p['model'], p['model_kwargs'], p['teacher'], out/'zoo')
    s = study_seed * 100_003 + net; seed_everything(s)          # cn_study's seed for network `net` (tutorial 22's ekgcn03 tests the widths match)
    teacher = ctx.build(p['model'], p['model_kwargs']); load_state(teacher, t_dir/'model.pt'); teacher.eval()
    rs = random_subnetwork(teacher, xv, yv, p['flops_target'], seed=s, trials=p['trials'], l1_trials=p['l1_trials'])
    start, ft = slice_state(teacher, rs['final']).state_dict(), p['finetune']
    for k in ft_seeds:
        f = out/'ft-noise'/f"net{net}-seed{k}.json"
        if f.exists(): log(f"[net {net}, fine-tune seed {k}] read back: {read_json(f)}"); continue
        sub = slice_state(teacher, rs['final']); sub.load_state_dict(start)
        t0 = time.perf_counter()
        loader = InMemoryLoader(ctx.train, ft['batch_size'], shuffle=True, augment=True, seed=k, device=ctx.device)
        fit(sub, loader, None, epochs=ft['epochs'], lr=ft['lr'], schedule=ft['schedule'],
            weight_decay=ft['weight_decay'], select=None, seed=s, progress=False)
        te = evaluate(sub, ctx.eval_loader('test'))
        row = dict(net=net, study_seed=study_seed, ft_seed=k, widths=sub.cfg, potential_loss=te['loss'], test_acc=te['acc'],
                   seconds=time.perf_counter() - t0)
        atomic_write_json(row, f); log(f"[net {net}, fine-tune seed {k}] {row}")

def status(out):
    from prunekd.core import safe_load
    dirs = [d for f in ('runs-ekg', 'runs-ekg-study') if (out/f/'stages').exists() for d in sorted((out/f/'stages').iterdir())]
    for d in (d for d in dirs if not d.name.startswith('.')):
        c = json.loads((d/'config.json').read_text()) if (d/'config.json').exists() else {}
        what = {k: c[k] for k in ('seed', 'score', 'members', 'net') if k in c}
        if (d/'record.json').exists(): print(f"done     {d.name} {what}")
        elif (d/'checkpoint.pt').exists():
            h = safe_load(d/'checkpoint.pt')['history']
            print(f"running  {d.name} {what}: {len(h)} epochs, last {h[-1]['seconds']:.0f} s")
        else: print(f"started  {d.name} {what}")

TIMINGS = {'seconds', 'images_per_s', 'train_seconds', '_integrity'}   # what a retrained teacher may change (and the checksums over it)

def _untimed(x):
    "A JSON value without its `TIMINGS` keys, at any depth."
    if isinstance(x, dict): return {k: _untimed(v) for k, v in x.items() if k not in TIMINGS}
    return [_untimed(v) for v in x] if isinstance(x, list) else x

def pack(out, to):
    """Copy config.json and record.json of every finished stage in DIR/runs-ekg (and DIR/runs-ekg-study) to TO/stages, and of
    the zoo teachers they name to TO/zoo: the records `prunekd.ekg.finished_cells` reads, without the weights. A record
    already in TO with other contents is not overwritten (it names the conflict and stops), except a zoo teacher retrained
    on a fresh machine whose records differ from the committed ones only in `TIMINGS`: the committed record is kept.
    The rows of `ft-noise` (DIR/ft-noise/*.json) go to TO/ft-noise."""
    import shutil
    from prunekd.core import read_record
    names, teachers = [], set()
    for f in ('runs-ekg', 'runs-ekg-study'):
        for d in sorted((out/f/'stages').glob('*-*')) if (out/f/'stages').exists() else []:
            if not (d/'record.json').exists(): continue
            read_record(d)                                  # its checksum
            c = json.loads((d/'config.json').read_text())
            if 'teacher' in c: teachers.add(f"teacher-{c['teacher']}")
            names.append((d, to/'stages'/d.name))
    zoo = [(out/'zoo'/t, to/'zoo'/t) for t in sorted(teachers) if (out/'zoo'/t/'record.json').exists()]
    new = 0
    for src, dst in names + zoo:
        dst.mkdir(parents=True, exist_ok=True)
        files = [fn for fn in ('config.json', 'record.json', 'metrics.json') if (src/fn).exists()]
        differ = [fn for fn in files if (dst/fn).exists() and (dst/fn).read_bytes() != (src/fn).read_bytes()]
        if differ and (src, dst) in zoo and all(_untimed(json.loads((src/fn).read_text())) == _untimed(json.loads((dst/fn).read_text()))
                                                for fn in differ):
            log(f"{src.name}: retrained here with the committed results (timings aside); the committed record is kept")
            continue
        if differ: raise SystemExit(f"{dst/differ[0]} differs from {src/differ[0]}: not overwritten")
        for fn in (fn for fn in files if not (dst/fn).exists()): shutil.copy2(src/fn, dst/fn); new += 1
    for f in sorted((out/'ft-noise').glob('net*-seed*.json')) if (out/'ft-noise').exists() else []:   # ft-noise's rows
        dst = to/'ft-noise'/f.name
        if dst.exists() and dst.read_bytes() != f.read_bytes(): raise SystemExit(f"{dst} differs from {f}: not overwritten")
        if not dst.exists(): dst.parent.mkdir(parents=True, exist_ok=True); shutil.copy2(f, dst); new += 1
    log(f"{len(names)} finished stages and {len(zoo)} teachers in {to}, {new} files new")

def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('cmd', choices=['teacher', 'one', 'study', 'study-helper', 'ft-noise', 'status', 'pack'])
    ap.add_argument('seed', type=int, nargs='?')
    ap.add_argument('--out', type=Path, default=Path.home()/'.cache'/'prunekd'/'standard-cpu')
    ap.add_argument('--to', type=Path, default=Path('evidence/ekg-standard-cpu'), help='pack: the evidence folder')
    ap.add_argument('--model', default=None, help="replaces the preset's model (resnet56), e.g. resnet20")
    ap.add_argument('--parts', nargs='+', choices=['table1', 'table2'], default=['table1', 'table2'])
    ap.add_argument('--cells', nargs='+', default=None, help="one: only these Table 2 cells, in this order, as search/fine-tune (e.g. ensemble/ensemble)")
    ap.add_argument('--threads', type=int, default=None,
                    help="CPU threads of this process (default: 2 for teacher, whose record states its count; 1 for the others, "
                         "which run two processes side by side on the two cores)")
    ap.add_argument('--networks', type=int, default=30, help='study: random sub-networks (default 30)')
    ap.add_argument('--nets', type=int, nargs='+', default=None,
                    help="study, study-helper: only these networks, in this order, no study record (e.g. a later session's share)")
    ap.add_argument('--net', type=int, default=None, help='ft-noise: the study network whose fine-tune is repeated')
    ap.add_argument('--ft-seeds', type=int, nargs='+', default=[101, 102, 103], help="ft-noise: the training loader's seeds (default 101 102 103; the study's is its --seed)")
    ap.add_argument('--seed', dest='study_seed', type=int, default=0, help="study: the teacher's seed (default 0)")
    a = ap.parse_args()
    threads = a.threads if a.threads is not None else 2 if a.cmd == 'teacher' else 1
    if threads < 1: ap.error(f"--threads must be >= 1, got {threads}")
    if a.cmd != 'teacher':
        import torch
        torch.set_num_threads(threads)
    if a.cmd in ('one', 'teacher') and a.seed is None: ap.error(f"{a.cmd}: give the seed, e.g. `{a.cmd} 0`")
    if a.cmd == 'teacher': teacher(a.out, a.seed, a.model, threads)
    elif a.cmd == 'one':
        cells = None
        if a.cells:
            bad = [c for c in a.cells if c.count('/') != 1]
            if bad: ap.error(f"--cells: give each cell as search/fine-tune, e.g. ensemble/none; got {bad}")
            cells = [tuple(c.split('/')) for c in a.cells]
        one(a.out, a.seed, a.model, a.parts, cells)
    elif a.cmd in ('study', 'study-helper'): study(a.out, a.model, a.networks, a.study_seed, helper=a.cmd == 'study-helper', nets=a.nets)
    elif a.cmd == 'ft-noise':
        if a.net is None or a.net < 0: ap.error("ft-noise: give the study network, e.g. --net 15")
        ft_noise(a.out, a.model, a.net, a.ft_seeds, a.study_seed)
    elif a.cmd == 'pack': pack(a.out, a.to)
    else: status(a.out)

if __name__ == '__main__': main()
