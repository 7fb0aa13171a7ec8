"""The peer benchmark: PyTorch DataLoader + h5py against Batcher, in one Python process.

    /usr/bin/python3 client/python/bench/peer.py

On the same h5py-written files (by default 6 recordings x 4 h x 8 channels of int16 at 256 Hz, once
contiguous and once chunked with shuffle+gzip), random 30 s windows in batches of 32 x 8 x 7680
float32 (7.9 MB), it measures in one run:

1. the peer: torch.utils.data.DataLoader over an h5py Dataset, for each worker count, raw batches/s
   (no compute), and at the best worker count the same training loop as (2);
2. Batcher: a daemon with local worker processes started by this script, its Python client feeding
   the same loop through batcher.torch.BatcherLoader;
3. the loop: a fixed synthetic step per batch (--step-ms, a sleep: the time a GPU would take, with
   the CPU left to the loaders), reporting batches/s and the share of the loop's time spent waiting
   for data;
4. the cost of take() from Python for a batch the daemon has already buffered, against a raw
   loopback socket moving the same bytes into numpy in this process (the baseline).

Every figure is printed next to the baseline measured in the same run. Each daemon is warmed up first,
untimed: --daemon-warmup seconds (default 5, and at least 1.5 x --batches batches), then until its rate
has settled (--no-steady: not; at most --warmup-max seconds). Its rates are printed as a note, and with
--compare the time each daemon took to reach a steady rate is printed as a figure of its own. So no path
pays for a fresh JVM's JIT and heap growth, and what a long training run sees is what is measured. Data is
written once into --data (default bench-data/) and reused.
"""

from __future__ import annotations

import argparse
import os
import re
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Dict, List, Optional

import h5py
import numpy as np
import torch
from torch.utils.data import DataLoader, Dataset

ROOT = Path(__file__).resolve().parents[3]
sys.path.insert(0, str(ROOT / "client" / "python"))

import batcher  # noqa: E402
from batcher.torch import BatcherLoader  # noqa: E402

RATE = 256.0
CHANNELS = ["C3", "C4", "F3", "F4", "O1", "O2", "M1", "M2"]
EPOCH = 30.0


def write_dataset(directory: Path, recordings: int, hours: float, layout: str, seed: int = 0) -> None:
    """h5py files in the format of docs/dataset-format.md, then bin/batcher index."""
    if (directory / "labeled_signals.csv").exists():
        return
    directory.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(seed)
    n = int(hours * 3600 * RATE)
    epochs = int(hours * 3600 / EPOCH)
    for r in range(recordings):
        # A cheap signal with some structure: noise plus a slow wave whose strength follows the stage.
        stages = rng.integers(0, 5, size=(1, epochs), dtype=np.int8)
        samples = rng.integers(-300, 300, size=(len(CHANNELS), n), dtype=np.int16)
        kw = {} if layout == "contiguous" else {"chunks": (len(CHANNELS), 8192), "shuffle": True,
                                                 "compression": "gzip", "compression_opts": 4}
        with h5py.File(directory / f"rec{r}.h5", "w") as f:
            eeg = f.create_dataset("signals/eeg", data=samples, **kw)
            eeg.attrs["channels"] = CHANNELS
            eeg.attrs["sample_rate"] = RATE
            eeg.attrs["resolution"] = 0.1
            eeg.attrs["offset"] = 0.0
            eeg.attrs["unit"] = "uV"
            eeg.attrs["start_ns"] = 0
            eeg.attrs["labels"] = "/labels/stage"
            st = f.create_dataset("labels/stage", data=stages)
            st.attrs["channels"] = ["stage"]
            st.attrs["sample_rate"] = 1 / EPOCH
            st.attrs["start_ns"] = 0
            st.attrs["encoding"] = ["W", "N1", "N2", "N3", "R"]
    subprocess.run(java() + ["index", str(directory)], check=True, stdout=subprocess.DEVNULL)


def java() -> List[str]:
    if os.environ.get("BATCHER_CLASSPATH"):
        return ["java", "--add-modules", "jdk.incubator.vector", "-cp", os.environ["BATCHER_CLASSPATH"],
                "dev.batcher.service.cli.Main"]
    jar = next(iter(sorted((ROOT / "samples" / "target").glob("batcher-samples-*.jar"))), None)
    if jar is None or not (ROOT / "samples" / "target" / "lib").is_dir():
        raise SystemExit(f"the Java build is missing: run 'mvn -B -DskipTests package' (or bin/batcher --help) in {ROOT}")
    return ["java", "--add-modules", "jdk.incubator.vector", "-cp",
            f"{jar}{os.pathsep}{ROOT / 'samples' / 'target' / 'lib' / '*'}", "dev.batcher.service.cli.Main"]


