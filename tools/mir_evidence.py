"""Run MiR's Table 12 (issue 13) at the `standard` budget on the CPU, one process per group of K, so that both cores
are used; the tutorial's slow cell reads the stages back into one record.

    python tools/mir_evidence.py one K [K ...] --out DIR [--model resnet20 --shortcut B] [--plan unstructured] [--trials 3] [--methods ...]
    python tools/mir_evidence.py status --out DIR

The `standard` preset's teacher is a ResNet-56 with option-A slicing shortcuts. On this book's 2-core CPU the CPU
evidence uses the zoo's standard ResNet-20 with projection shortcuts instead (`--model resnet20 --shortcut B`, the
teachers the Rethinking, Park & No and EKG CPU evidence share when DIR is the same cache): `benchmarks/bench_mir.py
--model resnet20 --shortcut B` puts a 2,000-iteration run of its Res-50% student at about 4 minutes on one thread, the
grid at most about 6 hours of one thread. Only the seed-0 teacher is used (the trials vary the few-sample sets, as in
the appendix). The stages go to DIR/runs-mir, the teacher comes from DIR/zoo; every (method, K, trial) is a resumable
stage record, so rerunning a command after an interruption continues where it stopped.

`one` runs `mir(preset='standard', samples=[K, ...])` for the given K. `--plan unstructured` runs the appendix's Table 11
protocol instead of Res-50% (90 % of every conv but the first, pruned progressively); its default methods are the
preset's that have an unstructured form (BP, KD, CD, MiR_before, MiR_after), and Table 11 itself compares
`--methods cd mir_before`. `status` counts the finished trials per plan, K and method. The tutorial's slow cell
(`24_tutorial_mir`) then calls `mir` with every K, which reads the finished stages back and writes the pipeline
record, and copies the records (no weights) into evidence/standard/cpu/mir.
"""
import argparse, json, time
from pathlib import Path

def log(*a): print(time.strftime('%H:%M:%S'), *a, flush=True)

def run(out, samples, a):
    from prunekd.mir import mir
    kw = {'shortcut': a.shortcut} if a.shortcut else None
    return mir(a.model, kw, a.plan, samples, a.trials, a.methods, 'standard', out=out/'runs-mir', zoo=out/'zoo', progress=False, log=log)

def status(out):
    d = out/'runs-mir'/'stages'
    done = [json.loads((s/'config.json').read_text()) for s in sorted(d.glob('mir-*')) if (s/'record.json').exists()] if d.exists() else []
    for plan in sorted({c['plan'] for c in done}):
        mine = [c for c in done if c['plan'] == plan]
        for k in sorted({c['k'] for c in mine}):
            print(f"{plan:<12} K={k:<3}", ' '.join(f"{m}:{sum(c['k'] == k and c['method'] == m for c in mine)}" for m in sorted({c['method'] for c in mine})))

def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('cmd', choices=['one', 'status'])
    ap.add_argument('samples', type=int, nargs='*', help='one: the K to run')
    ap.add_argument('--out', type=Path, default=Path.home()/'.cache'/'prunekd'/'standard-cpu')
    ap.add_argument('--model', default='resnet20', help="replaces the preset's resnet56 (default resnet20)")
    ap.add_argument('--shortcut', default='B', help="the model's shortcut (default B, the CPU zoo's; '' for the model's default)")
    ap.add_argument('--plan', default=None, help="a channel plan or 'unstructured' (Table 11; default: the preset's, res50)")
    ap.add_argument('--trials', type=int, default=None, help="few-sample sets per K (default: the preset's, 3)")
    ap.add_argument('--methods', nargs='+', default=None, help="default: the preset's (Table 12's six)")
    a = ap.parse_args()
    if a.cmd == 'one':
        if not a.samples: ap.error("one: give the K to run, e.g. `one 1 10`")
        t0 = time.perf_counter(); run(a.out, a.samples, a); log(f"K={a.samples}: done ({time.perf_counter() - t0:.0f} s)")
    else: status(a.out)

if __name__ == '__main__': main()
