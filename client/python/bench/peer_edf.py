"""The EDF peer benchmark: MNE + PyTorch DataLoader against Batcher reading the same EDF files in place.

    /usr/bin/python3 client/python/bench/peer_edf.py

On one EDF dataset written by ``bin/batcher generate --format edf`` (by default 4 Sleep-EDF-layout
recordings of 3 h, 6 to 11 EEG/EOG/EMG channels at 256 Hz plus a 1 Hz respiration channel, 30 s data
records, with hypnogram EDF+ files), random 30 s windows of the six channels every recording has
(EEG C3, C4, F3, F4, M1, M2) in batches of 32 x 6 x 7680 float32, it measures in one run:

1. the peer a user would write today: ``mne.io.read_raw_edf(preload=False)`` and
   ``get_data(picks, start, stop)`` in a ``torch.utils.data.Dataset`` under ``DataLoader``, for each
   worker count (--workers, 0 and 2 by default), in raw batches/s (no training step), with the stage
   label of each window from ``mne.read_annotations`` of the hypnogram;
2. Batcher: a plain ``bin/batcher serve`` daemon (no local worker processes) started by this script,
   its Python client (``BatcherLoader``) drawing the same kind of batch from the indexed EDF files
   (``"signals": "name:/256Hz"``, the same channels by name);
3. the ratio of (2) to the peer's best worker count, and the resident memory (RSS) of each side:
   the Python process plus its DataLoader workers for the peer, the Python process and the daemon
   JVM for Batcher.

Data is written once into --data (default bench-data/edf) and reused.
"""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Dict, List, Optional, Tuple

import mne
import numpy as np
import torch
from torch.utils.data import DataLoader, Dataset

sys.path.insert(0, str(Path(__file__).resolve().parent))
from peer import Counted, Daemon, java, loop  # noqa: E402

import batcher  # noqa: E402  (peer put client/python on the path)
from batcher.torch import BatcherLoader  # noqa: E402

EPOCH = 30.0
CHANNELS = ["EEG C3", "EEG C4", "EEG F3", "EEG F4", "EEG M1", "EEG M2"]
STAGES = {"Sleep stage W": 0, "Sleep stage 1": 1, "Sleep stage 2": 2, "Sleep stage 3": 3, "Sleep stage 4": 3,
          "Sleep stage R": 4}


def write_dataset(directory: Path, recordings: int, hours: float, rate: int) -> None:
    """bin/batcher generate --format edf (which also indexes), once."""
    if (directory / "labeled_signals.csv").exists():
        return
    subprocess.run(java() + ["generate", str(directory), "--format", "edf", f"--recordings={recordings}",
                             f"--min-hours={hours}", f"--max-hours={hours}", f"--sample-rate={rate}"],
                   check=True, stdout=subprocess.DEVNULL)


