"""Data-parallel ranks: disjoint and complete, every rank resumes exactly, and W may change."""

import pytest

import batcher
from batcher import BatchState
from conftest import RANDOM, SEQUENTIAL
from test_client import take_n


def rank_handle(client, dataset, prefix, rank, world, source=RANDOM, uneven="pad"):
    h = client.batcher(f"{prefix}-{rank}-of-{world}")
    h.create(str(dataset), batcher.sharded(source, rank, world, uneven))
    return h


def test_twoRanks_areDisjointCompleteAndHoldTheSameState(client, dataset):
    g = client.batcher("global")
    g.create(str(dataset), RANDOM)
    g.start(BatchState.initial(21))
    reference, _ = take_n(g, BatchState.initial(21), 12)
    g.stop()

    ranks = [rank_handle(client, dataset, "ranks", r, 2) for r in range(2)]
    taken, states = [], []
    for h in ranks:
        h.start(BatchState.initial(21))
        got, after = take_n(h, BatchState.initial(21), 4)   # global batches r, r+2, r+4, r+6
        taken.append(got)
        states.append(after)
    assert states == [BatchState(21, 8)] * 2
    interleaved = [b for pair in zip(*taken) for b in pair]
    assert interleaved == reference[:8]
    assert len(set(interleaved)) == 8

    # Resume every rank from the common state with W = 3: global batches 8, 9, 10 in the first round
    resumed = [rank_handle(client, dataset, "ranks", r, 3) for r in range(3)]
    firsts = []
    for h in resumed:
        h.start(states[0])
        got, after = take_n(h, states[0], 1)
        firsts += got
        assert after == BatchState(21, 11)
    assert firsts == reference[8:11]
    for h in ranks + resumed:
        h.stop()


@pytest.mark.parametrize("uneven", ["pad", "drop"])
def test_finiteSource_everyRankGetsTheSameNumberOfBatches(client, dataset, uneven):
    g = client.batcher(f"seq-global-{uneven}")
    g.create(str(dataset), SEQUENTIAL)
    state, total = BatchState.initial(0), 0
    g.start(state)
    while not (b := g.take(state)).end:
        total += 1
        state = b.state
    g.stop()
    world = 3 if total % 3 else 4
    assert total % world
    counts, ends = [], []
    for r in range(world):
        h = rank_handle(client, dataset, f"seq-{uneven}", r, world, SEQUENTIAL, uneven)
        state = BatchState.initial(0)
        h.start(state)
        n = 0
        while not (b := h.take(state)).end:
            n += 1
            state = b.state
        counts.append(n)
        ends.append(b.state)
        h.stop()
    expected = -(-total // world) if uneven == "pad" else total // world
    assert counts == [expected] * world
    assert len(set(ends)) == 1
