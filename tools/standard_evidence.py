"""Run the `standard`-budget evidence of issue 10: the zoo's standard teachers (bf16 and fp32, 3 seeds), Park & No at
36/59/79 % with the "trained longer" control, Rethinking (l1, slimming, magnitude) and KESI (PFEC), one process per (pipeline, seed)
so that all cores (or one GPU) are used, then one merged 3-seed record per pipeline.

    python tools/standard_evidence.py teachers  --out DIR [--seeds 0 1 2] [--jobs 6]
    python tools/standard_evidence.py pipelines --out DIR [--seeds 0 1 2] [--jobs 12] [--names pkd magnitude l1 slimming] [--sparsities ...]
    python tools/standard_evidence.py merge     --out DIR [--names ...] [--sparsities ...]
    python tools/standard_evidence.py pack      --out DIR --to FILE.tar.gz   # the JSON records only, no weights
    python tools/standard_evidence.py teachers-eq7 --out DIR --to FILE.json [--sparsities 0.59]   # pkd's teachers, before its students finish
    python tools/standard_evidence.py combine   --names pkd --from DIR [DIR ...] --to DIR2   # per-seed records (of separate sessions) -> one
    python tools/standard_evidence.py one pkd-helper SEED --out DIR --sparsities 0.79   # a second process for `one pkd SEED`
    python tools/standard_evidence.py one slimming SEED --out DIR --slimming-s 1e-3     # slimming with another L1 penalty s
    python tools/standard_evidence.py export --names magnitude --settings 0.95 --out DIR --to evidence/standard/cpu/magnitude95

`one pkd-helper` lets two one-thread processes share one pkd seed on two cores: started next to `one pkd SEED`, it takes
the control chain first and the students in reverse order (the stages the pipeline reaches last), with the same stage
configurations, so the pipeline finds them finished (or waits on their lock) and its record is the one it would write alone.

On one GPU, start NVIDIA's MPS daemon first (`nvidia-cuda-mps-control -d`) so that the processes share the GPU instead
of time-slicing it: without MPS six ResNet-20 teachers side by side on an H100 ran at about 4,000 images/s each. The
committed pipeline runs used MPS; its speed-up was not measured separately.
The zoo is DIR/zoo, the pipelines' folder DIR/runs. Every stage is a resumable run record: rerunning a command after an
interruption continues where it stopped. Processes may share stages: a per-stage lock makes the second one wait and read
the finished stage (`prunekd.core.run_once`).
"""
import argparse, json, os, subprocess, sys, tarfile, time
from pathlib import Path

SEEDS = [0, 1, 2]
RESNET = {'shortcut': 'B'}

def _teacher(out, seed, fp32):
    from prunekd.runs import pretrained, RECIPES
    r = RECIPES['standard']
    if fp32: r = {**r, 'spec': {**r['spec'], 'amp': False}}
    _, rec = pretrained('resnet20', 'fashion_mnist', r, seed, RESNET, zoo=out/'zoo', progress=False)
    print(json.dumps({k: rec[k] for k in ('seed', 'precision', 'test_acc', 'train_seconds', 'machine')}), flush=True)

def _pipeline(out, name, seed, sparsities=None, settings=None, slimming_s=None):
    seeds = [seed] if seed is not None else SEEDS
    if name == 'pkd':
        from prunekd.pkd import prune_then_distill
        res = prune_then_distill(preset='standard', seeds=seeds, sparsities=sparsities, self_distill=False, control=True, out=out/'runs',
                                 zoo=out/'zoo', progress=False)
    elif name == 'kesi':
        from prunekd.kesi import kesi
        res = kesi('pfec', preset='standard', seeds=seeds, out=out/'runs', zoo=out/'zoo', progress=False)
    else:
        from prunekd.rethinking import rethinking
        res = rethinking(name, preset='standard', seeds=seeds, settings=settings, extras=name != 'magnitude', out=out/'runs', zoo=out/'zoo', progress=False,
                         slimming_s=slimming_s)
    print(f"{name} seeds {seeds}: {res['seconds']:.0f} s", flush=True)

