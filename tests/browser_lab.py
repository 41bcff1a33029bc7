"""JupyterLab + headless Debian Chromium, shared by tests/test_browser.py and
benchmarks/bench_browser.py (no pytest here: plain functions and context managers).

- ``missing_browser()``: None when /usr/bin/chromium and playwright are there, else why not;
- ``lab_server(nbdir, tmp)``: a JupyterLab server on 127.0.0.1 (free port, token, its own
  config/runtime/settings folders under ``tmp``) serving ``nbdir``;
- ``chromium(playwright)``: the Debian Chromium, headless, with the flags below;
- ``kernel_ready(page)``, ``run_all(page, timeout_s)``: open a notebook, wait for its kernel,
  Run All from the menu and wait until every code cell has run (or one failed).
"""
import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
import uuid
from contextlib import contextmanager

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
# every code cell has run ("[12]:"), or a cell failed: then say which error
ALL_RUN = r"""() => {
    const err = [...document.querySelectorAll(
        '.jp-OutputArea-output[data-mime-type="application/vnd.jupyter.stderr"]')]
        .map(e => e.textContent).filter(t => /Traceback|Error/.test(t));
    if (err.length) return 'error: ' + err[0].slice(-800);
    const p = [...document.querySelectorAll('.jp-CodeCell .jp-InputArea-prompt')]
        .map(e => e.textContent.trim());
    return p.length > 0 && p.every(s => /^\[\d+\]:$/.test(s)) ? 'done' : false; }"""
ANY_STARTED = r"""() => [...document.querySelectorAll('.jp-CodeCell .jp-InputArea-prompt')]
    .some(e => /\[(\*|\d+)\]/.test(e.textContent))"""
# JupyterLab: the status bar says Idle; Notebook 7: the toolbar's execution indicator
KERNEL_IDLE = """() => {
    const t = (document.querySelector('#jp-main-statusbar') || {}).innerText || '';
    if (t.includes('Idle') && !t.includes('No Kernel')) return true;
    const i = document.querySelector('.jp-Notebook-ExecutionIndicator');
    return !!i && i.getAttribute('data-status') === 'idle'; }"""
# quiet JupyterLab: no news/update pop-ups, no autosave over the temporary copies
BASE_SETTINGS = {"apputils-extension/notification": {"fetchNews": "false", "checkForUpdates": False},
                 "docmanager-extension/plugin": {"autosave": False}}


def missing_browser():
    """None when Chromium and playwright are there, else a one-line reason."""
    missing = []
    if not os.path.exists(CHROMIUM):
        missing.append(CHROMIUM)
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        missing.append("the playwright package")
    if missing:
        return (f"real-browser tests need {' and '.join(missing)}: "
                "`apt-get install chromium` (and `pip install -e '.[test]'`) to enable them")
    return None


