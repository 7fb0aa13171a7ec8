"""The PyTorch sample (examples/sleep_cnn.py) on tiny data: train, resume exactly, two ranks."""

import importlib
import sys
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parents[1]


def sample():
    # importable by name, so that the ranks torch.multiprocessing spawns can import it too
    sys.path.insert(0, str(HERE / "examples"))
    return importlib.import_module("sleep_cnn")


@pytest.mark.timeout(240)
def test_sample_trainsResumesExactlyAndRunsOnTwoRanks(daemon, dataset, tmp_path, capfd):
    sleep_cnn = sample()
    common = ["--manager", daemon.address, "--dataset", str(dataset), "--batch-size", "8", "--holdout", "1",
              "--log-every", "4", "--checkpoint-every", "4"]
    full = sleep_cnn.run(common + ["--steps", "12", "--checkpoint-dir", str(tmp_path / "full"), "--name", "cnn-full"])
    assert full.steps == 12 and full.first_step == 0
    assert sorted(full.digests) == list(range(12))
    assert 0.0 <= full.heldout_accuracy <= 1.0 and full.heldout_windows > 0
    assert full.state == "seed=1,batch=12"

    part = tmp_path / "part"
    first = sleep_cnn.run(common + ["--steps", "6", "--checkpoint-dir", str(part), "--name", "cnn-part"])
    resumed = sleep_cnn.run(common + ["--steps", "12", "--checkpoint-dir", str(part), "--name", "cnn-part",
                                      "--resume", "--check-resume"])
    assert resumed.first_step == 6 and resumed.resume_checked == 6
    # the batches before and after the resume are those of the uninterrupted run, byte for byte
    assert {**first.digests, **resumed.digests} == full.digests
    # the same model state, so the same loss as uninterrupted (same batches, same order, same init)
    assert resumed.loss == pytest.approx(full.loss, rel=1e-4)

    two = sleep_cnn.run(common + ["--steps", "16", "--checkpoint-dir", str(part), "--name", "cnn-part",
                                  "--resume", "--check-resume", "--world-size", "2"])
    assert two.world_size == 2 and two.first_step == 12 and two.steps == 16
    assert sorted(two.digests) == list(range(12, 20))   # 4 steps x 2 ranks: global batches 12..19
    assert two.resume_checked == 8
    out = capfd.readouterr().out
    assert "resume check: the 6 batches after step 6 are byte-identical" in out
    assert "(1 ranks then, 2 now)" in out
    assert "held-out accuracy" in out