def teachers_eq7(out, to, sparsities=None, seeds=SEEDS):
    """Park & No's teacher-side measurements at each sparsity, per seed, from the finished pruning and control rounds of
    `pipelines --names pkd` (before its students finish): test top-1 and Eq. 7's mean log p(true class) on the training
    split of the unpruned teacher, the pruned teacher and the control (the unpruned teacher retrained for as many
    rounds, not pruned), the same functions and data as `prune_then_distill`'s rows. Writes `to` (JSON rows)."""
    from prunekd.core import read_json, atomic_write
    from prunekd.runs import StageContext, teacher_stage, RECIPES
    from prunekd.pkd import PRESETS
    from prunekd.prune import load_masked, rounds_for_sparsity, sparsity_of
    from prunekd.metrics import predict, accuracy, true_class_logprob
    p = PRESETS['standard']
    stages = [(d, read_json(d/'config.json')) for d in sorted((out/'runs'/'stages').iterdir()) if (d/'record.json').exists()]
    rows = []
    for sp in (sparsities or p['sparsities']):
        k = rounds_for_sparsity(sp, 0.2)
        for seed in seeds:
            ctx = StageContext(p['dataset'], seed, out/'runs', p['train_subset'], p['val_subset'], p['test_subset'], progress=False)
            _, _, tdir = teacher_stage(ctx, p['model'], p['model_kwargs'], p['teacher'], out/'zoo')
            found = {name: [d for d, c in stages if c.get('stage') == 'prune_round' and c['seed'] == seed and c['round'] == k - 1 and (c['rate'] > 0) == pruned]
                     for name, pruned in (('pruned', True), ('control', False))}
            if any(len(v) != 1 for v in found.values()): raise SystemExit(f"seed {seed}, {sp}: round {k} stages {found}")
            row = dict(sparsity=sp, seed=seed, rounds=k, stages={'teacher': tdir.name, **{n: v[0].name for n, v in found.items()}})
            test, train = ctx.eval_loader('test'), ctx.eval_loader('train')
            for name, d in (('unpruned', tdir), ('pruned', found['pruned'][0]), ('control', found['control'][0])):
                net = ctx.build(p['model'], p['model_kwargs']); load_masked(net, d/'model.pt')
                lt, yt = predict(net, test); lr_, yr = predict(net, train)
                row.update({f'acc_{name}': accuracy(lt, yt)[0], f'logp_true_{name}': true_class_logprob(lr_, yr), f'sparsity_{name}': sparsity_of(net, 'conv_linear')})
            print(json.dumps(row), flush=True); rows.append(row)
    atomic_write(to, lambda f: f.write(json.dumps({'preset': 'standard', 'rows': rows}, indent=1).encode()))

def pkd_helper(out, seed, sparsities=None):
    """The stages of `prune_then_distill(preset='standard', seeds=[seed], control=True, self_distill=False)` in the
    order its pipeline reaches them last: the control rounds, then (after the pipeline's pruning rounds) the students
    kd_control, kd_pruned, kd_unpruned, scratch, for each sparsity from the highest down. Same stage configurations as
    the pipeline (`pkd.prune_round`, `pkd.student_arch`, `pkd.train_student`), so every stage is computed once and shared via its lock."""
    from prunekd.core import config_hash
    from prunekd.runs import StageContext, teacher_stage
    from prunekd.pkd import resolve_preset, prune_round, train_student, student_arch
    from prunekd.prune import load_masked, rounds_for_sparsity
    p = resolve_preset('standard'); model, mk, rate, scope = p['model'], p['model_kwargs'], 0.2, 'conv_linear'
    sps = sorted(sparsities or p['sparsities'])
    ctx = StageContext(p['dataset'], seed, out/'runs', p['train_subset'], p['val_subset'], p['test_subset'], progress=False)
    t_cfg, _, tdir = teacher_stage(ctx, model, mk, p['teacher'], out/'zoo')
    k_max = rounds_for_sparsity(sps[-1], rate)
    chains = {}
    for pruning in (False, True):       # the control chain first: the pipeline computes it second in every round
        parent, pdir, chain = t_cfg, tdir, []
        for r in range(k_max):
            print(f"{time.strftime('%H:%M:%S')} seed {seed} {'pruning' if pruning else 'control'} round {r+1}/{k_max}", flush=True)
            parent, _, pdir = prune_round(ctx, parent, pdir, r, model, mk, p['prune'], rate if pruning else 0., scope)
            chain.append((parent, pdir))
        chains[pruning] = chain
    for sp in reversed(sps):
        k = rounds_for_sparsity(sp, rate)
        (p_cfg, p_dir), (c_cfg, c_dir) = chains[True][k-1], chains[False][k-1]
        pruned = ctx.build(model, mk); load_masked(pruned, p_dir/'model.pt')
        arch, _, _ = student_arch(pruned, model, mk, ctx.num_classes, ctx.in_chans)
        for kind, teachers, tag in (('kd_control', [(model, mk, c_dir/'model.pt')], config_hash(c_cfg)),
                                    ('kd_pruned', [(model, mk, p_dir/'model.pt')], config_hash(p_cfg)),
                                    ('kd_unpruned', [(model, mk, tdir/'model.pt')], config_hash(t_cfg)), ('scratch', [], None)):
            print(f"{time.strftime('%H:%M:%S')} seed {seed} {sp:.0%} student {kind}", flush=True)
            train_student(ctx, kind, arch, teachers, p['kd'], tag)
    print(f"{time.strftime('%H:%M:%S')} seed {seed}: helper done", flush=True)