class H5Windows(Dataset):
    """The peer: random 30 s windows read with h5py, scaled to float32 as Batcher does."""

    def __init__(self, directory: Path, batch_size: int, seed: int) -> None:
        self.files = sorted(str(p) for p in directory.glob("rec*.h5"))
        with h5py.File(self.files[0]) as f:
            self.samples = f["signals/eeg"].shape[1]
            self.epochs = f["labels/stage"].shape[1]
        self.batch_size = batch_size
        self.seed = seed
        self.window = int(EPOCH * RATE)
        self.handles: Dict[str, h5py.File] = {}

    def __len__(self) -> int:
        return 1 << 30

    def __getitem__(self, index: int):
        rng = np.random.default_rng((self.seed, index))
        path = self.files[int(rng.integers(len(self.files)))]
        f = self.handles.get(path)
        if f is None:
            f = self.handles[path] = h5py.File(path, "r")   # one handle per file per worker
        epoch = int(rng.integers(self.epochs))
        start = epoch * self.window
        x = f["signals/eeg"][:, start:start + self.window].astype(np.float32) * np.float32(0.1)
        y = f["labels/stage"][:, epoch:epoch + 1].astype(np.int32)
        return torch.from_numpy(x), torch.from_numpy(y)


def peer_loader_compat(directory: Path, workers: int, batch_size: int) -> DataLoader:
    kw = {"prefetch_factor": 2} if workers > 0 else {}
    return DataLoader(H5Windows(directory, batch_size, seed=1), batch_size=batch_size, num_workers=workers,
                      persistent_workers=workers > 0, **kw)


def loop(iterable, batches: int, warmup: int, step_s: float) -> Dict[str, float]:
    """Runs the training loop: take a batch, touch it, then a fixed step. Returns batches/s and wait share."""
    it = iter(iterable)
    for _ in range(warmup):
        x, y = next(it)
    waited = 0.0
    t0 = time.perf_counter()
    for _ in range(batches):
        w = time.perf_counter()
        x, y = next(it)
        waited += time.perf_counter() - w
        float(x[0, 0, 0])                       # the step reads the batch
        if step_s:
            time.sleep(step_s)
    elapsed = time.perf_counter() - t0
    del it
    return {"batches_per_s": batches / elapsed, "wait": waited / elapsed}


