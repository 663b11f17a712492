"""The committed constraints file (exact versions for `tools/setup.sh`) agrees with the package's requirement ranges in
settings.ini: every requirement is pinned exactly once, and each pin satisfies its range."""
import configparser
from pathlib import Path
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from packaging.version import Version

ROOT = Path(__file__).resolve().parents[1]


def pins() -> dict:
    out = {}
    for line in (ROOT/'constraints.txt').read_text().splitlines():
        line = line.split('#', 1)[0].strip()
        if not line: continue
        name, sep, version = line.partition('==')
        assert sep, f"constraints.txt: {line!r} is not an exact pin (name==version)"
        key = canonicalize_name(name)
        assert key not in out, f"constraints.txt pins {name} twice"
        out[key] = Version(version)
    return out


def requirements() -> list:
    cfg = configparser.ConfigParser(); cfg.read(ROOT/'settings.ini')
    d = cfg['DEFAULT']
    return [Requirement(r) for key in ('requirements', 'dev_requirements') for r in d.get(key, '').split()]


def test_every_requirement_is_pinned_within_its_range():
    p, bad = pins(), []
    for req in requirements():
        v = p.get(canonicalize_name(req.name))
        if v is None: bad.append(f"{req} is not pinned in constraints.txt")
        elif not req.specifier.contains(v, prereleases=True): bad.append(f"constraints.txt pins {req.name}=={v}, outside settings.ini's {req}")
    assert not bad, '\n'.join(bad)


def test_setup_uses_the_constraints():
    assert '-c constraints.txt' in (ROOT/'tools'/'setup.sh').read_text()


def test_torch_is_not_the_broken_release():
    "torch 2.13.0's local CPU wheel breaks torchvision on this project's machines (see the project notes)."
    assert pins()['torch'] != Version('2.13.0')