KINDS = {'pkd': ('pkd', 'prunekd.pkd'), 'kesi': ('kesi', 'prunekd.kesi')}   # anything else is a Rethinking method

def combine(name, sources, to):
    """One record from the per-seed pipeline records of `name` (pkd, kesi or a Rethinking method) found under the
    folders `sources`, which must be runs of one configuration that differ only in their seeds (`runs.combine_seeds`;
    their stage folders need not exist): written to `to/<kind>-<hash>`, the folder the all-seeds pipeline would write."""
    import importlib
    from prunekd.runs import find_records, combine_seeds
    from prunekd.core import run_once
    kind, module = KINDS.get(name, ('rethinking', 'prunekd.rethinking'))
    recs = [d for s in sources for d in find_records(s, kind)]
    both = combine_seeds(recs, importlib.import_module(module).summarize)
    rec = run_once(to, both['config'], lambda run: both, kind, log=None)
    print(f"{kind} seeds {rec['config']['seeds']} from {len(recs)} records -> {to}", flush=True)

def _spawn(jobs, args_list, log_dir):
    "Run `python tools/standard_evidence.py one ...` for each args, at most `jobs` at a time; return the exit codes."
    log_dir.mkdir(parents=True, exist_ok=True)
    pending, running, codes = list(args_list), [], {}
    while pending or running:
        while pending and len(running) < jobs:
            a = pending.pop(0); name = '-'.join(a[:2])
            f = open(log_dir/f'{name}.log', 'w')
            running.append((name, subprocess.Popen([sys.executable, __file__, 'one', *a], stdout=f, stderr=subprocess.STDOUT), f))
        time.sleep(2)
        for item in list(running):
            name, proc, f = item
            if proc.poll() is not None:
                f.close(); running.remove(item); codes[name] = proc.returncode
                print(f"{time.strftime('%H:%M:%S')} {name}: exit {proc.returncode}", flush=True)
    return codes

def pack(out, to):
    "A tar.gz of every JSON file under `out` (records, configs, metrics; no weights)."
    with tarfile.open(to, 'w:gz') as tar:
        for p in sorted(out.rglob('*.json')): tar.add(p, arcname=p.relative_to(out).as_posix())
        for p in sorted(out.rglob('*.log')): tar.add(p, arcname=p.relative_to(out).as_posix())

