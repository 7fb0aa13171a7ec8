"""PyTorch integration: an iterable to use where a training loop would use a ``DataLoader``.

    from batcher.torch import BatcherLoader
    loader = BatcherLoader(handle, seed=42, steps=1000)
    for x, y in loader:                     # torch tensors, made with torch.from_numpy (no copy)
        ...
        checkpoint = {"model": model.state_dict(), "data": loader.state_dict()}
    ...
    loader.load_state_dict(checkpoint["data"])   # resumes exactly there

Works with torch 1.13 and 2.x. torch is imported by this module only.
"""

from __future__ import annotations

import warnings
from typing import Any, Dict, Iterator, Mapping, Optional, Tuple, Union

import torch

from .batch import Batch
from .client import Client
from .handle import Handle
from .state import BatchState
from . import sharded as _sharded

__all__ = ["BatcherLoader", "loader"]

_KEY = "batcher_state"


class BatcherLoader:
    """Yields ``(x, y)`` batches of a batcher as ``torch.Tensor``.

    Args:
        handle: a handle on a created batcher (:meth:`Client.batcher` then :meth:`Handle.create`).
        seed: the seed of the stream when no state is given.
        state: where to start (default ``BatchState.initial(seed)``); :meth:`load_state_dict`
            overrides it.
        steps: how many batches one pass over the loader yields (``len(loader)``); None: until a
            finite source ends (a random source never does).
        pin_memory: copy each batch into page-locked memory (when CUDA is available), for faster
            asynchronous copies to the GPU.
        device: move each batch there (``non_blocking`` when pinned).
        start: start the batcher at the state when iteration begins (default True).

    ``x`` is float32 ``[batch, channels, samples]``; ``y`` holds the batch's int32 labels ``[batch,
    label channels, epochs]``, as the daemon sends them (``y.long()`` for a loss that wants int64).

    The tensors share memory with the batch received (``torch.from_numpy``). Over TCP each batch
    has its own memory and the tensors stay valid for as long as they are referenced; over shared
    memory a batch's slot is given back when the next batch is drawn, so copy a tensor (or move it
    to a device) if it must outlive the step.

    A pass that ends (``steps`` reached or the source's end) leaves the loader's state where it
    stopped: the next pass continues the stream (for a finite source, the next pass starts again
    from the initial state).
    """

    def __init__(self, handle: Handle, seed: int = 0, state: Optional[BatchState] = None,
                 steps: Optional[int] = None, pin_memory: bool = False,
                 device: Union[str, torch.device, None] = None, start: bool = True) -> None:
        if steps is not None and (isinstance(steps, bool) or not isinstance(steps, int) or steps < 0):
            raise ValueError(f"steps: {steps!r} (expected: an int >= 0, or None)")
        self.handle = handle
        self.initial = state if state is not None else BatchState.initial(seed)
        self.state = self.initial
        self.steps = steps
        self.pin_memory = bool(pin_memory) and torch.cuda.is_available()
        self.device = torch.device(device) if device is not None else None
        self.start = start
        self.num_yielded = 0
        self._started_at: Optional[BatchState] = None
        self._held: Optional[Batch] = None

    def __len__(self) -> int:
        if self.steps is None:
            raise TypeError("len(BatcherLoader) needs steps= (the source decides where it ends)")
        return self.steps

    def __iter__(self) -> Iterator[Tuple[torch.Tensor, torch.Tensor]]:
        if self.start and self._started_at != self.state:
            self.handle.start(self.state)
            self._started_at = self.state
        n = 0
        try:
            while self.steps is None or n < self.steps:
                batch = self.handle.take(self.state)
                self._release()
                if batch.end:
                    self.state = self.initial      # a finite source: the next pass starts again
                    self._started_at = None
                    self.num_yielded = 0
                    return
                self._held = batch
                if batch.shared:
                    with warnings.catch_warnings():   # read-only views of shared memory, by design
                        warnings.filterwarnings("ignore", message=".*not writable.*")
                        x = torch.from_numpy(batch.x)
                        y = torch.from_numpy(batch.y)
                else:
                    x = torch.from_numpy(batch.x)
                    y = torch.from_numpy(batch.y)
                if self.pin_memory:
                    x, y = x.pin_memory(), y.pin_memory()
                if self.device is not None:
                    x = x.to(self.device, non_blocking=self.pin_memory)
                    y = y.to(self.device, non_blocking=self.pin_memory)
                self.state = batch.state
                self._started_at = batch.state
                self.num_yielded += 1
                n += 1
                yield x, y
        finally:
            self._release()

    def _release(self) -> None:
        held, self._held = self._held, None
        if held is not None:
            held.close()

    def state_dict(self) -> Dict[str, Any]:
        """The loader's position, in the form torchdata's ``StatefulDataLoader`` uses: a dict of
        plain values to save with the model's and the optimiser's, and give back to
        :meth:`load_state_dict`. ``batcher_state`` is the state of the next batch (the canonical text,
        the same in Java)."""
        return {_KEY: str(self.state), "initial_state": str(self.initial), "num_yielded": self.num_yielded}

    def load_state_dict(self, state_dict: Mapping[str, Any]) -> None:
        """Resumes at a position from :meth:`state_dict`; the next pass yields exactly the batches
        an uninterrupted run would have yielded after it."""
        if not isinstance(state_dict, Mapping) or _KEY not in state_dict:
            raise ValueError(f"state_dict: {state_dict!r} (expected: a dict from BatcherLoader.state_dict())")
        self.state = BatchState.parse(state_dict[_KEY])
        if "initial_state" in state_dict:
            self.initial = BatchState.parse(state_dict["initial_state"])
        self.num_yielded = int(state_dict.get("num_yielded", 0))
        self._started_at = None


def loader(client: Client, name: str, dataset: str, source: Mapping[str, Any], *, seed: int = 0,
           rank: Optional[int] = None, world_size: Optional[int] = None, uneven: str = "pad",
           options: Optional[Mapping[str, Any]] = None, capacity: Optional[int] = None,
           retries: Optional[int] = None, **loader_options: Any) -> BatcherLoader:
    """Creates a batcher and returns a :class:`BatcherLoader` on it.

    With ``rank`` and ``world_size`` (defaults: those of an initialised ``torch.distributed``
    process group, else a single process), each rank gets its own batcher,
    ``<name>-<rank>-of-<world_size>``, over its share of the global sequence
    (:func:`batcher.sharded`): rank r takes global batches r, r + W, .... All ranks hold the
    same state, so one rank's ``state_dict()`` resumes every rank, with the same or another world
    size.
    """
    if world_size is None and torch.distributed.is_available() and torch.distributed.is_initialized():
        world_size = torch.distributed.get_world_size()
        rank = torch.distributed.get_rank() if rank is None else rank
    if world_size is not None and world_size > 1:
        if rank is None:
            raise ValueError(f"rank: None (expected: this process's rank, 0..{world_size - 1})")
        source = _sharded(source, rank, world_size, uneven)
        name = f"{name}-{rank}-of-{world_size}"
    handle = client.batcher(name)
    handle.create(dataset, source, options=options, capacity=capacity, retries=retries)
    return BatcherLoader(handle, seed=seed, **loader_options)
