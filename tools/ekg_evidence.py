"""Run EKG's Table 1 (L1 vs Taylor vs EKG scoring) and Table 2 (the guidance x fine-tuning ablation) of issue 12 at the
`standard` budget (the whole Fashion-MNIST training split, 256/32 images per class for D_subset/D_val, 15 epochs of
fine-tuning), one process per seed, so that several cores (or one GPU) are used.

    python tools/ekg_evidence.py one SEED --out DIR [--model resnet20] [--parts table1 table2]
    python tools/ekg_evidence.py status --out DIR          # finished stages and the fine-tunings under way (epochs done)

`--model` replaces the preset's ResNet-56 (on this book's 2-core CPU a ResNet-56 fine-tune of 15 epochs on two views
takes several hours; the CPU evidence uses the ResNet-20 with projection shortcuts). The teachers are the zoo's
`standard` teachers in DIR/zoo (those the Rethinking and Park & No evidence use when DIR is the same cache), the stages
go to DIR/runs-ekg. Every stage is a resumable run record, and a fine-tuning checkpoints after each epoch: rerunning a
command after an interruption continues where it stopped. Table 1's Taylor and EKG rows are Table 2's (none, none) and
(ensemble, none) cells: they share their stages, so the second table reuses them. The tutorial's slow cell then reads
every stage back with all seeds at once and writes the committed JSON.
"""
import argparse, json, time
from pathlib import Path

def log(*a): print(time.strftime('%H:%M:%S'), *a, flush=True)

def one(out, seed, model, parts):
    from prunekd.ekg import compare_scoring, ablation
    ov = {'model': model} if model else {}
    kw = dict(preset='standard', seeds=[seed], overrides=ov, out=out/'runs-ekg', zoo=out/'zoo', progress=True, log=log)
    if 'table1' in parts:
        t0 = time.perf_counter(); compare_scoring(**kw); log(f"seed {seed}: table 1 done ({time.perf_counter() - t0:.0f} s)")
    if 'table2' in parts:
        t0 = time.perf_counter(); ablation(**kw); log(f"seed {seed}: table 2 done ({time.perf_counter() - t0:.0f} s)")

def status(out):
    import torch
    st = out/'runs-ekg'/'stages'
    for d in sorted(st.iterdir()) if st.exists() else []:
        c = json.loads((d/'config.json').read_text()) if (d/'config.json').exists() else {}
        what = {k: c[k] for k in ('seed', 'score', 'members') if k in c}
        if (d/'record.json').exists(): print(f"done     {d.name} {what}")
        elif (d/'checkpoint.pt').exists():
            h = torch.load(d/'checkpoint.pt', weights_only=True)['history']
            print(f"running  {d.name} {what}: {len(h)} epochs, last {h[-1]['seconds']:.0f} s")
        else: print(f"started  {d.name} {what}")

def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('cmd', choices=['one', 'status'])
    ap.add_argument('seed', type=int, nargs='?')
    ap.add_argument('--out', type=Path, default=Path.home()/'.cache'/'prunekd'/'standard-cpu')
    ap.add_argument('--model', default=None, help="replaces the preset's model (resnet56), e.g. resnet20")
    ap.add_argument('--parts', nargs='+', choices=['table1', 'table2'], default=['table1', 'table2'])
    a = ap.parse_args()
    if a.cmd == 'one':
        if a.seed is None: ap.error("one: give the seed, e.g. `one 0`")
        one(a.out, a.seed, a.model, a.parts)
    else: status(a.out)

if __name__ == '__main__': main()
