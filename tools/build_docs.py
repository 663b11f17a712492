"""Quarto-free docs: nbdev's `proc_nbs` (show_doc tables, directives) writes processed notebooks to _proc/,
then nbconvert renders each to HTML in _docs/. Exits non-zero on any error."""
import sys, shutil
from pathlib import Path
import nbformat
from nbconvert import HTMLExporter
from nbdev.serve import proc_nbs

def main():
    proc = Path(proc_nbs(n_workers=0, force=True))
    out = Path('_docs'); shutil.rmtree(out, ignore_errors=True); out.mkdir()
    exporter = HTMLExporter(template_name='lab')
    nbs = sorted(proc.glob('*.ipynb'))
    if not nbs: sys.exit('no processed notebooks in _proc/')
    links = []
    for nb in nbs:
        body, _ = exporter.from_notebook_node(nbformat.read(nb, as_version=4))
        (out/f'{nb.stem}.html').write_text(body)
        links.append(f'<li><a href="{nb.stem}.html">{nb.stem}</a></li>')
    (out/'contents.html').write_text('<html><body><h1>prunekd</h1><ul>' + ''.join(links) + '</ul></body></html>')
    print(f'rendered {len(nbs)} notebooks to {out}/')

if __name__ == '__main__': main()