def export(out, to, name, settings=None, slimming_s=None):
    """Copy the finished records of the Rethinking pipeline `name` (l1, slimming, magnitude) in `out/runs` (JSON only) into
    the evidence folder `to`: one-seed records to `to/seeds/`, records of several seeds to `to/`, and every stage record
    their rows name under `out/runs/stages` to `to/stages/` (the zoo's teachers are committed with the zoo). A record is
    taken when its method matches and, where given, its settings; for slimming also its penalty (None: the default).
    Runs without a record (unfinished) are skipped. Raises ValueError for pkd or kesi, whose rows name only their last
    stages. Returns the copied record folders' names."""
    import shutil
    if name in ('pkd', 'kesi'): raise ValueError(f"export: {name!r} records name only their last stages; copy its stage folders by hand")
    runs, done = out/'runs', []
    for d in sorted(runs.glob('rethinking-*')):
        if not (d/'record.json').exists(): continue
        rec = json.loads((d/'record.json').read_text()); c = rec['config']
        if (c['method'] != name or (settings and c['settings'] != list(settings))
                or (name == 'slimming' and c.get('slimming_s') != slimming_s)): continue
        dst = (to/'seeds' if len(c['seeds']) == 1 else to)/d.name
        dst.mkdir(parents=True, exist_ok=True)
        for f in ('config.json', 'record.json'): shutil.copy(d/f, dst/f)
        for row in rec['rows']:
            for rel in row['stages'].values():
                st = (runs/rel).resolve()                                    # relative to the runs folder; a zoo teacher is absolute
                if st.parent != (runs/'stages').resolve(): continue
                (to/'stages'/st.name).mkdir(parents=True, exist_ok=True)
                for f in ('config.json', 'record.json', 'metrics.json'):
                    if (st/f).exists(): shutil.copy(st/f, to/'stages'/st.name/f)
        done.append(d.name)
    print(f"{name}: {len(done)} record(s) -> {to}: {', '.join(done) or 'none'}")
    return done

def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('cmd', choices=['teachers', 'pipelines', 'merge', 'pack', 'one', 'teachers-eq7', 'combine', 'export'])
    ap.add_argument('rest', nargs='*')
    ap.add_argument('--out', type=Path, default=Path.home()/'.cache'/'prunekd'/'standard')
    ap.add_argument('--seeds', type=int, nargs='+', default=SEEDS)
    ap.add_argument('--jobs', type=int, default=os.cpu_count())
    ap.add_argument('--to', type=Path)
    ap.add_argument('--from', dest='sources', type=Path, nargs='+', help='combine: folders holding the per-seed records')
    ap.add_argument('--names', nargs='+', default=['pkd', 'magnitude', 'l1', 'slimming', 'kesi'], help='pipelines (pkd, kesi or a Rethinking method)')
    ap.add_argument('--settings', type=float, nargs='+', default=None, help="Rethinking settings (default: the preset's)")
    ap.add_argument('--sparsities', type=float, nargs='+', default=None, help="pkd's sparsities (default: the preset's 36/59/79 %%)")
    ap.add_argument('--slimming-s', type=float, default=None, help="slimming's L1 penalty on the BN scales (default: the slimming code's, 1e-4 for VGG)")
    a = ap.parse_args()
    out = a.out
    if a.cmd == 'one':
        kind, *rest = a.rest
        if kind == 'teacher': _teacher(out, int(rest[0]), rest[1] == 'fp32')
        elif kind == 'pkd-helper': pkd_helper(out, int(rest[0]), a.sparsities)
        else: _pipeline(out, kind, int(rest[0]), a.sparsities, a.settings, a.slimming_s)
        return
    if a.cmd == 'teachers':
        codes = _spawn(a.jobs, [['teacher', str(s), p, '--out', str(out)] for p in ('bf16', 'fp32') for s in a.seeds], out/'logs')
    elif a.cmd == 'pipelines':
        sp = ['--sparsities', *map(str, a.sparsities)] if a.sparsities else []
        st = ['--settings', *map(str, a.settings)] if a.settings else []
        sl = ['--slimming-s', str(a.slimming_s)] if a.slimming_s is not None else []
        codes = _spawn(a.jobs, [[name, str(s), '--out', str(out), *(sp if name == 'pkd' else st), *(sl if name == 'slimming' else [])]
                                for name in a.names for s in a.seeds], out/'logs')
    elif a.cmd == 'merge':
        for name in a.names: _pipeline(out, name, None, a.sparsities, a.settings, a.slimming_s)
        codes = {}
    elif a.cmd == 'teachers-eq7':
        teachers_eq7(out, a.to, a.sparsities, a.seeds); codes = {}
    elif a.cmd == 'combine':
        for name in a.names: combine(name, a.sources, a.to)
        codes = {}
    elif a.cmd == 'export':
        if a.to is None: ap.error('export needs --to FOLDER (the evidence folder to write)')
        for name in a.names: export(out, a.to, name, a.settings, a.slimming_s)
        codes = {}
    else:
        pack(out, a.to); codes = {}
    if any(codes.values()): sys.exit(1)

if __name__ == '__main__': main()
