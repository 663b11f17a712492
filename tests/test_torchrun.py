"""`fit` under `torchrun` (issue 14 §4): two CPU processes (gloo) train one DistributedDataParallel model with the
global batch split between them, and must give the per-epoch losses and the final weights of a single process with
the same global batch (to float tolerance: the gradient all-reduce sums in another order), including a ragged last
batch shared 11/10; only rank 0 writes the checkpoint and the run record, and every rank returns the record; a run
killed after epoch 2 (every rank exits, as when a node dies) and started again resumes from rank 0's checkpoint and
ends exactly where an uninterrupted two-process run ends."""
import json, os, subprocess, sys, textwrap
from pathlib import Path
import torch

WORKER = textwrap.dedent('''
    import json, os, sys
    from pathlib import Path
    import torch, torch.nn as nn
    from prunekd.core import init_distributed, is_main_process, run_once
    from prunekd.data import ImageData, InMemoryLoader
    from prunekd.train import fit, Callback
    rank, world = init_distributed()
    out, stop = Path(sys.argv[1]), int(sys.argv[2])
    g = torch.Generator().manual_seed(0)
    data = ImageData(torch.randint(0, 256, (117, 1, 8, 8), generator=g, dtype=torch.uint8), torch.randint(0, 4, (117,), generator=g),
                     list(range(4)), (0.5,), (0.25,))
    torch.manual_seed(0)
    model = nn.Sequential(nn.Conv2d(1, 4, 3, padding=1), nn.ReLU(), nn.Flatten(), nn.Linear(4 * 64, 4))
    class Kill(Callback):
        def after_epoch(self, epoch, rec):
            if epoch == stop: os._exit(3)      # dies right after epoch `stop` was checkpointed
    def job(run):
        dl = InMemoryLoader(data, 32, shuffle=True, augment=True, seed=0, device='cpu')   # 4 batches, the last of 21 images
        h = fit(model, dl, None, epochs=4, lr=0.05, schedule='cosine', select=None, run=run, amp=False, channels_last=False,
                progress=False, seed=0, callbacks=[Kill()] if stop else [])
        run.save_model(model)
        return {'losses': [r['train_loss'] for r in h['history']], 'world': world}
    rec = run_once(out / 'runs', {'toy': 1}, job, name='toy', log=None)
    torch.save(model.state_dict(), out / f'weights{rank}.pt')
    (out / f'record{rank}.json').write_text(json.dumps(rec))
''')


def _launch(tmp, out, nproc, stop=0):
    script = tmp/'worker.py'; script.write_text(WORKER)
    env = {**os.environ, 'OMP_NUM_THREADS': '1', 'PYTHONUNBUFFERED': '1'}
    cmd = ([sys.executable, str(script)] if nproc == 1 else
           [sys.executable, '-m', 'torch.distributed.run', '--standalone', f'--nproc_per_node={nproc}', str(script)])
    return subprocess.run(cmd + [str(out), str(stop)], env=env, capture_output=True, text=True, timeout=300)


def test_fit_under_torchrun(tmp_path):
    single, ddp, resumed = tmp_path/'single', tmp_path/'ddp', tmp_path/'resumed'
    for out, n in ((single, 1), (ddp, 2)):
        r = _launch(tmp_path, out, n); assert r.returncode == 0, r.stderr[-3000:]
    r1 = json.loads((single/'record0.json').read_text())
    r2 = [json.loads((ddp/f'record{k}.json').read_text()) for k in (0, 1)]
    assert r2[0] == r2[1] and r2[0]['world'] == 2 and r1['world'] == 1          # every rank returns rank 0's record
    assert all(abs(a - b) < 1e-5 for a, b in zip(r1['losses'], r2[0]['losses'])), (r1['losses'], r2[0]['losses'])
    w1, w2 = torch.load(single/'weights0.pt'), [torch.load(ddp/f'weights{k}.pt') for k in (0, 1)]
    for k in w1:
        assert torch.equal(w2[0][k], w2[1][k]), k                                # DDP keeps the replicas identical
        assert torch.allclose(w1[k], w2[0][k], atol=1e-5, rtol=1e-4), (k, (w1[k] - w2[0][k]).abs().max())
    run_dir = next((ddp/'runs').glob('toy-*'))
    assert (run_dir/'record.json').exists() and (run_dir/'model.pt').exists()
    assert not list(run_dir.glob('.*.tmp'))                                       # one writer: no stray temporary files
    # killed after epoch 2 on every rank, then started again: resumes from the checkpoint and ends as the uninterrupted run
    r = _launch(tmp_path, resumed, 2, stop=2); assert r.returncode != 0
    ck_dir = next((resumed/'runs').glob('toy-*')); assert not (ck_dir/'record.json').exists()
    assert len(json.loads((ck_dir/'metrics.json').read_text())) == 2            # two epochs were kept
    r = _launch(tmp_path, resumed, 2); assert r.returncode == 0, r.stderr[-3000:]
    w3 = torch.load(resumed/'weights0.pt')
    for k in w3: assert torch.equal(w3[k], w2[0][k]), k
    assert json.loads((resumed/'record0.json').read_text())['losses'] == r2[0]['losses']
