"""Fixtures: a real batcher daemon (bin/batcher serve, with worker processes) on an ephemeral port,
a small generated dataset, and a bound on every test's time (SIGALRM; pytest-timeout is not needed)."""

from __future__ import annotations

import glob
import os
import re
import shutil
import signal
import subprocess
import tempfile
import sys
import time
from pathlib import Path
from typing import List, Optional

import pytest

ROOT = Path(__file__).resolve().parents[3]
sys.path.insert(0, str(ROOT / "client" / "python"))

DEFAULT_TIMEOUT = 90

# A daemon started without a token writes the one it generates under $XDG_RUNTIME_DIR/batcher,
# where the client finds it: keep this session's daemons' files to themselves.
# The session that made the directory removes it at its end.
_RUNTIME_DIR: Optional[str] = None
if "batcher-pytest-run-" not in os.environ.get("XDG_RUNTIME_DIR", ""):   # not again in a child
    _RUNTIME_DIR = os.environ["XDG_RUNTIME_DIR"] = tempfile.mkdtemp(prefix="batcher-pytest-run-")


def pytest_configure(config):
    config.addinivalue_line("markers", "timeout(seconds): fail the test after that many seconds")


def pytest_unconfigure(config):
    if _RUNTIME_DIR is not None:
        shutil.rmtree(_RUNTIME_DIR, ignore_errors=True)


@pytest.fixture(autouse=True)
def _bounded(request):
    """Fails a test that runs longer than its timeout (default 90 s), with its traceback."""
    marker = request.node.get_closest_marker("timeout")
    seconds = int(marker.args[0]) if marker else DEFAULT_TIMEOUT

    def expire(signum, frame):
        pytest.fail(f"{request.node.name}: still running after {seconds} s", pytrace=True)

    old = signal.signal(signal.SIGALRM, expire)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, old)


def java_command() -> List[str]:
    """The JVM command that runs bin/batcher's main class, from the build in samples/target."""
    cp = os.environ.get("BATCHER_CLASSPATH")
    if not cp:
        jars = glob.glob(str(ROOT / "samples" / "target" / "batcher-samples-*.jar"))
        jars = [j for j in jars if not j.endswith(("-sources.jar", "-javadoc.jar", "-tests.jar"))]
        lib = ROOT / "samples" / "target" / "lib"
        if not jars or not lib.is_dir():
            pytest.fail(f"the Java build is missing ({ROOT}/samples/target/batcher-samples-*.jar and lib/): "
                        f"run 'mvn -B -DskipTests package' (or bin/batcher --help) in {ROOT} first", pytrace=False)
        cp = os.pathsep.join([jars[0], str(lib / "*")])
    java = os.path.join(os.environ["JAVA_HOME"], "bin", "java") if os.environ.get("JAVA_HOME") else "java"
    return [java, "--add-modules", "jdk.incubator.vector", "-cp", cp, "dev.batcher.service.cli.Main"]


def batcher_cli(*args: str, cwd: Optional[Path] = None, timeout: float = 120) -> str:
    """Runs a bin/batcher subcommand to its end; returns its standard output."""
    p = subprocess.run(java_command() + list(args), cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                       text=True, timeout=timeout)
    if p.returncode != 0:
        raise AssertionError(f"batcher {' '.join(args)} exited with {p.returncode}:\n{p.stdout}\n{p.stderr}")
    return p.stdout


class Daemon:
    """``batcher serve`` in a child process, with local worker processes."""

    def __init__(self, workdir: Path, local_workers: int = 2, port: int = 0, extra: List[str] = ()) -> None:
        self.workdir = workdir
        self.local_workers = local_workers
        self.extra = list(extra)
        self.port = port
        self.log = workdir / f"serve-{time.monotonic_ns()}.log"
        self.process: Optional[subprocess.Popen] = None

    def start(self, wait: float = 60) -> "Daemon":
        args = ["serve", f"--port={self.port}", "--metrics-port=-1", f"--local-workers={self.local_workers}"]
        self.log = self.workdir / f"serve-{time.monotonic_ns()}.log"
        with open(self.log, "w") as out:
            # A process group of its own, so a test can kill the daemon and its workers together.
            self.process = subprocess.Popen(java_command() + args + self.extra, cwd=self.workdir, stdout=out,
                                            stderr=subprocess.STDOUT, start_new_session=True)
        deadline = time.monotonic() + wait
        joined = 0
        while time.monotonic() < deadline:
            text = self.log.read_text()
            m = re.search(r"listening on [^\s:]+:(\d+)", text)
            joined = text.count(" joined ")
            if m and joined >= self.local_workers:
                self.port = int(m.group(1))
                return self
            if self.process.poll() is not None:
                raise AssertionError(f"serve exited with {self.process.returncode}:\n{text}")
            time.sleep(0.05)  # polling a log file for a line: bounded by the deadline above
        raise AssertionError(f"serve did not start with {self.local_workers} workers in {wait} s:\n"
                             + self.log.read_text())

    @property
    def address(self) -> str:
        return f"127.0.0.1:{self.port}"

    def kill(self) -> None:
        """SIGKILLs the daemon and its worker processes (a crash)."""
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=30)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                pass
            try:
                os.killpg(self.process.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            self.process.wait(timeout=30)


@pytest.fixture(scope="session")
def dataset(tmp_path_factory) -> Path:
    """3 synthetic recordings of 6 to 12 minutes at 128 Hz (about 2.5 MB)."""
    d = tmp_path_factory.mktemp("data") / "tiny"
    batcher_cli("generate", str(d), "--recordings=3", "--min-hours=0.1", "--max-hours=0.2", "--sample-rate=128",
                "--threads=1")
    return d


@pytest.fixture(scope="session")
def daemon(tmp_path_factory):
    d = Daemon(tmp_path_factory.mktemp("daemon"), local_workers=2).start()
    yield d
    d.stop()


@pytest.fixture
def private_daemon(tmp_path):
    """A daemon of the test's own, for tests that kill or restart it."""
    d = Daemon(tmp_path, local_workers=1)
    yield d
    d.stop()


@pytest.fixture
def client(daemon):
    import batcher
    with batcher.connect(daemon.address, take_timeout=60) as c:
        yield c


RANDOM = {"type": "random", "batchSize": 8, "batchSeconds": 30, "numChannels": 2}
SEQUENTIAL = {"type": "sequential", "batchSize": 16, "batchSeconds": 30, "channels": "fill:C3-M2,C4-M1"}
