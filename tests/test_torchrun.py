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
    from prunekd.core import init_distributed, leave_distributed, is_main_process, run_once
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
    leave_distributed()
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


def test_two_nodes_rendezvous(tmp_path):
    "Two `torchrun` launchers, one process each, meeting through a c10d rendezvous on 127.0.0.1 (two 'nodes' on one machine)."
    import socket
    with socket.socket() as s: s.bind(('127.0.0.1', 0)); port = s.getsockname()[1]
    script = tmp_path/'worker.py'; script.write_text(WORKER)
    env = {**os.environ, 'OMP_NUM_THREADS': '1'}
    out = tmp_path/'nodes'
    nodes = [subprocess.Popen([sys.executable, '-m', 'torch.distributed.run', '--nnodes=2', '--nproc_per_node=1', '--rdzv-backend=c10d',
                               f'--rdzv-endpoint=127.0.0.1:{port}', '--rdzv-id=prunekd-test', str(script), str(out), '0'],
                              env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True) for _ in range(2)]
    logs = [p.communicate(timeout=300)[0] for p in nodes]
    assert all(p.returncode == 0 for p in nodes), logs
    single = tmp_path/'single'; r = _launch(tmp_path, single, 1); assert r.returncode == 0, r.stderr[-3000:]
    w1, w2 = torch.load(single/'weights0.pt'), torch.load(out/'weights0.pt')
    for k in w1: assert torch.allclose(w1[k], w2[k], atol=1e-5, rtol=1e-4), k
    assert json.loads((out/'record1.json').read_text())['world'] == 2


def test_pipeline_under_torchrun(tmp_path):
    "`prunekd run pkd` (zoo teacher, pruning rounds with rewinding, three students) as two processes on a miniature budget."
    from prunekd.data import find_fashion_mnist, DatasetNotFoundError
    import pytest
    try: find_fashion_mnist(download=False)
    except (DatasetNotFoundError, FileNotFoundError) as e: pytest.skip(f"no Fashion-MNIST here: {e}")
    tiny = ['train_subset=600', 'val_subset=200', 'test_subset=500', 'teacher.epochs=1', 'prune.epochs=1', 'kd.epochs=1']
    cmd = [sys.executable, '-m', 'torch.distributed.run', '--standalone', '--nproc_per_node=2', '-m', 'prunekd.cli', 'run', 'pkd',
           '--sparsity', '0.36', '--seeds', '0', '--no-self-distill', '--out', str(tmp_path/'pkd'), '--zoo', str(tmp_path/'zoo'),
           '--no-progress'] + [a for o in tiny for a in ('--override', o)]
    r = subprocess.run(cmd, env={**os.environ, 'OMP_NUM_THREADS': '1'}, capture_output=True, text=True, timeout=600)
    assert r.returncode == 0, r.stderr[-3000:]
    assert r.stdout.count('student, KD from pruned teacher') == 1            # one table: only rank 0 prints
    stages = [c.parent for c in tmp_path.rglob('config.json')]                 # every stage folder: zoo teacher, rounds, students, pipeline
    assert len(stages) >= 6 and all((d/'record.json').exists() for d in stages), sorted(d.name for d in stages)
    assert not [p for d in stages for p in d.glob('.*.tmp')]
    assert (tmp_path/'pkd'/'report.md').exists()
