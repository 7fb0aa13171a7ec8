"""The peer benchmark (bench/peer.py) on tiny data: --compare clients and --compare pools run their loops, the
Java client's JVM lives across the rounds, and every figure line is printed. Never a speed: the figures of a
tiny run mean nothing."""

import re
import subprocess
import sys
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parents[1]
PEER = HERE / "bench" / "peer.py"
TINY = ["--recordings", "2", "--hours", "0.1", "--batches", "5", "--warmup", "2", "--rounds", "2",
        "--daemon-warmup", "0", "--layouts", "contiguous"]
FIGURE = r"([0-9.]+) batches/s \(median of 2\), ([0-9.]+)x "


def peer(tmp_path: Path, *args: str) -> str:
    out = subprocess.run([sys.executable, str(PEER), "--data", str(tmp_path / "data"), *TINY, *args],
                         capture_output=True, text=True, timeout=270, cwd=tmp_path)
    assert out.returncode == 0, out.stdout + out.stderr
    return out.stdout


@pytest.mark.timeout(300)
def test_compareClients_tinyData_oneJavaJvmPerPathAcrossRoundsAndBothRatios(tmp_path: Path) -> None:
    out = peer(tmp_path, "--compare", "clients", "--client-warmup", "0.3", "--no-steady")
    for path in ("shm", "tcp"):
        warm = re.findall(rf"^# Java client, {path}: # warm-up: (\d+) loops of 5 batches", out, re.M)
        assert len(warm) == 1 and int(warm[0]) >= 1, out  # one JVM per path, warmed once
        m = re.search(rf"^Java client, {path}: {FIGURE}Python client, {path} \(([0-9.]+) batches/s\)$", out, re.M)
        assert m is not None, out
        assert float(m.group(1)) > 0 and float(m.group(2)) > 0 and float(m.group(3)) > 0
        cpu = re.search(rf"^# CPU of the client process per batch, median: Java client, {path} ([0-9.]+) ms, "
                        rf"Python client, {path} ([0-9.]+) ms$", out, re.M)
        assert cpu is not None, out
    assert len(re.findall(r"^round \d: Python client, shm [0-9.]+, Java client, shm [0-9.]+, ", out, re.M)) == 2, out


@pytest.mark.timeout(300)
def test_comparePools_tinyData_bothPathsAndTheTimeToASteadyRate(tmp_path: Path) -> None:
    out = peer(tmp_path, "--compare", "pools", "--local-workers", "1", "--warmup-max", "3")
    for path in ("shm", "tcp"):
        m = re.search(rf"^serve --local-workers 1, {path}: {FIGURE}serve, {path} \(([0-9.]+) batches/s\)$", out, re.M)
        assert m is not None, out
        assert float(m.group(1)) > 0 and float(m.group(2)) > 0
    # each daemon warms up for at least ten loops (the steady test compares five with five) or --warmup-max
    warm = re.findall(r"^# warm-up of a fresh daemon \(serve(?: --local-workers 1)?\): (\d+) batches in ([0-9.]+) s.*"
                      r"rounds of 5: ([0-9 ]+)(; not settled at --warmup-max 3 s)?$", out, re.M)
    assert len(warm) == 2, out
    for batches, seconds, rounds, capped in warm:
        assert len(rounds.split()) == int(batches) // 5
        assert len(rounds.split()) >= 10 or (capped and float(seconds) >= 3), out
    assert re.search(r"^time to a steady rate from a fresh daemon \(Python client, shared memory\): serve \d+ s, "
                     r"serve --local-workers 1 \d+ s$", out, re.M), out
