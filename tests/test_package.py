"""Plain tests of the installed package: the console script, the public API and the packaging."""
import subprocess, sys, configparser
from pathlib import Path
import prunekd

ROOT = Path(__file__).resolve().parents[1]

def test_version_matches_settings():
    cfg = configparser.ConfigParser(); cfg.read(ROOT/'settings.ini')
    assert prunekd.__version__ == cfg['DEFAULT']['version']

def test_console_script_help():
    out = subprocess.run([sys.executable, '-m', 'prunekd.cli', 'train', '--help'], capture_output=True, text=True)
    assert out.returncode == 0 and '--dataset' in out.stdout

def test_bad_option_is_refused():
    out = subprocess.run([sys.executable, '-m', 'prunekd.cli', 'train', '--dataset', 'mnist'], capture_output=True, text=True)
    assert out.returncode == 2 and "invalid choice: 'mnist'" in out.stderr

def test_library_does_not_need_fastcore():
    code = "import sys; sys.modules['fastcore'] = None; import prunekd.core, prunekd.data, prunekd.models, prunekd.metrics, prunekd.train, prunekd.cli"
    assert subprocess.run([sys.executable, '-c', code]).returncode == 0

def test_tests_not_packaged(tmp_path):
    "Build the wheel `setup.py` makes and read what it would install: the library and its metadata, never tests/ or nbs/."
    import zipfile, shutil
    src = tmp_path/'src'                              # a copy, so that the build leaves nothing in the checkout
    shutil.copytree(ROOT, src, ignore=shutil.ignore_patterns('.git', '.venv*', 'runs', '_docs', '_proc', 'build', '*.egg-info', '__pycache__'))
    out = subprocess.run([sys.executable, '-m', 'pip', 'wheel', '--no-deps', '--no-build-isolation', '-w', str(tmp_path), str(src)],
                         capture_output=True, text=True)
    assert out.returncode == 0, out.stderr[-2000:]
    wheel = next(tmp_path.glob('prunekd-*.whl'))
    names = zipfile.ZipFile(wheel).namelist()
    tops = {n.split('/')[0] for n in names}
    assert 'prunekd' in tops and 'prunekd/structured.py' in names, sorted(tops)
    assert not any(t in tops for t in ('tests', 'nbs', 'tools', 'benchmarks')), sorted(tops)

def test_requirements_declared():
    "The installed distribution declares numpy>=2 (np.trapezoid) and no fastcore at run time."
    from importlib.metadata import requires
    reqs = requires('prunekd')
    assert any(r.replace(' ', '').startswith('numpy>=2') for r in reqs), reqs
    assert not any(r.startswith('fastcore') and 'extra' not in r for r in reqs), reqs
