"""The client against a real daemon with worker processes."""

import json

import numpy as np
import pytest

import batcher
from batcher import BatchState
from conftest import RANDOM, SEQUENTIAL, Daemon, batcher_cli


def take_n(handle, state, n):
    """Takes n batches from state; returns [(x bytes, y bytes)] and the state after them."""
    out = []
    for _ in range(n):
        with handle.take(state) as b:
            assert not b.end
            assert b.previous == state
            out.append((b.x.tobytes(), b.y.tobytes()))
        state = b.state
    return out, state


def test_take_isByteIdenticalToJavaLocalBatcher(client, dataset, tmp_path):
    h = client.batcher("identity")
    assert h.create(str(dataset), RANDOM) is True
    assert h.create(str(dataset), RANDOM) is False          # the same spec again: a no-op
    state = BatchState.initial(5)
    h.start(state)
    batches, after = take_n(h, state, 4)
    assert after == BatchState(5, 4)
    source = tmp_path / "source.json"
    source.write_text(json.dumps(RANDOM))
    # peek materialises with LocalBatcher in its own JVM; the state is given in a non-canonical
    # spelling that Java and Python must read alike.
    out = batcher_cli("peek", str(dataset), f"--source-json={source}", "--state=  seed=+5,batch=003",
                      f"--npy={tmp_path}")
    assert "state    seed=5,batch=3" in out
    assert str(BatchState.parse("  seed=+5,batch=003")) == "seed=5,batch=3"
    x, y = np.load(tmp_path / "x.npy"), np.load(tmp_path / "y.npy")
    assert x.dtype == np.float32 and y.dtype == np.int32
    assert x.shape == (8, 2, 3840)
    assert batches[3] == (x.astype("<f4").tobytes(), y.astype("<i4").tobytes())
    assert batches[0] != batches[3]
    h.stop()


def test_take_atAnotherState_resynchronisesThere(client, dataset):
    h = client.batcher("resync")
    h.create(str(dataset), RANDOM, capacity=3)
    s0 = BatchState.initial(11)
    h.start(s0)
    first, _ = take_n(h, s0, 6)
    # back to batch 2: the daemon drops what it buffered and restarts there
    again, after = take_n(h, BatchState(11, 2), 2)
    assert again == first[2:4]
    assert after == BatchState(11, 4)
    # far ahead: the same bytes as a fresh batcher started there
    ahead, _ = take_n(h, BatchState(11, 40), 1)
    other = client.batcher("resync-fresh")
    other.create(str(dataset), RANDOM)
    other.start(BatchState(11, 40))
    fresh, _ = take_n(other, BatchState(11, 40), 1)
    assert ahead == fresh
    assert h.status().restarts >= 2
    h.stop()
    other.stop()


def test_take_finiteSource_endsWithItsLastStateAndRepeatsTheEnd(client, dataset):
    h = client.batcher("finite")
    h.create(str(dataset), SEQUENTIAL)
    state = BatchState.initial(0)
    h.start(state)
    count = 0
    labels = 0
    while True:
        b = h.take(state)
        if b.end:
            break
        labels += int((b.y >= 0).sum())
        count += 1
        state = b.state
    assert count > 1
    assert b.state == state == BatchState(0, count)
    with pytest.raises(batcher.BatchClosedError, match="the end has no .x"):
        b.x
    assert h.take(state).end                                   # the end again
    assert h.status().status == "DONE"
    assert not h.take(BatchState.initial(0)).end               # another state restarts there
    h.stop()
    assert h.status().status == "CLOSED"


