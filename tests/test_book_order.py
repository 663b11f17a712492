"""The book reads in dependency order: every notebook uses only chapters before it, and no module imports a private
name (`_x`) from another module."""
import json, re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
NBS = sorted(p for p in (ROOT/'nbs').glob('[0-9][0-9]_*.ipynb'))

def _code(nb):
    return [''.join(c['source']) for c in json.loads(nb.read_text())['cells'] if c['cell_type'] == 'code']

def chapters() -> dict:
    "module name -> chapter number, from each notebook's `#| default_exp`."
    out = {}
    for nb in NBS:
        for s in _code(nb):
            m = re.search(r'#\|\s*default_exp\s+(\w+)', s)
            if m: out[m.group(1)] = int(nb.name[:2])
    return out

def used_modules(source:str) -> set:
    mods = set(re.findall(r'\bprunekd\.(\w+)', source))
    for names in re.findall(r'from\s+prunekd\s+import\s+([\w\s,()]+)', source):
        mods |= {n.split(' as ')[0].strip() for n in names.strip('()').split(',') if n.strip()}
    return mods

def test_chapters_found():
    ch = chapters()
    assert {'core', 'train', 'prune', 'structured', 'runs', 'pkd', 'rethinking', 'hessian', 'cli'} <= set(ch), ch

def test_used_modules_parser():
    src = "from prunekd.pkd import x\nimport prunekd.hessian as h\nfrom prunekd import rethinking as rt, landscape"
    assert used_modules(src) == {'pkd', 'hessian', 'rethinking', 'landscape'}

def test_no_chapter_uses_a_later_one():
    ch, bad = chapters(), []
    for nb in NBS:
        n = int(nb.name[:2])
        for s in _code(nb):
            for mod in used_modules(s):
                if mod in ch and ch[mod] > n: bad.append(f"{nb.name} uses prunekd.{mod} (chapter {ch[mod]:02d})")
    assert not bad, '\n'.join(sorted(set(bad)))

def test_cli_is_last_library_chapter():
    ch = chapters()
    assert ch['cli'] == max(ch.values()), ch

def test_no_private_cross_imports():
    bad = []
    for py in sorted((ROOT/'prunekd').glob('*.py')):
        text = py.read_text()
        for mod, names in re.findall(r'from\s+(?:\.|prunekd\.)(\w+)\s+import\s+(\([^)]*\)|[^\n]+)', text):
            for n in (x.strip().split(' as ')[0] for x in names.strip('()').split(',')):
                if n.startswith('_') and not n.startswith('__'): bad.append(f"{py.name} imports {n} from {mod}")
    assert not bad, '\n'.join(bad)
