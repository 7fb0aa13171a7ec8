"""The Python client on an EDF dataset (bin/batcher generate --format edf), choosing groups with "signals"."""

import json
import re
from pathlib import Path

import mne
import numpy as np
import pytest

from batcher import BatchState
from conftest import batcher_cli

EEG = {"type": "sequential", "batchSize": 4, "batchSeconds": 30, "signals": "kind:EEG",
       "channels": "names:EEG C3,EEG C4"}


@pytest.fixture(scope="session")
def edf_dataset(tmp_path_factory) -> Path:
    """2 Sleep-EDF-layout recordings of 6 minutes at 128 Hz: a /128Hz group (EEG, EOG, EMG) and a /1Hz one (Resp)."""
    d = tmp_path_factory.mktemp("data") / "edf"
    batcher_cli("generate", str(d), "--format=edf", "--recordings=2", "--min-hours=0.1", "--max-hours=0.1",
                "--sample-rate=128", "--threads=1")
    return d


def items(dataset: Path, source: dict, tmp_path: Path) -> list:
    """Each item's file and first sample, as bin/batcher peek --items lists them for batch 0."""
    path = tmp_path / "source.json"
    path.write_text(json.dumps(source))
    out = batcher_cli("peek", str(dataset), f"--source-json={path}", "--state=seed=0,batch=0", "--items")
    found = re.findall(r"file (\S+), samples \[(\d+), (\d+)\) of (\S+),", out)
    assert found, out
    return found


def test_take_signalsKindEeg_drawsOnlyTheEegGroupAsMneReadsIt(client, edf_dataset, tmp_path):
    h = client.batcher("edf-eeg")
    h.create(str(edf_dataset), EEG)
    state = BatchState.initial(0)
    h.start(state)
    with h.take(state) as b:
        x = np.array(b.x, copy=True)
    h.stop()
    assert x.shape == (4, 2, 30 * 128)
    listed = items(edf_dataset, EEG, tmp_path)
    assert len(listed) == 4 and {group for _, _, _, group in listed} == {"/128Hz"}
    for i, (file, start, stop, _) in enumerate(listed):
        raw = mne.io.read_raw_edf(str(edf_dataset / file), preload=False, verbose="error")
        ref = raw.get_data(picks=["EEG C3", "EEG C4"], start=int(start), stop=int(stop)) * 1e6   # volts to uV
        # float32 decoding against MNE's float64: within a float32 rounding of the values' size
        np.testing.assert_allclose(x[i], ref, rtol=0, atol=1e-5 * max(1.0, float(np.abs(ref).max())),
                                   err_msg=f"item {i}: {file} [{start}, {stop})")


def test_take_signalsKindResp_drawsOnlyThe1HzGroup(client, edf_dataset):
    source = {"type": "sequential", "batchSize": 3, "batchSeconds": 30, "signals": "kind:RESP", "channels": "all"}
    h = client.batcher("edf-resp")
    h.create(str(edf_dataset), source)
    state = BatchState.initial(0)
    h.start(state)
    with h.take(state) as b:
        assert b.x.shape == (3, 1, 30)
    h.stop()


def test_create_signalsKeepingNone_isRefusedNamingTheFilter(client, edf_dataset):
    import batcher
    h = client.batcher("edf-none")
    with pytest.raises(batcher.RemoteBatcherError, match="kind:ECG"):
        h.create(str(edf_dataset), dict(EEG, signals="kind:ECG"))