def test_take_failingBatch_raisesTheWorkersErrorWithContext(client, dataset):
    h = client.batcher("failing")
    # The recordings have different channel counts, so "all" channels cannot form one tensor.
    h.create(str(dataset), {"type": "random", "batchSize": 8, "batchSeconds": 30}, retries=0)
    state = BatchState.initial(1)
    h.start(state)
    with pytest.raises(batcher.RemoteBatcherError) as e:
        for _ in range(50):        # most batches mix recordings of different channel counts
            state = h.take(state).state
    err = e.value
    assert err.code == "failed"
    assert err.remote_class.endswith("ItemException")
    assert "items of different shapes" in err.remote_message
    assert "Materializer.materialize" in err.remote_stack
    failed_at = BatchState.parse(err.state)       # the state before the failed batch
    assert failed_at.seed == 1 and failed_at.batch >= state.batch
    assert err.context["worker"].startswith("local-")
    assert "rec-000" in err.context["batch"]
    first_line = str(err).split("\n")[0]
    assert first_line.startswith(err.remote_message) and "code failed" in first_line
    assert "dev.batcher" not in first_line and "Exception" not in first_line   # the class is in remote_class
    assert "remote stack:" in str(err) and "ItemException" in str(err)   # then the worker's stack
    assert h.status().status == "FAILED"
    assert h.status().failure.attempts == 1


def test_requests_badNameOrSpec_raiseBadRequest(client, dataset):
    with pytest.raises(batcher.RemoteBatcherError) as e:
        client.batcher("never-created").take(BatchState.initial(0))
    assert e.value.code == "bad_request" and "never-created" in e.value.remote_message
    with pytest.raises(batcher.RemoteBatcherError) as e:
        client.batcher("bad-spec").create(str(dataset), {"type": "random", "batchSize": 0, "batchSeconds": 30})
    assert e.value.code == "bad_request" and "batchSize" in e.value.remote_message
    with pytest.raises(ValueError, match="capacity: 0"):
        client.batcher("x").create(str(dataset), RANDOM, capacity=0)


def test_remoteErrors_readAsMessageAndCode_withoutTheDaemonsClassNames(client, dataset):
    with pytest.raises(batcher.RemoteBatcherError) as e:
        # 45 s is one and a half label periods of the dataset (30 s): the dataset rejects the spec
        client.batcher("half-epochs").create(str(dataset), {"type": "random", "batchSize": 8, "batchSeconds": 45})
    err = e.value
    assert err.code == "bad_request"
    assert str(err).startswith("batchDuration: 45.0 s is not a whole number of label periods (30.0 s)")
    assert str(err).endswith("(code bad_request)")
    assert "dev.batcher" not in str(err) and "Exception" not in str(err)
    assert err.remote_class.endswith(".IterationException")   # still there for whoever needs it
    assert err.remote_stack == ""                               # a refused request carries no stack
    with pytest.raises(batcher.RemoteBatcherError) as e:
        client.batcher("never-made").status()
    text = str(e.value)
    assert "never-made" in text and text.endswith("(code bad_request)") and "dev.batcher" not in text, text


def test_batch_close_releasesAndLaterUseIsAnError(client, dataset):
    h = client.batcher("closing")
    h.create(str(dataset), RANDOM)
    state = BatchState.initial(3)
    h.start(state)
    with h.take(state) as b:
        escaped = b.x
        kept = escaped.copy()
        assert b.nbytes == escaped.nbytes + b.y.nbytes
    assert b.closed
    with pytest.raises(batcher.BatchClosedError, match=r"read after close\(\)"):
        b.x
    with pytest.raises(batcher.BatchClosedError):
        b.y
    assert np.array_equal(escaped, kept)   # over TCP an escaped array owns its memory
    h.stop()


def test_list_and_status_haveJavasFields(client, dataset):
    h = client.batcher("statusful")
    h.create(str(dataset), RANDOM, capacity=2)
    st = h.status()
    assert st.name == "statusful" and st.status == "STOPPED" and st.taken == 0
    h.start(BatchState.initial(0))
    take_n(h, BatchState.initial(0), 2)
    st = h.status()
    assert st.status == "RUNNING" and st.taken >= 2 and st.workers == 2 and st.slots == 2
    assert st.capacity == 2 and st.produced >= 2 and st.state.startswith("seed=0,batch=")
    assert "statusful" in [s.name for s in client.list()]
    h.stop()


