"""Every Python snippet of README.md and docs/*.md runs against a real daemon.

docs/getting-started.md's blocks are run in the page's order by GettingStartedTest (samples/), with
the page's own dataset and daemon, and checked against the output the page shows; this runs the
others, in a directory holding the generated dataset under the names the snippets use."""

import os
import re
import shutil
import subprocess
import sys

import pytest

from conftest import ROOT

# A block after an HTML comment containing "test_docs: fragment" (a fragment of a larger program,
# using names the reader has) or "test_docs: compile only" (it needs a service the tests do not
# start, such as an S3 store) is compiled, not run; the comment says why.
FENCE = re.compile(r"(<!--[^\n]*-->\s*\n)?^```python\n(.*?)^```", re.S | re.M)


def python_blocks(text):
    """The page's python blocks to run, in order; fragments are compiled here and left out."""
    run = []
    for marker, code in FENCE.findall(text):
        if "test_docs: fragment" in marker or "test_docs: compile only" in marker:
            compile(code, "<fragment>", "exec")
        else:
            run.append(code)
    return run

PAGES = [ROOT / "README.md"] + sorted(p for p in (ROOT / "docs").glob("*.md") if p.name != "getting-started.md")
# A page's blocks run in order as one script (later blocks use what earlier ones defined or wrote).
SCRIPTS = [(page, blocks) for page in PAGES if (blocks := python_blocks(page.read_text()))]


def test_theDocsHavePythonSnippets():
    pages = {page.name for page, _ in SCRIPTS}
    assert {"README.md", "api.md", "dataset-format.md"} <= pages
    assert "```python" in (ROOT / "docs" / "getting-started.md").read_text()


@pytest.mark.parametrize("page, blocks", SCRIPTS, ids=[p.name for p, _ in SCRIPTS])
def test_snippets_run(page, blocks, daemon, dataset, tmp_path):
    for name in ("sleep8", "my_dataset"):
        if page.name != "dataset-format.md":    # that page writes my_dataset itself
            shutil.copytree(dataset, tmp_path / name)
    script = tmp_path / "snippet.py"
    code = "\n".join(blocks)
    script.write_text(code.replace("127.0.0.1:7070", daemon.address))
    env = {"PYTHONPATH": str(ROOT / "client" / "python"), "PATH": "/usr/bin:/bin",
           # where a daemon started without a token keeps the one it generated (the client finds it)
           **{k: os.environ[k] for k in ("HOME", "XDG_RUNTIME_DIR") if k in os.environ}}
    p = subprocess.run([sys.executable, str(script)], cwd=tmp_path, env=env, stdout=subprocess.PIPE,
                       stderr=subprocess.STDOUT, text=True, timeout=80)
    assert p.returncode == 0, f"{page.name}, its python blocks in order:\n{code}\n---\n{p.stdout}"
