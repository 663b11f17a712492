"""Run every notebook in nbs/ as a test (nbdev's own runner), skipping cells flagged in settings.ini's `tst_flags`
(slow, cuda, example) unless NBDEV_FLAGS names them, e.g. `NBDEV_FLAGS="slow" pytest`."""
import os
from pathlib import Path
import pytest
from nbdev.config import get_config
from nbdev.test import test_nb as run_notebook   # renamed: pytest would collect an imported `test_*` name

ROOT = Path(__file__).resolve().parents[1]
NBS = sorted(p for p in (ROOT/'nbs').glob('*.ipynb') if not p.name.startswith(('_', '.')))
FORCE = os.environ.get('NBDEV_FLAGS', '').split()

@pytest.mark.parametrize('nb', NBS, ids=[p.stem for p in NBS])
def test_notebook(nb, tmp_path):
    os.environ['IN_TEST'] = '1'
    os.environ['PRUNEKD_ZOO'] = str(tmp_path/'zoo')     # teachers a notebook's tests train never leak into the user's zoo
    skip = [f for f in get_config(cfg_name='settings.ini', path=ROOT).tst_flags.split() if f not in FORCE]
    ok, seconds = run_notebook(nb, skip_flags=skip, force_flags=FORCE, basepath=ROOT)
    assert ok, f"{nb.name} failed (traceback above)"

def test_found_notebooks():
    assert len(NBS) >= 13, NBS
