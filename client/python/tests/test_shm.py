"""The same-host shared-memory path: batches read in place, identical to TCP, and every slot a
client holds given back on close(), on garbage collection and when the client is SIGKILLed."""

import gc
import os
import signal
import subprocess
import sys
import time

import numpy as np
import pytest

import batcher
from batcher import BatchState
from conftest import RANDOM, ROOT, Daemon

CAPACITY = 2


@pytest.fixture(scope="module")
def shm_daemon(tmp_path_factory):
    work = tmp_path_factory.mktemp("shm")
    (work / "arenas").mkdir()
    d = Daemon(work, local_workers=1, extra=[f"--shm-dir={work / 'arenas'}"]).start()
    d.arenas = work / "arenas"
    yield d
    d.stop()


def exhaust(handle, state):
    """Takes and holds batches until CAPACITY + 1 in a row come over TCP: then the client holds
    every slot of the arena. Returns the held batches and the next state."""
    held, tcp_in_a_row = [], 0
    for _ in range(60):
        b = handle.take(state)
        held.append(b)
        state = b.state
        tcp_in_a_row = 0 if b.shared else tcp_in_a_row + 1
        if tcp_in_a_row > CAPACITY:
            assert any(h.shared for h in held)
            return held, state
    pytest.fail("holding 60 batches never exhausted the arena's slots")


def recovers(handle, state):
    """Takes (closing each) until a batch comes in shared memory again: the held slots were freed."""
    for _ in range(CAPACITY + 10):
        with handle.take(state) as b:
            if b.shared:
                return True
        state = b.state
    return False


def test_shm_batchesAreReadInPlaceAndIdenticalToTcp(shm_daemon, dataset):
    with batcher.connect(shm_daemon.address) as shm, \
            batcher.connect(shm_daemon.address, shared_memory=False) as tcp:
        a = shm.batcher("shm-identity")
        a.create(str(dataset), RANDOM, capacity=CAPACITY)
        b = tcp.batcher("tcp-identity")
        b.create(str(dataset), RANDOM, capacity=CAPACITY)
        state = BatchState.initial(6)
        a.start(state)
        b.start(state)
        shared = 0
        for _ in range(6):
            with a.take(state) as x, b.take(state) as y:
                assert not y.shared
                shared += x.shared
                if x.shared:
                    assert not x.x.flags.writeable        # a view of the daemon's memory
                assert np.array_equal(x.x, y.x) and np.array_equal(x.y, y.y)
                assert x.x.tobytes() == y.x.tobytes()
            state = x.state
        assert shared >= 4
        assert any(p.name.endswith(".arena") for p in shm_daemon.arenas.iterdir())
        with pytest.raises(batcher.BatchClosedError):
            x.x
        a.stop()
        b.stop()


@pytest.mark.parametrize("how", ["close", "gc"])
def test_shm_heldSlots_areFreedOnCloseAndGarbageCollection(shm_daemon, dataset, how):
    with batcher.connect(shm_daemon.address, prefetch=False) as client:
        h = client.batcher(f"shm-{how}")
        h.create(str(dataset), RANDOM, capacity=CAPACITY)
        state = BatchState.initial(1)
        h.start(state)
        held, state = exhaust(h, state)
        if how == "close":
            for b in held:
                b.close()
        else:
            held.clear()          # the last references: the batches' finalizers queue their release
            gc.collect()
        assert recovers(h, state)
        h.stop()


@pytest.mark.timeout(120)
def test_shm_sigkilledClient_freesItsSlotsAndStopLeavesNoFile(shm_daemon, dataset, tmp_path):
    child = f"""
import sys, time
import batcher
sys.path.insert(0, {str(ROOT / 'client' / 'python' / 'tests')!r})
from conftest import RANDOM
from test_shm import exhaust
c = batcher.connect({shm_daemon.address!r}, prefetch=False)
h = c.batcher("shm-kill")
h.create({str(dataset)!r}, RANDOM, capacity={CAPACITY})
s = batcher.BatchState.initial(2)
h.start(s)
held, s = exhaust(h, s)
print("exhausted", len(held), s, flush=True)
time.sleep(120)
"""
    env = dict(os.environ, PYTHONPATH=str(ROOT / "client" / "python"))
    p = subprocess.Popen([sys.executable, "-c", child], stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                         text=True, env=env)
    try:
        line = p.stdout.readline()          # bounded by the test's timeout
        assert line.startswith("exhausted"), line + p.stdout.read() if p.poll() is not None else line
    finally:
        os.kill(p.pid, signal.SIGKILL)
        p.wait(timeout=30)
    state = BatchState.parse(line.split()[2])
    with batcher.connect(shm_daemon.address, prefetch=False) as client:
        h = client.batcher("shm-kill")
        h.create(str(dataset), RANDOM, capacity=CAPACITY)
        h.start(state)
        assert recovers(h, state)
        h.stop()
    deadline = time.monotonic() + 30
    while any(p.name.startswith("batcher-") for p in shm_daemon.arenas.iterdir()):
        assert time.monotonic() < deadline, list(shm_daemon.arenas.iterdir())
        time.sleep(0.05)   # other tests' batchers stop too; bounded by the deadline
