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

def test_tests_not_packaged():
    import setuptools
    assert not any(p.startswith('tests') for p in setuptools.find_packages(where=str(ROOT), include=['prunekd', 'prunekd.*']))
