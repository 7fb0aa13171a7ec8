"""Batcher from Python: take deterministic, resumable batches from a Batcher daemon.

    import batcher
    with batcher.connect("127.0.0.1:7070") as client:
        train = client.batcher("train")
        train.create("/data/sleep", {"type": "random", "batchSize": 32, "batchSeconds": 30})
        state = batcher.BatchState.initial(42)
        train.start(state)
        with train.take(state) as batch:
            x, y = batch.x, batch.y      # numpy float32 [32, channels, 7680], int32 labels
        state = batch.state              # keep it in your checkpoint

The client speaks docs/protocol.md over TCP; it needs numpy, and torch only for
:mod:`batcher.torch`.
"""

from __future__ import annotations

from typing import Any, Dict, Mapping

from .batch import Batch
from .client import Client, connect
from .errors import (BatchClosedError, BatcherError, BatcherTimeoutError, ConnectionLostError,
                     ProtocolError, RemoteBatcherError)
from .handle import Handle
from .state import BatchState
from .status import BatcherStatus, Failure

__version__ = "0.1.0"

__all__ = ["connect", "Client", "Handle", "Batch", "BatchState", "BatcherStatus", "Failure",
           "BatcherError", "RemoteBatcherError", "BatcherTimeoutError", "ConnectionLostError",
           "ProtocolError", "BatchClosedError", "sharded"]


def sharded(source: Mapping[str, Any], rank: int, world_size: int, uneven: str = "pad") -> Dict[str, Any]:
    """Rank ``rank`` of ``world_size``'s share of ``source``, for data-parallel training.

    Rank r takes the global batches r, r + W, r + 2W, ... of ``source``. The state is global
    (its ``batch`` is the index of the round's first global batch and advances by W each step), so
    every rank holds the same state, one checkpoint resumes all of them, and resuming with another
    world size continues the global sequence from the checkpointed state. ``uneven`` says what the
    ranks do with a finite source's incomplete last round: ``"pad"`` (repeat the round's first
    batch) or ``"drop"``. Give each rank its own batcher name.

    Returns:
        the source as JSON, for :meth:`Handle.create`: ``{"type": "sharded", ...}``.
    """
    if isinstance(world_size, bool) or not isinstance(world_size, int) or world_size < 1:
        raise ValueError(f"world_size: {world_size!r} (expected: >= 1)")
    if isinstance(rank, bool) or not isinstance(rank, int) or not 0 <= rank < world_size:
        raise ValueError(f"rank: {rank!r} (expected: >= 0 and < world_size {world_size})")
    if uneven not in ("pad", "drop"):
        raise ValueError(f"uneven: {uneven!r} (expected: 'pad' or 'drop')")
    return {"type": "sharded", "rank": rank, "worldSize": world_size, "uneven": uneven, "source": dict(source)}
