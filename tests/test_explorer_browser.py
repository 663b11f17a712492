"""The landscape explorer in a live JupyterLab, driven through a real headless Chromium (Debian's `chromium` with
Playwright for Python), the way a user works with it: a JupyterLab server on 127.0.0.1 opens a notebook that builds
the explorer on a miniature prune-then-distill run, every cell is run, and the test waits for the widget's picture and
the Hessian numbers; then it changes the checkpoint dropdown and the 1-D/2-D toggle and checks that the picture and
the lambda values follow, and that no cell wrote to stderr. The server (and its kernel) is shut down in every case.
A screenshot of each step goes to `_docs_screenshots/explorer-*.png`. Skipped, with the reason, where no browser is
installed."""
import json, os, re, secrets, shutil, signal, socket, subprocess, sys, time, urllib.request
from pathlib import Path
import pytest

ROOT = Path(__file__).resolve().parents[1]
SHOTS = ROOT/'_docs_screenshots'
CHROMIUM = shutil.which('chromium') or shutil.which('chromium-browser')
playwright = pytest.importorskip('playwright.sync_api', reason='Playwright for Python is not installed (pip install playwright)')
pytestmark = pytest.mark.skipif(CHROMIUM is None, reason='no system Chromium (apt-get install chromium); Playwright cannot download one here')

CELLS = [
    "import tempfile\nfrom pathlib import Path\nfrom prunekd.pkd import prune_then_distill\n"
    "from prunekd.data import load_dataset, sample_random\nfrom prunekd.explorer import LandscapeExplorer, pkd_checkpoints",
    # a miniature run: one epoch per stage on 600 real Fashion-MNIST images, as in the explorer chapter
    "out = Path(tempfile.mkdtemp())\n"
    "tiny = dict(train_subset=600, val_subset=200, test_subset=500, teacher={'epochs': 1, 'milestones': [1]},\n"
    "            prune={'epochs': 1, 'milestones': [1]}, kd={'epochs': 1, 'milestones': [1]})\n"
    "_ = prune_then_distill(sparsities=[0.36], seeds=[0], overrides=tiny, out=out, zoo=out/'zoo', progress=False, self_distill=False, log=lambda *a: None)",
    "test = sample_random(load_dataset('fashion_mnist', 'test'), 64, seed=0)\n"
    "ex = LandscapeExplorer(pkd_checkpoints(out), (test.normalized(), test.labels), resolution=9, view='1-D')\nex",
]


def _free_port():
    with socket.socket() as s:
        s.bind(('127.0.0.1', 0)); return s.getsockname()[1]


@pytest.fixture
def lab(tmp_path):
    "A JupyterLab server on 127.0.0.1 serving `tmp_path` (holding `explorer.ipynb`); yields (url, token); always shut down."
    nb = {'cells': [{'cell_type': 'code', 'execution_count': None, 'id': f'c{i}', 'metadata': {}, 'outputs': [], 'source': s}
                    for i, s in enumerate(CELLS)],
          'metadata': {'kernelspec': {'display_name': 'Python 3', 'language': 'python', 'name': 'python3'}},
          'nbformat': 4, 'nbformat_minor': 5}
    (tmp_path/'explorer.ipynb').write_text(json.dumps(nb))
    port, token = _free_port(), secrets.token_hex(16)
    env = {**os.environ, 'PRUNEKD_ZOO': str(tmp_path/'zoo'), 'JUPYTER_CONFIG_DIR': str(tmp_path/'.jupyter-config'),
           'JUPYTER_RUNTIME_DIR': str(tmp_path/'.jupyter-runtime')}
    log = open(tmp_path/'lab.log', 'w')
    proc = subprocess.Popen([sys.executable, '-m', 'jupyterlab', '--no-browser', '--ip=127.0.0.1', f'--port={port}',
                             f'--ServerApp.token={token}', f'--ServerApp.root_dir={tmp_path}', '--LabApp.expose_app_in_browser=True',
                             '--ServerApp.allow_root=True'],
                            cwd=tmp_path, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    url = f'http://127.0.0.1:{port}'
    try:
        for _ in range(120):
            if proc.poll() is not None: pytest.fail(f"JupyterLab exited: {(tmp_path/'lab.log').read_text()[-2000:]}")
            try:
                urllib.request.urlopen(f'{url}/api/status?token={token}', timeout=2); break
            except OSError: time.sleep(0.5)
        else: pytest.fail(f"JupyterLab did not answer in 60 s: {(tmp_path/'lab.log').read_text()[-2000:]}")
        yield url, token
    finally:
        try:                                          # the server's own shutdown stops its kernels too
            req = urllib.request.Request(f'{url}/api/shutdown?token={token}', method='POST'); urllib.request.urlopen(req, timeout=5)
            proc.wait(20)
        except Exception: pass
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGTERM)
            try: proc.wait(10)
            except subprocess.TimeoutExpired: os.killpg(proc.pid, signal.SIGKILL); proc.wait()
        log.close()