def test_take_noWorkers_timesOutAndTheConnectionStaysUp(tmp_path, dataset):
    d = Daemon(tmp_path, local_workers=0, extra=["--manager-slots=0"]).start()
    try:
        with batcher.connect(d.address) as c:
            h = c.batcher("starved")
            h.create(str(dataset), RANDOM)
            h.start(BatchState.initial(0))
            with pytest.raises(batcher.BatcherTimeoutError, match="within 0.5 s"):
                h.take(BatchState.initial(0), timeout=0.5)
            assert h.status().waiting_for_workers
            assert [s.name for s in c.list()] == ["starved"]
    finally:
        d.stop()


@pytest.mark.timeout(150)
def test_take_afterDaemonRestart_reconnectsRecreatesAndResumesExactly(client, dataset, private_daemon):
    reference_handle = client.batcher("restart-reference")
    reference_handle.create(str(dataset), RANDOM)
    reference_handle.start(BatchState.initial(8))
    reference, _ = take_n(reference_handle, BatchState.initial(8), 6)
    reference_handle.stop()

    d = private_daemon.start()
    with batcher.connect(d.address) as c:
        h = c.batcher("restart")
        h.create(str(dataset), RANDOM)
        state = BatchState.initial(8)
        h.start(state)
        got, state = take_n(h, state, 3)
        d.kill()
        with pytest.raises(batcher.ConnectionLostError) as e:
            for _ in range(3):     # a prefetched batch may already be here
                got_more, state = take_n(h, state, 1)
                got += got_more
        assert str(d.port) in str(e.value)
        with pytest.raises(batcher.ConnectionLostError, match="cannot connect"):
            h.take(state)
        d.start()                  # the same port, a new daemon that knows nothing
        rest, state = take_n(h, state, 6 - len(got))
        assert got + rest == reference
        assert h.status().status == "RUNNING"


def test_connect_unreachable_raisesConnectionLost():
    with pytest.raises(batcher.ConnectionLostError, match="cannot connect to 127.0.0.1:1"):
        batcher.connect("127.0.0.1:1", connect_timeout=2)
    with pytest.raises(ValueError, match="host:port"):
        batcher.connect("localhost")


def test_connect_withAndWithoutTheDaemonsToken(tmp_path, dataset):
    token_file = tmp_path / "token"
    token_file.write_text("s3cret-token\n")
    d = Daemon(tmp_path, local_workers=0, extra=[f"--token-file={token_file}"]).start()
    try:
        with pytest.raises(batcher.RemoteBatcherError) as e:
            batcher.connect(d.address, token="wrong")
        assert e.value.code == "unauthorized"
        assert "s3cret" not in str(e.value)
        with batcher.connect(d.address, token="s3cret-token") as c:
            assert c.list() == []
    finally:
        d.stop()


def test_tokenFile_isFoundForThisHostOnly(tmp_path, monkeypatch):
    from batcher import _token
    env = {"XDG_RUNTIME_DIR": str(tmp_path / "run")}
    assert _token.path(7070, env) == tmp_path / "run" / "batcher" / "daemon-7070.token"
    assert _token.path(7070, {}, tmp_path) == tmp_path / ".batcher" / "daemon-7070.token"
    assert _token.find(("127.0.0.1", 7070), env) is None                 # no file
    (tmp_path / "run" / "batcher").mkdir(parents=True)
    (tmp_path / "run" / "batcher" / "daemon-7070.token").write_text("abc123\n")
    assert _token.find(("127.0.0.1", 7070), env) == "abc123"
    assert _token.find(("localhost", 7070), env) == "abc123"
    assert _token.find(("192.0.2.1", 7070), env) is None                 # another host: never
    assert _token.find(("127.0.0.1", 7071), env) is None
