"""A handle on one batcher of the daemon: create, start, take, stop and status."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any, Dict, Mapping, Optional, Tuple

from ._connection import Connection, Session, seconds, show
from ._messages import flag, request, status
from ._protocol import Op
from .batch import Batch, received
from .errors import BatcherError
from .state import BatchState
from .status import BatcherStatus

if TYPE_CHECKING:
    from .client import Client

__all__ = ["Handle"]

LOG = logging.getLogger("batcher")


class Handle:
    """A handle on one batcher of the daemon, made by :meth:`Client.batcher`.

    It remembers the spec it created the batcher with and whether its user started it, so that it
    can set the batcher up again after a reconnection.

    Attributes:
        name: the batcher's name.
        client: the :class:`Client` it was made from.
    """

    def __init__(self, session: Session, name: str, client: "Client") -> None:
        self._session = session
        self.name = name
        self.client = client
        self._spec: Optional[Dict[str, Any]] = None
        self._created_on = -1
        self._started = False
        self._started_on = -1
        self._prefetched: Optional[Tuple[Connection, BatchState, int]] = None
        self._closed = False

    def __repr__(self) -> str:
        return f"Handle({self.name!r} at {show(self._session.address)})"

    def __enter__(self) -> "Handle":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    def close(self) -> None:
        """Forgets the handle (the batcher keeps running on the daemon; see :meth:`stop`)."""
        with self._session.lock:
            self._drop_prefetch("the handle was closed")
            self._closed = True

    def create(self, dataset: str, source: Mapping[str, Any], options: Optional[Mapping[str, Any]] = None,
               capacity: Optional[int] = None, retries: Optional[int] = None) -> bool:
        """Declares the batcher on the daemon.

        Args:
            dataset: the dataset directory, as the daemon and its workers see it.
            source: the source as JSON (a dict), such as ``{"type": "random", "batchSize": 32,
                "batchSeconds": 30, "channels": "names:C3,C4"}``; see docs/api.md, and
                :func:`batcher.sharded` for data-parallel ranks.
            options: materialiser options (``targetRateHz``, ``normalize``, ``featurizer``, ...).
            capacity: buffered plus in-flight batches (the daemon's default if None).
            retries: attempts after a failed materialisation (the daemon's default if None).

        Returns:
            True if created, False if a batcher of that name with an equal spec existed.

        Raises:
            RemoteBatcherError: code ``bad_request`` if the spec is malformed or the dataset rejects
                it (or a batcher of that name has another spec).
        """
        if not isinstance(dataset, str) or not dataset.strip():
            raise ValueError(f"dataset: {dataset!r} (expected: a dataset directory)")
        if not isinstance(source, Mapping) or "type" not in source:
            raise ValueError(f"source: {source!r} (expected: a dict with a 'type', such as 'random')")
        if capacity is not None and (isinstance(capacity, bool) or not isinstance(capacity, int) or capacity < 1):
            raise ValueError(f"capacity: {capacity!r} (expected: >= 1)")
        if retries is not None and (isinstance(retries, bool) or not isinstance(retries, int) or retries < 0):
            raise ValueError(f"retries: {retries!r} (expected: >= 0)")
        spec: Dict[str, Any] = {"dataset": dataset, "source": dict(source)}
        for key, value in (("options", dict(options) if options is not None else None),
                           ("capacity", capacity), ("retries", retries)):
            if value is not None:
                spec[key] = value
        with self._session.lock:
            c = self._connection(Op.CREATE)
            created = self._send_create(c, spec)
            self._spec = spec
            self._created_on = c.generation
            return created

    def start(self, state: BatchState) -> bool:
        """Starts iterating at ``state``. Returns False if it was running (a no-op on the daemon)."""
        _check_state(state)
        with self._session.lock:
            self._check_open(Op.START)
            self._drop_prefetch("start was called")
            c = self._connection(Op.START)
            self._recreate(c)
            started = self._send_start(c, state)
            self._started = True
            self._started_on = c.generation
            return started

    def take(self, state: BatchState, timeout: Optional[float] = None) -> Batch:
        """Takes the batch at ``state``.

        If ``state`` is not where the batcher stands, the daemon restarts it there (logging a
        warning) and then answers: a loop restarted from a checkpoint just passes its saved state.

        Args:
            state: the state of the batch wanted: the state the previous take returned.
            timeout: seconds to wait (default: the client's ``take_timeout``).

        Returns:
            a :class:`Batch`: ``x``, ``y`` and the next ``state``; or, at the end of a finite
            source, one with ``end`` True, no arrays, and ``state`` the source's last state.

        Raises:
            RemoteBatcherError: the batcher failed (code ``failed``: the worker's class, message
                and stack, and the state, worker and windows in ``context``), is not running
                (``not_running``: call :meth:`start`), or does not exist (``bad_request``).
            BatcherTimeoutError: no answer in time (the request is cancelled).
            ConnectionLostError: the connection broke; call ``take(state)`` again.
        """
        _check_state(state)
        session = self._session
        t = session.options.take_timeout if timeout is None else seconds("timeout", timeout)
        what = self._what(Op.TAKE)
        with session.lock:
            c = self._connection(Op.TAKE)

            def exchange() -> Batch:
                self._recreate(c)
                if self._started and self._started_on != c.generation:
                    LOG.info("batcher '%s': starting it again at %s after reconnecting", self.name, state)
                    self._send_start(c, state)
                    self._started_on = c.generation
                ahead, self._prefetched = self._prefetched, None
                if ahead is not None and ahead[0] is c and ahead[1] == state:
                    rid = ahead[2]
                else:
                    if ahead is not None and ahead[0] is c:
                        c.drop(ahead[2], f"the next take asked for {state}, not {ahead[1]}")
                    rid = c.send(request(Op.TAKE, self.name, state=str(state)))
                batch = received(c.await_answer(rid, t, what), what, state, c, session.arenas)
                if not batch.end and session.options.prefetch and self._started:
                    # The next batch crosses the network while the caller trains on this one.
                    nrid = c.send(request(Op.TAKE, self.name, state=str(batch.state)))
                    self._prefetched = (c, batch.state, nrid)
                return batch
            return session.exchange(c, what, exchange)

    def stop(self) -> None:
        """Stops the batcher: cancels in-flight work and releases its buffers. Idempotent."""
        with self._session.lock:
            self._check_open(Op.STOP)
            self._drop_prefetch("stop was called")
            try:
                c = self._connection(Op.STOP)
                self._recreate(c)
                self._session.call(self._what(Op.STOP), request(Op.STOP, self.name), c)
            finally:
                self._started = False

    def status(self) -> BatcherStatus:
        """The batcher's life-cycle state and metrics."""
        with self._session.lock:
            c = self._connection(Op.STATUS)
            self._recreate(c)
            return status(self._session.call(self._what(Op.STATUS), request(Op.STATUS, self.name), c))

    # -- plumbing ---------------------------------------------------------------------------------

    def _what(self, op: Op) -> str:
        return f"{op.value} on batcher '{self.name}'"

    def _check_open(self, op: Op) -> None:
        if self._closed:
            raise BatcherError(f"batcher handle '{self.name}' is closed ({op.value})")

    def _connection(self, op: Op) -> Connection:
        self._check_open(op)
        return self._session.connection(self._what(op))

    def _drop_prefetch(self, why: str) -> None:
        ahead, self._prefetched = self._prefetched, None
        if ahead is not None and ahead[0].usable:
            ahead[0].drop(ahead[2], why)

    def _recreate(self, c: Connection) -> None:
        if self._spec is not None and self._created_on != c.generation:
            LOG.info("batcher '%s': creating it again after reconnecting", self.name)
            self._send_create(c, self._spec)
            self._created_on = c.generation

    def _send_create(self, c: Connection, spec: Dict[str, Any]) -> bool:
        header = self._session.call(self._what(Op.CREATE), request(Op.CREATE, self.name, spec=spec), c)
        return flag(header, Op.CREATE, "created")

    def _send_start(self, c: Connection, state: BatchState) -> bool:
        header = self._session.call(self._what(Op.START), request(Op.START, self.name, state=str(state)), c)
        return flag(header, Op.START, "started")


def _check_state(state: Any) -> None:
    if not isinstance(state, BatchState):
        raise TypeError(f"state: {state!r} (expected: a BatchState, e.g. BatchState.initial(42))")