def _state(page):
    "The explorer's picture (its blob/data URL and natural width), the numbers table and the status line, as the browser shows them."
    return page.evaluate("""() => {
        const img = document.querySelector('.jp-OutputArea img.widget-image');
        const html = [...document.querySelectorAll('.jp-OutputArea .widget-html-content')].map(e => e.innerText);
        return {src: img ? img.src : null, width: img && img.complete ? img.naturalWidth : 0, stats: html[0] || '', status: html[1] || ''};
    }""")


def _wait(page, cond, what, timeout=300):
    t0 = time.time()
    while time.time() - t0 < timeout:
        s = _state(page)
        if cond(s): return s
        if re.search(r'Error|Exception', s['status']): pytest.fail(f"the explorer reported {s['status']!r} while waiting for {what}")
        page.wait_for_timeout(250)
    pytest.fail(f"no {what} after {timeout} s; last state {s}")


def _lambdas(s): return re.findall(r'λ\S*\s+([-\d.e+]+)', s['stats'])


def test_explorer_in_jupyterlab(lab):
    url, token = lab
    SHOTS.mkdir(exist_ok=True)
    with playwright.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=['--no-sandbox'])
        try:
            page = browser.new_page(viewport={'width': 1400, 'height': 1000})
            page.goto(f'{url}/lab/tree/explorer.ipynb?token={token}', wait_until='load', timeout=120_000)
            page.wait_for_function("() => window.jupyterapp && document.querySelector('.jp-Notebook .jp-Cell')", timeout=120_000)
            page.wait_for_function("() => { const w = window.jupyterapp.shell.currentWidget;"
                                   "  return w && w.sessionContext && w.sessionContext.session && w.sessionContext.session.kernel"
                                   "    && w.sessionContext.session.kernel.status === 'idle'; }", timeout=120_000)   # the kernel is up
            page.evaluate("window.jupyterapp.commands.execute('notebook:run-all-cells')")
            done = lambda s: s['width'] > 0 and len(_lambdas(s)) >= 2 and re.search(r'Hessian [\d.]+ s', s['status'])
            first = _wait(page, done, "picture with lambda values")
            page.screenshot(path=str(SHOTS/'explorer-1-teacher.png'))
            page.select_option('.jp-OutputArea .widget-dropdown:has(label:text-is("checkpoint")) select', label='pruned teacher')
            second = _wait(page, lambda s: done(s) and s['src'] != first['src'] and _lambdas(s) != _lambdas(first), "new picture and lambdas for the pruned teacher")
            page.screenshot(path=str(SHOTS/'explorer-2-pruned.png'))
            page.click('.jp-OutputArea .widget-toggle-buttons button:text-is("2-D")')
            third = _wait(page, lambda s: s['width'] > 0 and s['src'] != second['src'] and s['status'].startswith('9 pts/axis,'), "the 2-D picture")
            page.screenshot(path=str(SHOTS/'explorer-3-2d.png'))
            assert third['stats'] and _lambdas(third) == _lambdas(second)     # same checkpoint and BN: the same spectrum
            stderr = page.locator('.jp-OutputArea-output[data-mime-type="application/vnd.jupyter.stderr"]')
            assert stderr.count() == 0, [stderr.nth(i).inner_text()[:500] for i in range(stderr.count())]
            errors = page.locator('.jp-OutputArea-output[data-mime-type="application/vnd.jupyter.error"], .jp-RenderedText[data-mime-type="application/vnd.jupyter.stderr"]')
            assert errors.count() == 0, errors.first.inner_text()[:1000]
        finally:
            browser.close()