def install_chromium():
    """``apt-get install -y chromium`` when /usr/bin/chromium is missing (the benchmark does
    this; the tests skip instead).  Returns ``missing_browser()`` afterwards."""
    if not os.path.exists(CHROMIUM) and CHROMIUM == "/usr/bin/chromium":
        print("Chromium missing: apt-get install -y chromium", flush=True)
        if subprocess.run(["apt-get", "install", "-y", "chromium"], capture_output=True).returncode:
            subprocess.run(["apt-get", "update"], capture_output=True)
            subprocess.run(["apt-get", "install", "-y", "chromium"], capture_output=True)
    return missing_browser()


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def lab_server(nbdir, tmp, settings=None, start_timeout=90):
    """JupyterLab on 127.0.0.1 serving ``nbdir``; ``settings`` ({"plugin/id": {...}}) are
    added to BASE_SETTINGS.  Yields {"base", "token", "dir", "log"}; stops the server after."""
    for plugin, value in {**BASE_SETTINGS, **(settings or {})}.items():
        f = tmp / "settings" / "@jupyterlab" / f"{plugin}.jupyterlab-settings"
        f.parent.mkdir(parents=True, exist_ok=True)
        f.write_text(json.dumps(value))
    port, token = free_port(), uuid.uuid4().hex
    env = dict(os.environ, OPENBLAS_NUM_THREADS="1", OMP_NUM_THREADS="1",
               JUPYTER_CONFIG_DIR=str(tmp / "config"), JUPYTER_RUNTIME_DIR=str(tmp / "runtime"),
               JUPYTER_DATA_DIR=str(tmp / "data"), IPYTHONDIR=str(tmp / "ipython"))
    log_path = tmp / "server.log"
    log = open(log_path, "w")
    server = subprocess.Popen(
        [sys.executable, "-m", "jupyterlab", "--no-browser", "--allow-root", "--ip=127.0.0.1",
         f"--port={port}", f"--IdentityProvider.token={token}", f"--ServerApp.root_dir={nbdir}",
         f"--LabApp.user_settings_dir={tmp / 'settings'}", f"--LabApp.workspaces_dir={tmp / 'workspaces'}"],
        cwd=nbdir, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.time() + start_timeout
        while True:
            try:
                with urllib.request.urlopen(f"{base}/api/status?token={token}", timeout=5):
                    break
            except OSError:
                if server.poll() is not None or time.time() > deadline:
                    raise RuntimeError(f"JupyterLab did not start:\n{log_path.read_text()[-3000:]}")
                time.sleep(0.5)
        yield {"base": base, "token": token, "dir": nbdir, "log": log_path}
    finally:
        server.terminate()
        try:
            server.wait(20)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, 9)
            server.wait(10)
        log.close()


def shutdown_kernels(lab):
    """Stop every kernel of the server (frees memory between chapters)."""
    url = f"{lab['base']}/api/kernels?token={lab['token']}"
    with urllib.request.urlopen(url, timeout=10) as r:
        kernels = json.load(r)
    for k in kernels:
        req = urllib.request.Request(f"{lab['base']}/api/kernels/{k['id']}?token={lab['token']}",
                                     method="DELETE")
        urllib.request.urlopen(req, timeout=30).close()


def chromium(playwright):
    return playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)


def kernel_ready(page, timeout_s=90):
    """Wait for the idle kernel.  A "Select Kernel" dialog (JupyterLab shows it when the
    notebook opens with Notebook 7 installed next to it) is accepted: the notebook's own kernel."""
    page.wait_for_function(KERNEL_IDLE, timeout=timeout_s * 1000)
    accept = page.locator(".jp-Dialog:has-text('Select Kernel') .jp-mod-accept")
    try:
        accept.wait_for(timeout=3_000)
        accept.click()
        page.wait_for_function(KERNEL_IDLE, timeout=timeout_s * 1000)
    except Exception:
        pass


def run_all(page, timeout_s, retry_after_s=30):
    """Run ▸ Run All Cells; wait until every code cell has run.  Returns "done", the error,
    or "timeout".  When no cell has started after ``retry_after_s`` (a kernel dialog, a menu
    click lost on a busy machine), any dialog is accepted and Run All is clicked again."""
    def click_run_all():
        page.click(".lm-MenuBar-itemLabel:text-is('Run')")
        page.click(".lm-Menu-itemLabel:text-is('Run All Cells')")

    click_run_all()
    start = clicked = time.monotonic()
    while time.monotonic() - start < timeout_s:
        state = page.evaluate(ALL_RUN)
        if state:
            return state
        if time.monotonic() - clicked > retry_after_s and not page.evaluate(ANY_STARTED):
            dialogs = page.locator(".jp-Dialog .jp-mod-accept")
            if dialogs.count():
                dialogs.first.click()
            page.keyboard.press("Escape")               # (an open menu)
            click_run_all()
            clicked = time.monotonic()
        page.wait_for_timeout(500)
    return "timeout"
