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
    from traitlets.config import Config
    c = Config(); c.TagRemovePreprocessor.remove_input_tags = {'remove_input'}; c.TagRemovePreprocessor.enabled = True
    exporter = HTMLExporter(template_name='lab', config=c, exclude_input_prompt=True, exclude_output_prompt=True)
    nbs = sorted(proc.glob('*.ipynb'))
    if not nbs: sys.exit('no processed notebooks in _proc/')
    links = []
    for nb in nbs:
        node = nbformat.read(nb, as_version=4)
        for cell in node.cells:   # quarto would hide these inputs (`#| echo: false`, e.g. show_doc calls)
            if cell.cell_type == 'code' and '#| echo: false' in cell.source: cell.metadata['tags'] = ['remove_input']
        body, _ = exporter.from_notebook_node(node)
        (out/f'{nb.stem}.html').write_text(body)
        links.append(f'<li><a href="{nb.stem}.html">{nb.stem}</a></li>')
    (out/'contents.html').write_text('<html><body><h1>prunekd</h1><ul>' + ''.join(links) + '</ul></body></html>')
    print(f'rendered {len(nbs)} notebooks to {out}/')

if __name__ == '__main__': main()