class Daemon:
    def __init__(self, local_workers: int, workdir: Path, worker_slots: int = 1) -> None:
        extra = [f"--worker-slots={worker_slots}"] if local_workers > 0 and worker_slots != 1 else []
        self.name = f"serve --local-workers {local_workers}" + (f" --worker-slots {worker_slots}" if extra else "")
        self.log = workdir / f"peer-serve-{local_workers}{''.join(extra)}.log"
        with open(self.log, "w") as out:
            self.p = subprocess.Popen(java() + ["serve", "--port=0", "--metrics-port=-1",
                                                f"--local-workers={local_workers}"] + extra,
                                      stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            text = self.log.read_text()
            m = re.search(r"listening on [^\s:]+:(\d+)", text)
            if m and text.count(" joined ") >= local_workers:
                self.address = f"127.0.0.1:{m.group(1)}"
                return
            if self.p.poll() is not None:
                break
            time.sleep(0.05)
        self.stop()
        raise SystemExit(f"the daemon did not start:\n{self.log.read_text()}")

    def stop(self) -> None:
        if self.p.poll() is None:
            self.p.terminate()
            try:
                self.p.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(self.p.pid, signal.SIGKILL)
                self.p.wait(timeout=20)


def batch_source(batch_size: int) -> dict:
    return {"type": "random", "batchSize": batch_size, "batchSeconds": EPOCH, "channels": "all"}


def raw_loopback_ms(nbytes: int, rounds: int) -> float:
    """The baseline: moving nbytes over a loopback TCP socket into a fresh numpy buffer, in this process."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(1)
    data = np.ones(nbytes, np.uint8).tobytes()
    go = threading.Semaphore(0)

    def send() -> None:
        conn, _ = server.accept()
        with conn:
            for _ in range(rounds):
                go.acquire()
                conn.sendall(data)
    t = threading.Thread(target=send, daemon=True)
    t.start()
    c = socket.create_connection(server.getsockname())
    times = []
    for _ in range(rounds):
        buf = np.empty(nbytes, np.uint8)
        view = memoryview(buf)
        t0 = time.perf_counter()
        go.release()
        got = 0
        while got < nbytes:
            got += c.recv_into(view[got:], nbytes - got)
        times.append(time.perf_counter() - t0)
    c.close()
    server.close()
    return 1000 * statistics.median(times)


def take_cost_ms(address: str, dataset: Path, batch_size: int, rounds: int, shm: bool) -> tuple:
    """The latency of take() for a batch the daemon has already buffered (no prefetch)."""
    shared = 0
    cpu = []
    with batcher.connect(address, prefetch=False, shared_memory=shm) as client:
        h = client.batcher(f"peer-take-{shm}")
        h.create(str(dataset), batch_source(batch_size), capacity=4)
        state = batcher.BatchState.initial(3)
        times = []
        nbytes = 0
        h.start(state)
        for _ in range(rounds):
            deadline = time.monotonic() + 60
            while h.status().buffered < 3:          # wait (bounded) until batches are ready
                if time.monotonic() > deadline:
                    raise SystemExit("the daemon buffered no batches within 60 s")
                time.sleep(0.01)
            t0 = time.perf_counter()
            c0 = time.thread_time()
            with h.take(state) as b:
                float(b.x[-1, -1, -1])                # the batch is there to read
                times.append(time.perf_counter() - t0)
                cpu.append(time.thread_time() - c0)
                nbytes = b.nbytes
                shared += b.shared
            state = b.state
        h.stop()
    return 1000 * statistics.median(times), nbytes, shared, 1000 * statistics.median(cpu)


def main(argv: Optional[List[str]] = None) -> None:
    p = argparse.ArgumentParser(description="PyTorch DataLoader + h5py against Batcher, in one Python process")
    p.add_argument("--data", default="bench-data", help="where the h5py files are written once (default: %(default)s)")
    p.add_argument("--recordings", type=int, default=6)
    p.add_argument("--hours", type=float, default=4.0)
    p.add_argument("--batch-size", type=int, default=32)
    p.add_argument("--batches", type=int, default=200)
    p.add_argument("--warmup", type=int, default=20, help="batches of each loop left out of its figure (default: %(default)s)")
    p.add_argument("--daemon-warmup", type=float, default=5.0,
                   help="seconds of untimed batches from each fresh daemon before it is measured, at least 1.5 x "
                        "--batches (default: %(default)s)")
    p.add_argument("--no-steady", action="store_true",
                   help="stop each daemon's warm-up after --daemon-warmup seconds, not when its rate has settled")
    p.add_argument("--warmup-max", type=float, default=120.0,
                   help="the longest warm-up of a daemon, in seconds (default: %(default)s)")
    p.add_argument("--client-warmup", type=float, default=30.0,
                   help="with --compare clients: seconds of untimed batches each Java client JVM (one per path, kept "
                        "across the rounds) takes before its first measured loop (its JIT: after 10 s it still used "
                        "1.4-2.4x the CPU per batch it uses after 40 s; default: %(default)s)")
    p.add_argument("--workers", default="0,1,2", help="DataLoader worker counts to try (default: %(default)s)")
    p.add_argument("--local-workers", default="2", help="Batcher local worker processes (default: %(default)s)")
    p.add_argument("--worker-slots", type=int, default=1,
                   help="jobs each local worker process runs at once (serve --worker-slots; default: %(default)s)")
    p.add_argument("--step-ms", type=float, default=20.0, help="the synthetic training step (default: %(default)s)")
    p.add_argument("--layouts", default="contiguous,gzip")
    p.add_argument("--take-rounds", type=int, default=15)
    p.add_argument("--take-only", action="store_true", help="only the cost of take() (first layout, both paths)")
    p.add_argument("--compare", choices=["pools", "clients"],
                   help="only compare, in alternating rounds after a warm-up, plain serve against serve --local-workers N "
                        "(pools), or the Java client against the Python client on one plain serve (clients)")
    p.add_argument("--rounds", type=int, default=5, help="alternating rounds of --compare (default: %(default)s)")
    a = p.parse_args(argv)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))   # stop the daemon it started (finally)
    torch.set_num_threads(1)
    data = Path(a.data).resolve()
    print(f"peer benchmark: {a.recordings} recordings x {a.hours} h x {len(CHANNELS)} channels int16 at {RATE:g} Hz; "
          f"batches of {a.batch_size} x {len(CHANNELS)} x {int(EPOCH * RATE)} float32 "
          f"({a.batch_size * len(CHANNELS) * int(EPOCH * RATE) * 4 / 1e6:.1f} MB); {a.batches} batches after "
          f"{a.warmup} of warm-up; step {a.step_ms:g} ms; {os.cpu_count()} cores; torch {torch.__version__}, "
          f"h5py {h5py.__version__}; load average {os.getloadavg()[0]:.1f}", flush=True)
    step_s = a.step_ms / 1000
    for layout in a.layouts.split(","):
        directory = data / layout
        t = time.perf_counter()
        write_dataset(directory, a.recordings, a.hours, layout)
        print(f"\n== {layout} ({directory}, ready in {time.perf_counter() - t:.0f} s; "
              f"load average {os.getloadavg()[0]:.1f})", flush=True)
        if a.compare:
            compare(a.compare, directory, data, a)
            continue
        if a.take_only:
            d = Daemon(int(a.local_workers.split(",")[-1]), data, a.worker_slots)
            try:
                for path in ("shm", "tcp"):
                    report_take(d.address, directory, a, path)
            finally:
                d.stop()
            return
        raw = {}
        for w in [int(v) for v in a.workers.split(",")]:
            r = loop(peer_loader_compat(directory, w, a.batch_size), a.batches, a.warmup, 0)
            raw[w] = r["batches_per_s"]
            print(f"peer DataLoader+h5py, workers {w}: {raw[w]:.1f} batches/s (no step)", flush=True)
        best = max(raw, key=raw.get)
        peer = loop(peer_loader_compat(directory, best, a.batch_size), a.batches, a.warmup, step_s)
        print(f"peer  workers {best} (best) with the step: {peer['batches_per_s']:.1f} batches/s, "
              f"waiting for data {100 * peer['wait']:.1f}% of the loop", flush=True)
        for lw in [int(v) for v in a.local_workers.split(",")]:
            d = Daemon(lw, data, a.worker_slots)
            try:
                warm_up(d, f"serve --local-workers {lw}", directory, a)
                for path in ("shm", "tcp"):
                    with batcher.connect(d.address, shared_memory=path == "shm") as client:
                        h = client.batcher(f"peer-{layout}-{path}")
                        h.create(str(directory), batch_source(a.batch_size))
                        counted = Counted(BatcherLoader(h, seed=1))
                        r = loop(counted, a.batches, a.warmup, 0)
                        h.stop()
                        h2 = client.batcher(f"peer-{layout}-{path}-step")
                        h2.create(str(directory), batch_source(a.batch_size))
                        s = loop(BatcherLoader(h2, seed=2), a.batches, a.warmup, step_s)
                        h2.stop()
                    how = f"{path}, {100 * counted.shared / max(counted.n, 1):.0f}% of batches in shared memory"
                    print(f"batcher --local-workers {lw}, Python client ({how}): {r['batches_per_s']:.1f} batches/s "
                          f"(no step), {r['batches_per_s'] / raw[best]:.2f}x the peer's best", flush=True)
                    print(f"batcher --local-workers {lw}, {path}, with the step: {s['batches_per_s']:.1f} batches/s, "
                          f"waiting for data {100 * s['wait']:.1f}% of the loop "
                          f"(peer: {peer['batches_per_s']:.1f} batches/s, {100 * peer['wait']:.1f}%)", flush=True)
                    if layout == a.layouts.split(",")[0] and lw == int(a.local_workers.split(",")[-1]):
                        report_take(d.address, directory, a, path)
            finally:
                d.stop()


def take_loop(address: str, directory: Path, batches: int, warmup: int, shm: bool, name: str,
              cpu: Optional[List[float]] = None) -> float:
    """The plain take loop of the Java harness (ClientTakeLoop), from Python: batches/s (and CPU ms per batch into cpu)."""
    with batcher.connect(address, shared_memory=shm) as client:
        h = client.batcher(name)
        h.create(str(directory), batch_source(32))
        state = batcher.BatchState.initial(1)
        h.start(state)
        for i in range(warmup + batches):
            if i == warmup:
                t0 = time.perf_counter()
                c0 = time.process_time()
            with h.take(state) as b:
                float(b.x[0, 0, 0]) + float(b.x[-1, -1, -1])
                state = b.state
        rate = batches / (time.perf_counter() - t0)
        if cpu is not None:
            cpu.append(1000 * (time.process_time() - c0) / batches)
        h.stop()
    return rate


class JavaLoop:
    """The Java client's take loop (ClientTakeLoop) in one JVM that lives across the rounds of --compare
    clients, as the Python client does in this process: warm_s seconds of untimed batches first (the JIT of
    a fresh JVM), then one measured loop per call. A JVM per round measured its JIT again every round."""

    def __init__(self, address: str, directory: Path, batches: int, path: str, warm_s: float) -> None:
        cmd = java()
        cmd[cmd.index("dev.batcher.service.cli.Main")] = "dev.batcher.bench.ClientTakeLoop"
        self.proc = subprocess.Popen(cmd + [address, str(directory), str(batches), "stdin", path, str(warm_s)],
                                     stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, bufsize=1)
        while True:
            line = self._line(600 + warm_s)
            if line == "ready":
                break
            print(f"# Java client, {path}: {line}", flush=True)

    def _line(self, timeout_s: float) -> str:
        timer = threading.Timer(timeout_s, self.proc.kill)
        timer.start()
        try:
            line = self.proc.stdout.readline()
        finally:
            timer.cancel()
        if not line:
            raise SystemExit(f"the Java take loop ended (exit code {self.proc.wait()}); its stderr is above")
        return line.strip()

    def loop(self, cpu: Optional[List[float]] = None) -> float:
        """Runs one measured loop on a fresh batcher: batches/s (and CPU ms of the JVM per batch into cpu)."""
        self.proc.stdin.write("round\n")
        self.proc.stdin.flush()
        fields = self._line(600).split()
        if fields[0] != "java":
            raise SystemExit(f"the Java take loop answered {' '.join(fields)!r} (expected: java RATE CPU_MS)")
        if cpu is not None:
            cpu.append(float(fields[2]))
        return float(fields[1])

    def close(self) -> None:
        self.proc.stdin.close()
        try:
            self.proc.wait(timeout=60)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()


def warm_up(d: "Daemon", name: str, directory: Path, a: argparse.Namespace) -> float:
    """Takes batches from a fresh daemon, untimed, for --daemon-warmup seconds (and at least 1.5 x --batches),
    then, unless --no-steady, until its rate has settled; returns the seconds that took.

    A new JVM runs its first seconds slower than it will for the rest of a training run: the JIT compiles the
    read and decode paths, and the heap grows to the allocation rate (JFR of a fresh daemon on gzip data showed
    its first ~3 s in young collections and in zeroing newly committed heap; on contiguous data the first
    300 batches ran at half the rate of the next ones). A daemon with worker processes warms three JVMs on
    the same cores, and JFR showed their C2 compiler threads busy for 30 s. Without this, whichever path is
    measured first on a daemon pays for it, and a run of a few seconds measures start-up, not throughput.

    Steady: the median rate of the last five rounds of --batches is at most 4% above and at most 10% below
    the median of the five before (no trend over ten rounds; three against three passed a daemon still
    rising by a third; a dip alone is noise), or --warmup-max seconds have passed (then a note says so).
    The same test as bench service and bench scale (ServiceBench.isSteady).
    """
    t = time.perf_counter()
    n = 0
    rates: List[float] = []

    def steady() -> bool:
        if len(rates) < 10:
            return False
        last, before = statistics.median(rates[-5:]), statistics.median(rates[-10:-5])
        return 0.9 * before <= last <= 1.04 * before

    while n < 3 * a.batches // 2 or time.perf_counter() - t < a.daemon_warmup or (
            not a.no_steady and not steady() and time.perf_counter() - t < a.warmup_max):
        rates.append(take_loop(d.address, directory, a.batches, 0, True, f"peer-warm-{n}"))
        n += a.batches
    s = time.perf_counter() - t
    capped = "" if a.no_steady or steady() else f"; not settled at --warmup-max {a.warmup_max:g} s"
    print(f"# warm-up of a fresh daemon ({name}): {n} batches in {s:.1f} s ({n / s:.1f} batches/s, not a figure: "
          f"JIT and heap growth); rounds of {a.batches}: {' '.join(f'{r:.0f}' for r in rates)}{capped}", flush=True)
    return s


def compare(kind: str, directory: Path, workdir: Path, a: argparse.Namespace) -> None:
    """Alternating rounds of two candidates after a warm-up, then the ratio of their medians."""
    lw = int(a.local_workers.split(",")[-1])
    daemons: Dict[str, Daemon] = {}
    loops: Dict[str, JavaLoop] = {}
    try:
        if kind == "pools":
            daemons["serve"] = Daemon(0, workdir)
            workers = Daemon(lw, workdir, a.worker_slots)
            daemons[workers.name] = workers
            paths = ["shm", "tcp"]
            names = [f"{n}, {path}" for path in paths for n in daemons]
        else:
            daemons["serve"] = Daemon(0, workdir)
            paths = ["shm", "tcp"]
            names = [f"{c} client, {path}" for path in paths for c in ("Python", "Java")]
        warm = {n: warm_up(d, n, directory, a) for n, d in daemons.items()}
        if not a.no_steady:
            print("time to a steady rate from a fresh daemon (Python client, shared memory): "
                  + ", ".join(f"{n} {s:.0f} s" for n, s in warm.items()), flush=True)
        if kind == "clients":
            for path in paths:
                loops[path] = JavaLoop(daemons["serve"].address, directory, a.batches, path, a.client_warmup)
        figures: Dict[str, List[float]] = {n: [] for n in names}
        cpu: Dict[str, List[float]] = {n: [] for n in names}
        for r in range(a.rounds):
            for path in paths:
                if kind == "pools":
                    for n, d in daemons.items():
                        figures[f"{n}, {path}"].append(take_loop(d.address, directory, a.batches, a.warmup // 2,
                                                                 path == "shm", f"peer-{r}-{path}"))
                else:
                    d = daemons["serve"]
                    figures[f"Python client, {path}"].append(take_loop(d.address, directory, a.batches, a.warmup // 2,
                                                                       path == "shm", f"peer-{r}-{path}",
                                                                       cpu[f"Python client, {path}"]))
                    figures[f"Java client, {path}"].append(loops[path].loop(cpu[f"Java client, {path}"]))
            print(f"round {r}: " + ", ".join(f"{n} {v[-1]:.1f}" for n, v in figures.items()), flush=True)
        for path in paths:
            pair = [n for n in names if n.endswith(", " + path)]
            base, cand = statistics.median(figures[pair[0]]), statistics.median(figures[pair[1]])
            print(f"{pair[1]}: {cand:.1f} batches/s (median of {a.rounds}), {cand / base:.2f}x {pair[0]} "
                  f"({base:.1f} batches/s)", flush=True)
            if cpu[pair[0]]:
                print(f"# CPU of the client process per batch, median: {pair[1]} {statistics.median(cpu[pair[1]]):.3f} ms, "
                      f"{pair[0]} {statistics.median(cpu[pair[0]]):.3f} ms", flush=True)
    finally:
        for j in loops.values():
            j.close()
        for d in daemons.values():
            d.stop()


def report_take(address: str, directory: Path, a: argparse.Namespace, path: str) -> None:
    take_ms, nbytes, shared, cpu_ms = take_cost_ms(address, directory, a.batch_size, a.take_rounds, path == "shm")
    base_ms = raw_loopback_ms(nbytes, a.take_rounds)
    print(f"take() of a buffered {nbytes / 1e6:.1f} MB batch from Python, {path} ({shared} of {a.take_rounds} in "
          f"shared memory): median {take_ms:.2f} ms, of which {cpu_ms:.2f} ms CPU in the client's thread; raw "
          f"loopback socket into numpy, same bytes: {base_ms:.2f} ms ({take_ms / base_ms:.2f}x)", flush=True)


class Counted:
    """Counts how many of a BatcherLoader's batches came in shared memory."""

    def __init__(self, loader: BatcherLoader) -> None:
        self.loader = loader
        self.n = 0
        self.shared = 0

    def __iter__(self):
        for x, y in self.loader:
            self.n += 1
            self.shared += bool(self.loader._held is not None and self.loader._held.shared)
            yield x, y


if __name__ == "__main__":
    main()