class MneWindows(Dataset):
    """The peer: random 30 s windows read with MNE (preload=False), in microvolts as float32."""

    def __init__(self, directory: Path, rate: int, seed: int) -> None:
        self.files = sorted(str(p) for p in directory.glob("*-PSG.edf"))
        if not self.files:
            raise SystemExit(f"no *-PSG.edf in {directory}")
        self.window = int(EPOCH * rate)
        self.seed = seed
        self.samples: List[int] = []
        self.stages: List[np.ndarray] = []
        for f in self.files:
            raw = mne.io.read_raw_edf(f, preload=False, verbose="error")
            if raw.info["sfreq"] != rate:
                raise SystemExit(f"{f}: MNE reads it at {raw.info['sfreq']} Hz (expected: {rate})")
            self.samples.append(raw.n_times)
            hyp = next(Path(f).parent.glob(Path(f).name[:6] + "*-Hypnogram.edf"))
            stages = np.full(raw.n_times // self.window, -1, np.int32)
            for a in mne.read_annotations(str(hyp)):
                first = int(round(a["onset"] / EPOCH))
                stages[first:first + int(round(a["duration"] / EPOCH))] = STAGES.get(a["description"], -1)
            self.stages.append(stages)
        self.handles: Dict[str, mne.io.BaseRaw] = {}

    def __len__(self) -> int:
        return 1 << 30

    def __getitem__(self, index: int) -> Tuple[torch.Tensor, torch.Tensor]:
        rng = np.random.default_rng((self.seed, index))
        i = int(rng.integers(len(self.files)))
        raw = self.handles.get(self.files[i])
        if raw is None:       # one lazy Raw per file per worker, as a user would cache it
            raw = self.handles[self.files[i]] = mne.io.read_raw_edf(self.files[i], preload=False, verbose="error")
        start = int(rng.integers(self.samples[i] - self.window + 1))
        x = raw.get_data(picks=CHANNELS, start=start, stop=start + self.window) * 1e6
        y = self.stages[i][min(start // self.window, len(self.stages[i]) - 1)]
        return torch.from_numpy(x.astype(np.float32)), torch.tensor([y], dtype=torch.int32)


def peer_loader(ds: MneWindows, workers: int, batch_size: int) -> DataLoader:
    kw = {"prefetch_factor": 2} if workers > 0 else {}
    return DataLoader(ds, batch_size=batch_size, num_workers=workers, persistent_workers=workers > 0, **kw)


def rss_mb(pid: int) -> float:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except FileNotFoundError:
        pass
    return 0.0


def children(pid: int) -> List[int]:
    out: List[int] = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        try:
            out += [int(c) for c in (task / "children").read_text().split()]
        except FileNotFoundError:
            pass
    return out


class Rss:
    """Peak RSS, sampled by the loop after every batch, of this process plus its children (DataLoader workers)."""

    def __init__(self, extra: Optional[int] = None) -> None:
        self.extra = extra
        self.peak = 0.0

    def sample(self) -> None:
        me = os.getpid()
        total = rss_mb(me) + sum(rss_mb(c) for c in children(me) if c != self.extra)
        if self.extra is not None:
            total += rss_mb(self.extra)
        self.peak = max(self.peak, total)


class Sampled:
    """Wraps a loader: samples RSS every 10 batches."""

    def __init__(self, iterable, rss: Rss) -> None:
        self.iterable = iterable
        self.rss = rss

    def __iter__(self):
        for n, b in enumerate(self.iterable):
            if n % 10 == 0:
                self.rss.sample()
            yield b


def main(argv: Optional[List[str]] = None) -> None:
    p = argparse.ArgumentParser(description="MNE + DataLoader against Batcher on the same EDF files")
    p.add_argument("--data", default="bench-data/edf", help="where the EDF dataset is written once (default: %(default)s)")
    p.add_argument("--recordings", type=int, default=4)
    p.add_argument("--hours", type=float, default=3.0)
    p.add_argument("--rate", type=int, default=256)
    p.add_argument("--batch-size", type=int, default=32)
    p.add_argument("--batches", type=int, default=100)
    p.add_argument("--warmup", type=int, default=10)
    p.add_argument("--workers", default="0,2", help="DataLoader worker counts to try (default: %(default)s)")
    p.add_argument("--shm", choices=["on", "off"], default="on", help="the client's shared-memory path (default: %(default)s)")
    a = p.parse_args(argv)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))   # stop the daemon it started (finally)
    torch.set_num_threads(1)
    directory = Path(a.data).resolve()
    t = time.perf_counter()
    write_dataset(directory, a.recordings, a.hours, a.rate)
    window = int(EPOCH * a.rate)
    print(f"EDF peer benchmark: {a.recordings} recordings x {a.hours} h ({directory}, ready in "
          f"{time.perf_counter() - t:.0f} s); random 30 s windows of {len(CHANNELS)} channels at {a.rate} Hz, batches of "
          f"{a.batch_size} x {len(CHANNELS)} x {window} float32 ({a.batch_size * len(CHANNELS) * window * 4 / 1e6:.1f} MB); "
          f"{a.batches} batches after {a.warmup} of warm-up, no training step; {os.cpu_count()} cores; "
          f"mne {mne.__version__}, torch {torch.__version__}; load average {os.getloadavg()[0]:.1f}", flush=True)
    ds = MneWindows(directory, a.rate, seed=1)
    raw: Dict[int, float] = {}
    for w in [int(v) for v in a.workers.split(",")]:
        rss = Rss()
        r = loop(Sampled(peer_loader(ds, w, a.batch_size), rss), a.batches, a.warmup, 0)
        raw[w] = r["batches_per_s"]
        print(f"peer MNE read_raw_edf(preload=False)+get_data in DataLoader, workers {w}: {raw[w]:.1f} batches/s; "
              f"peak RSS {rss.peak:.0f} MB (this process + workers); load average {os.getloadavg()[0]:.1f}", flush=True)
    best = max(raw, key=raw.get)
    d = Daemon(0, directory.parent)
    try:
        source = {"type": "random", "batchSize": a.batch_size, "batchSeconds": EPOCH, "signals": f"name:/{a.rate}Hz",
                  "channels": "names:" + ",".join(CHANNELS)}
        with batcher.connect(d.address, shared_memory=a.shm == "on") as client:
            h = client.batcher("peer-edf")
            h.create(str(directory), source)
            rss = Rss(extra=d.p.pid)
            counted = Counted(BatcherLoader(h, seed=1))
            r = loop(Sampled(counted, rss), a.batches, a.warmup, 0)
            h.stop()
        jvm = rss_mb(d.p.pid)
    finally:
        d.stop()
    print(f"batcher serve (plain), Python client ({100 * counted.shared / max(counted.n, 1):.0f}% of batches in shared "
          f"memory): {r['batches_per_s']:.1f} batches/s, {r['batches_per_s'] / raw[best]:.2f}x the peer's best "
          f"(workers {best}, {raw[best]:.1f} batches/s); peak RSS {rss.peak:.0f} MB (this process + daemon JVM, "
          f"{jvm:.0f} MB of it the JVM at the end); load average {os.getloadavg()[0]:.1f}", flush=True)


if __name__ == "__main__":
    main()
