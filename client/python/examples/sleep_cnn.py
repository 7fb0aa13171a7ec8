"""Sleep staging with a small 1-D CNN on raw EEG, fed by a Batcher daemon.

Against a daemon with worker processes (bin/batcher serve --local-workers 2) and a generated dataset
(bin/batcher generate sleep8 ...):

    python3 client/python/examples/sleep_cnn.py --manager 127.0.0.1:7070 --dataset sleep8 \\
        --steps 300 --checkpoint-dir cnn-checkpoints
    # continue from the checkpoint, checking that the batches after the resume are byte-identical
    # to those of an uninterrupted run:
    python3 client/python/examples/sleep_cnn.py ... --steps 600 --resume --check-resume
    # two data-parallel ranks on CPU (gloo), each taking its share of one global sequence:
    python3 client/python/examples/sleep_cnn.py ... --world-size 2

The last --holdout recordings are held out: training samples random 30 s windows of the others,
and the held-out accuracy is measured on every window of the held-out recordings, once, at the end.
Each checkpoint holds the model, the optimiser and the loader's state_dict() side by side.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import json
import os
import shutil
import sys
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Dict, List, Optional, Sequence

import torch
import torch.distributed as dist
import torch.nn as nn

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # the client, when not pip-installed

import batcher  # noqa: E402
from batcher.torch import BatcherLoader, loader  # noqa: E402


@dataclass
class Result:
    """What a run did: its steps, its last loss, the held-out accuracy and the batches it took."""

    steps: int
    first_step: int
    world_size: int
    loss: float
    train_accuracy: float
    heldout_accuracy: Optional[float]
    heldout_windows: int
    batches_per_second: float
    wait_share: float
    state: str
    digests: Dict[int, str] = field(default_factory=dict)  # global batch index -> sha256 of x and y
    resume_checked: Optional[int] = None                   # batches found identical, with --check-resume


def parse_args(argv: Optional[Sequence[str]] = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--manager", default="127.0.0.1:7070", help="the daemon's host:port (default: %(default)s)")
    p.add_argument("--token", default=None, help="the daemon's token (default: $BATCHER_TOKEN)")
    p.add_argument("--dataset", required=True, help="the dataset directory (made by bin/batcher generate)")
    p.add_argument("--channels", default="names:C3,C4,F3,F4", help="channel selection (default: %(default)s)")
    p.add_argument("--target-rate", type=float, default=64.0, help="resample to this rate, Hz (default: %(default)s)")
    p.add_argument("--batch-size", type=int, default=32)
    p.add_argument("--steps", type=int, default=300, help="train until this optimiser step (default: %(default)s)")
    p.add_argument("--lr", type=float, default=3e-3)
    p.add_argument("--seed", type=int, default=1, help="the data stream's seed (default: %(default)s)")
    p.add_argument("--holdout", type=int, default=2, help="recordings held out for evaluation (default: %(default)s)")
    p.add_argument("--checkpoint-dir", required=True)
    p.add_argument("--checkpoint-every", type=int, default=50)
    p.add_argument("--resume", action="store_true", help="continue from the checkpoint in --checkpoint-dir")
    p.add_argument("--check-resume", action="store_true",
                   help="after a resume, compare every batch taken with those of an uninterrupted stream")
    p.add_argument("--world-size", type=int, default=1, help="data-parallel ranks on this machine (gloo)")
    p.add_argument("--log-every", type=int, default=25)
    p.add_argument("--name", default="sleep-cnn", help="the batcher's name on the daemon (default: %(default)s)")
    a = p.parse_args(argv)
    for name in ("batch_size", "steps", "world_size", "checkpoint_every", "log_every"):
        if getattr(a, name) < 1:
            p.error(f"--{name.replace('_', '-')}: {getattr(a, name)} (expected: >= 1)")
    a.dataset = os.path.abspath(a.dataset)
    return a


class SleepCNN(nn.Module):
    """Three strided convolutions over time, global average pooling and a linear classifier."""

    def __init__(self, channels: int, classes: int) -> None:
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv1d(channels, 16, 7, stride=2, padding=3), nn.BatchNorm1d(16), nn.ReLU(), nn.MaxPool1d(4),
            nn.Conv1d(16, 32, 7, padding=3), nn.BatchNorm1d(32), nn.ReLU(), nn.MaxPool1d(4),
            nn.Conv1d(32, 64, 7, padding=3), nn.BatchNorm1d(64), nn.ReLU(), nn.AdaptiveAvgPool1d(1))
        self.classify = nn.Linear(64, classes)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.classify(self.features(x).flatten(1))


def read_table(dataset: str) -> List[Dict[str, str]]:
    with open(os.path.join(dataset, "labeled_signals.csv"), newline="") as f:
        return list(csv.DictReader(f))


def split(a: argparse.Namespace) -> tuple:
    """Training weights (0 for held-out signals) and a dataset directory of the held-out recordings."""
    rows = read_table(a.dataset)
    recordings = list(dict.fromkeys(r["recording"] for r in rows))
    if not 0 <= a.holdout < len(recordings):
        raise SystemExit(f"--holdout: {a.holdout} (expected: 0 to {len(recordings) - 1}; "
                         f"{a.dataset} has {len(recordings)} recordings)")
    held = set(recordings[len(recordings) - a.holdout:])
    weights = [0.0 if r["recording"] in held else 1.0 for r in rows]
    if not held:
        return weights, None, held
    # The held-out recordings as a dataset of their own: their files (hard links, or copies on
    # another file system; the daemon refuses symbolic links out of a dataset) and their table rows.
    valid = Path(a.checkpoint_dir) / "heldout"
    valid.mkdir(parents=True, exist_ok=True)
    with open(os.path.join(a.dataset, "labeled_signals.csv"), newline="") as f:
        reader = csv.reader(f)
        header = next(reader)
        kept = [row for row in reader if row[header.index("recording")] in held]
    file_col = header.index("file")
    for row in kept:
        link = valid / row[file_col]
        link.parent.mkdir(parents=True, exist_ok=True)
        if not link.exists():
            try:
                os.link(os.path.join(a.dataset, row[file_col]), link)
            except OSError:
                shutil.copyfile(os.path.join(a.dataset, row[file_col]), link)
    tmp = valid / "labeled_signals.csv.tmp"
    with open(tmp, "w", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(header)
        w.writerows(kept)
    os.replace(tmp, valid / "labeled_signals.csv")
    return weights, str(valid.resolve()), held


def digest(x: torch.Tensor, y: torch.Tensor) -> str:
    h = hashlib.sha256()
    h.update(x.numpy().tobytes())
    h.update(y.numpy().tobytes())
    return h.hexdigest()


def save(path: Path, checkpoint: dict) -> None:
    """Writes the checkpoint atomically: a temporary file, then a rename."""
    tmp = path.with_name(path.name + ".tmp")
    torch.save(checkpoint, tmp)
    os.replace(tmp, path)


def evaluate(model: nn.Module, client: batcher.Client, a: argparse.Namespace, valid: str, options: dict) -> tuple:
    """Accuracy over every window of the held-out recordings (a finite sequential source)."""
    h = client.batcher(f"{a.name}-heldout")
    h.create(valid, {"type": "sequential", "batchSize": 64, "batchSeconds": 30, "channels": a.channels}, options)
    correct = total = 0
    model.eval()
    with torch.no_grad():
        for x, y in BatcherLoader(h, seed=0):
            labels = y[:, 0, 0].long()
            keep = labels >= 0                      # -1: an epoch an earlier window already covered
            predicted = model(x).argmax(1)
            correct += int((predicted[keep] == labels[keep]).sum())
            total += int(keep.sum())
    h.stop()
    model.train()
    return (correct / total if total else float("nan")), total


def train(rank: int, a: argparse.Namespace) -> Result:
    world = a.world_size
    if world > 1:
        torch.set_num_threads(1)
        dist.init_process_group("gloo", init_method=f"file://{os.path.abspath(a.checkpoint_dir)}/.rendezvous",
                                rank=rank, world_size=world)
    torch.manual_seed(0)                       # the same initial weights on every rank and run
    weights, valid, held = split(a) if rank == 0 or world == 1 else (None, None, None)
    if world > 1:
        shared = [weights, valid]
        dist.broadcast_object_list(shared, src=0)
        weights, valid = shared
    options = {"targetRateHz": a.target_rate, "normalize": True}
    classes = 5
    channels = len(a.channels.split(":", 1)[1].split(",")) if ":" in a.channels else None
    if channels is None:
        raise SystemExit(f"--channels: {a.channels} (expected: names:..., fill:... or montage:..., so the model knows its inputs)")
    model = SleepCNN(channels, classes)
    optimiser = torch.optim.Adam(model.parameters(), lr=a.lr)
    ckpt_path = Path(a.checkpoint_dir) / "checkpoint.pt"
    source = {"type": "random", "batchSize": a.batch_size, "batchSeconds": 30, "channels": a.channels,
              "signalWeights": weights}
    with batcher.connect(a.manager, a.token, name=f"{a.name}-rank{rank}") as client:
        data = loader(client, a.name, a.dataset, source, seed=a.seed, options=options,
                      rank=rank, world_size=world)
        step = 0
        if a.resume:
            if not ckpt_path.exists():
                raise SystemExit(f"--resume: no checkpoint at {ckpt_path}")
            ck = torch.load(ckpt_path)
            model.load_state_dict(ck["model"])
            optimiser.load_state_dict(ck["optimizer"])
            data.load_state_dict(ck["data"])       # the global state: valid for any world size
            step = ck["step"]
            if rank == 0:
                change = f" ({ck['world_size']} ranks then, {world} now)" if ck["world_size"] != world else ""
                print(f"resumed from {ckpt_path}: step {step}, data state {ck['data']['batcher_state']}{change}",
                      flush=True)
        first = step
        net = nn.parallel.DistributedDataParallel(model) if world > 1 else model
        data.steps = max(0, a.steps - step)
        loss_fn = nn.CrossEntropyLoss(ignore_index=-1)
        digests: Dict[int, str] = {}
        t0 = time.perf_counter()
        waited = 0.0
        loss_value, acc = float("nan"), float("nan")
        correct = seen = 0
        it = iter(data)
        while step < a.steps:
            g = data.state.batch + rank           # the global index of this rank's batch
            w0 = time.perf_counter()
            try:
                x, y = next(it)
            except StopIteration:
                break
            waited += time.perf_counter() - w0
            if world > 1:
                parts: list = [None] * world           # rank 0 records every rank's batch
                dist.all_gather_object(parts, (g, digest(x, y)))
                digests.update(parts)
            else:
                digests[g] = digest(x, y)
            labels = y[:, 0, 0].long()
            out = net(x)
            loss = loss_fn(out, labels)
            optimiser.zero_grad()
            loss.backward()
            optimiser.step()
            step += 1
            loss_value = float(loss)
            keep = labels >= 0
            correct += int((out.argmax(1)[keep] == labels[keep]).sum())
            seen += int(keep.sum())
            elapsed = time.perf_counter() - t0
            if rank == 0 and (step % a.log_every == 0 or step == a.steps):
                acc = correct / max(seen, 1)
                print(f"step {step}/{a.steps}  loss {loss_value:.4f}  train acc {acc:.3f}  "
                      f"{(step - first) * world / elapsed:.1f} batches/s  data wait {100 * waited / elapsed:.1f}%",
                      flush=True)
                correct = seen = 0
            if rank == 0 and (step % a.checkpoint_every == 0 or step == a.steps):
                save(ckpt_path, {"model": model.state_dict(), "optimizer": optimiser.state_dict(),
                                 "data": data.state_dict(), "step": step, "world_size": world})
        elapsed = time.perf_counter() - t0
        acc = correct / seen if seen else acc
        result = Result(steps=step, first_step=first, world_size=world, loss=loss_value, train_accuracy=acc,
                        heldout_accuracy=None, heldout_windows=0,
                        batches_per_second=(step - first) * world / elapsed if elapsed > 0 else 0.0,
                        wait_share=waited / elapsed if elapsed > 0 else 0.0, state=str(data.state),
                        digests=digests if rank == 0 else {})
        if rank == 0 and a.resume and a.check_resume:
            result.resume_checked = check_resume(client, a, source, options, first, digests, world)
        if rank == 0 and valid is not None:
            result.heldout_accuracy, result.heldout_windows = evaluate(model, client, a, valid, options)
            print(f"held-out accuracy {result.heldout_accuracy:.3f} on {result.heldout_windows} windows of "
                  f"{sorted(held)}", flush=True)
        if rank == 0:
            print(f"done: step {step} ({step - first} this run) in {elapsed:.1f} s, "
                  f"{result.batches_per_second:.1f} batches/s, data wait {100 * result.wait_share:.1f}%", flush=True)
        data.handle.stop()
    if world > 1:
        dist.barrier()
        dist.destroy_process_group()
    return result


def check_resume(client: batcher.Client, a: argparse.Namespace, source: dict, options: dict, first: int,
                 digests: Dict[int, str], world: int) -> int:
    """Takes the uninterrupted global stream (from the initial state, one rank) through a batcher of
    its own and checks that every batch this resumed run trained on is byte-identical to it."""
    last = max(digests) if digests else -1
    reference = loader(client, f"{a.name}-reference", a.dataset, source, seed=a.seed, options=options,
                       rank=0, world_size=1, steps=last + 1)
    for g, (x, y) in enumerate(reference):
        if g in digests and digests[g] != digest(x, y):
            raise SystemExit(f"resume check FAILED: global batch {g} differs from an uninterrupted run's")
    reference.handle.stop()
    print(f"resume check: the {len(digests)} batches after step {first} are byte-identical to an "
          "uninterrupted run's", flush=True)
    return len(digests)


def _spawned(rank: int, a: argparse.Namespace) -> None:
    result = train(rank, a)
    if rank == 0:
        with open(Path(a.checkpoint_dir) / "result.json", "w") as f:
            json.dump(asdict(result), f)


def run(argv: Optional[Sequence[str]] = None) -> Result:
    """Runs the sample with command-line arguments; returns what rank 0 saw."""
    a = parse_args(argv)
    Path(a.checkpoint_dir).mkdir(parents=True, exist_ok=True)
    if a.world_size == 1:
        return train(0, a)
    rendezvous = Path(a.checkpoint_dir) / ".rendezvous"
    if rendezvous.exists():
        rendezvous.unlink()
    torch.multiprocessing.spawn(_spawned, args=(a,), nprocs=a.world_size, join=True)
    with open(Path(a.checkpoint_dir) / "result.json") as f:
        r = json.load(f)
    r["digests"] = {int(k): v for k, v in r["digests"].items()}
    return Result(**r)


if __name__ == "__main__":
    run()
