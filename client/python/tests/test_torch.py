"""batcher.torch: tensors without copies, state_dict round trips, ranks."""

import io

import numpy as np
import pytest
import torch

import batcher
from batcher import BatchState
from batcher.torch import BatcherLoader, loader
from conftest import RANDOM


def test_loader_yieldsTensorsSharingTheBatchMemory(client, dataset):
    h = client.batcher("torch-tensors")
    h.create(str(dataset), RANDOM)
    seen = []
    for x, y in BatcherLoader(h, seed=4, steps=3, device="cpu", pin_memory=True):
        assert isinstance(x, torch.Tensor) and x.dtype == torch.float32 and tuple(x.shape) == (8, 2, 3840)
        assert y.dtype == torch.int32 and tuple(y.shape) == (8, 1, 1)
        assert x.numpy().base is not None          # a view (torch.from_numpy), not a copy
        seen.append(x.clone())
    assert len(seen) == 3
    with h.take(BatchState(4, 2)) as b:            # the same bytes as a plain take
        assert np.array_equal(b.x, seen[2].numpy())
    h.stop()


def test_stateDict_roundTrip_resumesByteIdentically(client, dataset, daemon):
    h = client.batcher("torch-resume")
    h.create(str(dataset), RANDOM)
    uninterrupted = [x.clone() for x, _ in BatcherLoader(h, seed=9, steps=6)]

    first = BatcherLoader(h, seed=9, steps=3)
    before = [x.clone() for x, _ in first]
    buf = io.BytesIO()
    torch.save({"data": first.state_dict()}, buf)  # what a checkpoint holds
    assert first.state_dict()["batcher_state"] == "seed=9,batch=3"

    with batcher.connect(daemon.address) as other:  # a new process would do the same
        h2 = other.batcher("torch-resume")
        h2.create(str(dataset), RANDOM)
        resumed = BatcherLoader(h2, seed=0, steps=3)
        buf.seek(0)
        resumed.load_state_dict(torch.load(buf)["data"])
        after = [x.clone() for x, _ in resumed]
        assert resumed.state_dict() == {"batcher_state": "seed=9,batch=6", "initial_state": "seed=9,batch=0",
                                        "num_yielded": 6}
    for a, b in zip(before + after, uninterrupted):
        assert torch.equal(a, b)
    with pytest.raises(ValueError, match="state_dict"):
        resumed.load_state_dict({"nope": 1})
    h.stop()


def test_loaderHelper_ranksShareTheGlobalSequence(client, dataset):
    ref = loader(client, "torch-global", str(dataset), RANDOM, seed=2, steps=4)
    reference = [x.clone() for x, _ in ref]
    ranks = [loader(client, "torch-dp", str(dataset), RANDOM, seed=2, rank=r, world_size=2, steps=2)
             for r in range(2)]
    got = [[x.clone() for x, _ in r] for r in ranks]
    assert [ranks[0].handle.name, ranks[1].handle.name] == ["torch-dp-0-of-2", "torch-dp-1-of-2"]
    for step in range(2):
        for r in range(2):
            assert torch.equal(got[r][step], reference[2 * step + r])
    assert ranks[0].state_dict() == ranks[1].state_dict()
    for lo in [ref] + ranks:
        lo.handle.stop()
