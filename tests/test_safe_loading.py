"""Every public loader of prunekd refuses a crafted checkpoint whose unpickling would run code (issue 15).

The payload's `__reduce__` asks the unpickler to call `Path.touch(victim)`: with `weights_only=False` opening the file
would create `victim`. Each loader must raise `UnsafeFileError` naming the file, and `victim` must never appear. The
same holds for a file in PyTorch's legacy (non-zip) format."""
import json, pickle
from pathlib import Path
import pytest
import torch
from prunekd.core import UnsafeFileError, Run, safe_load, load_state, atomic_write_json
from prunekd.models import get_model


class Payload:
    def __init__(self, victim): self.victim = victim
    def __reduce__(self): return (Path.touch, (Path(self.victim),))


def _evil(path: Path, victim: Path, legacy: bool = False):
    "A state dict with real tensors plus the payload, saved as torch.save would (zip or legacy format)."
    obj = {**get_model('resnet20', num_classes=10, in_chans=1, width=0.25).state_dict(), 'extra': Payload(victim)}
    path.parent.mkdir(parents=True, exist_ok=True)
    torch.save(obj, path, _use_new_zipfile_serialization=not legacy)
    return path


def _fit_resume(evil, tmp):
    from prunekd.train import fit
    x, y = torch.randn(8, 1, 28, 28), torch.randint(0, 10, (8,))
    fit(get_model('resnet20', num_classes=10, in_chans=1, width=0.25), [(x, y)] * 2, epochs=1, lr=0.01, schedule='constant',
        select=None, checkpoint=evil, progress=False, device='cpu')


def _load_masked(evil, tmp):
    from prunekd.prune import load_masked
    load_masked(get_model('resnet20', num_classes=10, in_chans=1, width=0.25), evil)


def _run_load_model(evil, tmp):
    run = Run(tmp/'runs', {'x': 1}, 'stage')
    run.model_path.write_bytes(evil.read_bytes())
    run.load_model(get_model('resnet20', num_classes=10, in_chans=1, width=0.25))


def _tiny_imagenet_cache(evil, tmp):
    from prunekd.data import write_fake_tiny_imagenet, read_tiny_imagenet
    root = tmp/'tin'; write_fake_tiny_imagenet(root)
    base = root/'tiny-imagenet-200' if (root/'tiny-imagenet-200').is_dir() else root
    (base/'prunekd-train.pt').write_bytes(evil.read_bytes())          # the dataset cache replaced by the payload
    read_tiny_imagenet(root, 'train')


def _pretrained(evil, tmp):
    "A zoo teacher whose model.pt is the payload, under a record written before integrity checks (so the loader is reached)."
    from prunekd.runs import pretrained, teacher_stage, StageContext, RECIPES
    tiny = dict(train_subset=64, val_subset=32, val_fraction=0.1, split_seed=0,
                spec=dict(epochs=1, lr=0.05, batch_size=32, milestones=[], gamma=0.1, weight_decay=5e-4, nesterov=False))
    ctx = StageContext('fashion_mnist', 0, tmp/'zoo', 64, 32, None, device='cpu')
    cfg = dict(stage='teacher', **ctx.data_cfg, model='resnet20', model_kwargs={'width': 0.25}, spec=tiny['spec'], seed=0)
    run = Run(tmp/'zoo', cfg, 'teacher')
    run.model_path.write_bytes(evil.read_bytes()); atomic_write_json({'test_acc': 0.5}, run.record_path)
    pretrained('resnet20', 'fashion_mnist', tiny, 0, {'width': 0.25}, zoo=tmp/'zoo', device='cpu', progress=False)


def _pkd_checkpoints(evil, tmp):
    "A prune-then-distill record whose stage folders hold the payload."
    from prunekd.explorer import pkd_checkpoints
    stages = {k: f'stages/{k}-0' for k in ('teacher', 'pruned', 'scratch', 'kd_unpruned', 'kd_pruned')}
    for v in stages.values(): (tmp/'pkd'/v).mkdir(parents=True); (tmp/'pkd'/v/'model.pt').write_bytes(evil.read_bytes())
    rec = {'config': {'model': 'resnet20', 'model_kwargs': {'width': 0.25}},
           'rows': [{'seed': 0, 'sparsity': 0.36, 'student_kwargs': {'width': 0.25}, 'stages': stages}]}
    (tmp/'pkd'/'pkd-000000000000').mkdir(parents=True); (tmp/'pkd'/'pkd-000000000000'/'record.json').write_text(json.dumps(rec))
    pkd_checkpoints(tmp/'pkd', seed=0)


LOADERS = {'safe_load': lambda evil, tmp: safe_load(evil),
           'load_state': lambda evil, tmp: load_state(get_model('resnet20', num_classes=10, in_chans=1, width=0.25), evil),
           'Run.load_model': _run_load_model, 'prune.load_masked': _load_masked, 'train.fit (resume)': _fit_resume,
           'data.read_tiny_imagenet (cache)': _tiny_imagenet_cache, 'runs.pretrained (zoo)': _pretrained,
           'explorer.pkd_checkpoints': _pkd_checkpoints}


@pytest.mark.parametrize('legacy', [False, True], ids=['zip', 'legacy'])
@pytest.mark.parametrize('loader', list(LOADERS))
def test_loader_refuses_code(loader, legacy, tmp_path):
    victim = tmp_path/'pwned'
    evil = _evil(tmp_path/'evil.pt', victim, legacy)
    with pytest.raises(UnsafeFileError) as e: LOADERS[loader](evil, tmp_path)
    assert 'refused to load' in str(e.value) and str(tmp_path) in str(e.value), str(e.value)
    assert not victim.exists(), f"{loader} ran the payload"


def test_payload_is_live(tmp_path):
    "The control: the same file opened with weights_only=False does run the payload (so the tests above test something)."
    victim = tmp_path/'pwned'
    torch.load(_evil(tmp_path/'evil.pt', victim), weights_only=False)
    assert victim.exists()
