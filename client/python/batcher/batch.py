"""What ``take`` returns: :class:`Batch`, made from the frame that answers a ``take``."""

from __future__ import annotations

import functools
import weakref
from typing import Any, Callable, Optional, Protocol

import numpy as np
import numpy.typing as npt

from ._arena import Arenas
from ._messages import BatchHeader, end_of_source, holds_slot
from ._protocol import MessageType
from ._wire import Frame
from .errors import BatchClosedError, ProtocolError
from .state import BatchState

__all__ = ["Batch"]

Floats = npt.NDArray[np.float32]
Ints = npt.NDArray[np.int32]


class Batch:
    """What ``take`` returns: a batch and the next state, or the end of a finite source.

    Attributes:
        state: the state after this batch (pass it to the next ``take``); at the end, the source's
            last state.
        previous: the state the batch was made from (the state ``take`` asked for).
        end: True when a finite source is exhausted (then there are no arrays).

    ``x`` (float32 ``[batch, channels, samples]``) and ``y`` (int32 ``[batch, label channels,
    epochs]``) are numpy arrays, views of the bytes received (no copy is made). A batch is a context
    manager; :meth:`close` releases its memory. After ``close``, reading ``x`` or ``y`` raises
    :class:`~batcher.BatchClosedError`.

    On the daemon's host the arrays are read-only views of the daemon's shared-memory arena
    (``shared`` is True): the slot is this batch's until ``close()`` (or until the batch is
    garbage-collected, or the client's connection closes), and then the daemon may write the next
    batch into it. An array fetched before ``close`` (``a = batch.x``) still points at the slot, so
    it will show other data later: copy it (``batch.x.copy()``) if it must outlive the batch. Over
    TCP each batch has memory of its own and an escaped array stays valid.
    """

    __slots__ = ("_x", "_y", "state", "previous", "end", "_closed", "_release", "_finalizer", "__weakref__")

    def __init__(self, x: Optional[Floats], y: Optional[Ints], state: BatchState,
                 previous: BatchState, end: bool) -> None:
        self._x = x
        self._y = y
        self.state = state
        self.previous = previous
        self.end = end
        self._closed = False
        self._release: Optional[Callable[[], None]] = None
        self._finalizer: Optional[weakref.finalize] = None

    def _shared(self, release: Callable[[], None], finalizer: weakref.finalize) -> None:
        self._release = release
        self._finalizer = finalizer

    @property
    def shared(self) -> bool:
        """True if the arrays are views of the daemon's shared memory (until close), False over TCP."""
        return self._release is not None

    def _check(self, name: str) -> None:
        if self._closed:
            raise BatchClosedError(f"batch {self.previous}: .{name} read after close() "
                                   "(copy the array before closing if it must outlive the batch)")
        if self.end:
            raise BatchClosedError(f"the source ended at {self.state}: the end has no .{name}")

    @property
    def x(self) -> Floats:
        """The samples, float32 ``[batch, channels, samples]``."""
        self._check("x")
        assert self._x is not None
        return self._x

    @property
    def y(self) -> Ints:
        """The labels, int32 ``[batch, label channels, epochs]`` (-1: covered by an earlier window)."""
        self._check("y")
        assert self._y is not None
        return self._y

    @property
    def closed(self) -> bool:
        return self._closed

    @property
    def nbytes(self) -> int:
        if self._x is None or self._y is None:
            return 0
        return int(self._x.nbytes + self._y.nbytes)

    def close(self) -> None:
        """Releases the batch's memory (in shared memory: gives its slot back). Idempotent."""
        self._closed = True
        self._x = None
        self._y = None
        if self._finalizer is not None:
            self._finalizer.detach()       # released here, not again at garbage collection
            self._finalizer = None
            assert self._release is not None
            self._release()

    def __enter__(self) -> "Batch":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    def __repr__(self) -> str:
        if self.end:
            return f"Batch(end, state={self.state})"
        if self._x is None or self._y is None:
            return f"Batch({self.previous}, closed)"
        return f"Batch({self.previous}, x={list(self._x.shape)}, y={list(self._y.shape)}, state={self.state})"


class SlotOwner(Protocol):
    """The connection a batch in shared memory came on: its slot goes back with ``RELEASE``."""

    def release(self, take_id: int) -> None:
        """Sends ``RELEASE`` now."""

    def release_later(self, take_id: int) -> None:
        """Has the next send or heartbeat send ``RELEASE`` (safe in a garbage-collection finalizer)."""


def received(frame: Frame, what: str, requested: BatchState, owner: SlotOwner, arenas: Arenas) -> Batch:
    """The batch a ``BATCH`` frame carries, or the end that a ``RESPONSE`` announces.

    Raises:
        RemoteBatcherError: the frame is an ``ERROR``.
        ProtocolError: the frame breaks docs/protocol.md (section 12), or its arena cannot be read.
    """
    if frame.type != MessageType.BATCH:
        return Batch(None, None, end_of_source(frame, what), requested, True)
    try:
        h = BatchHeader.decode(frame, requested)
        if h.arena is None:
            payload = frame.payload if frame.payload is not None else np.empty(0, np.uint8)
            x = payload[:4 * h.x_elements].view("<f4").reshape(h.x_shape)
            y = payload[4 * h.x_elements:].view("<i4").reshape(h.y_shape)
            return Batch(x, y, h.state, h.previous, False)
        try:
            arena = arenas.get(h.arena.file)
        except OSError as e:
            raise ProtocolError("batch.arena.file", h.arena.file, f"a readable arena file ({e})") from None
        x, y = arena.views(h.arena.slot, h.arena.offset, h.x_shape, h.y_shape)
    except BaseException:
        if holds_slot(frame):
            owner.release(frame.id)     # a slot nobody will read: it goes back at once
        raise
    # The slot is ours until we RELEASE it: on close(), or when the batch is garbage-collected.
    batch = Batch(x, y, h.state, h.previous, False)
    batch._shared(functools.partial(owner.release, frame.id),
                  weakref.finalize(batch, functools.partial(owner.release_later, frame.id)))
    return batch
