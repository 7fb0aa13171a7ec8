"""The client's link to its daemon: one TCP connection after its handshake (:class:`Connection`),
and the :class:`Session` that opens connections again after a loss and runs requests on them.

A :class:`Session` is the small internal interface that :class:`~batcher.Client` and its
:class:`~batcher.Handle` objects share; handles use nothing else of their client."""

from __future__ import annotations

import collections
import itertools
import logging
import socket
import threading
import time
from dataclasses import dataclass
from typing import Any, Callable, Deque, Dict, Iterator, Optional, Set, Tuple, TypeVar

from . import _token
from ._arena import Arenas, host_id
from ._messages import Welcome, cancel, hello, holds_slot, remote_error, response
from ._protocol import MessageType
from ._wire import HANDSHAKE_MAX_FRAME, Frame, Stalled, encode, read_frame
from .errors import (BatcherError, BatcherTimeoutError, ConnectionLostError, ProtocolError,
                     RemoteBatcherError)

LOG = logging.getLogger("batcher")

Address = Tuple[str, int]
T = TypeVar("T")


def show(address: Address) -> str:
    return f"{address[0]}:{address[1]}"


class Connection:
    """One TCP connection after its handshake. Callers hold the session's lock to read or call."""

    def __init__(self, sock: socket.socket, address: Address, generation: int,
                 max_frame: int, heartbeat: float) -> None:
        self.sock = sock
        self.address = address
        self.generation = generation
        self.max_frame = max_frame
        self.heartbeat = heartbeat
        self.stall_timeout = 3 * heartbeat
        self.ids: Iterator[int] = itertools.count(1)
        self.write_lock = threading.Lock()
        self.last_write = time.monotonic()
        self.usable = True
        self.dropped: Set[int] = set()          # ids whose answers are no longer wanted
        self.stash: Dict[int, Frame] = {}       # answers that came while waiting for another
        self.outstanding: Set[int] = set()
        self.releases: Deque[int] = collections.deque()  # shared-memory batches freed by GC
        self._stop = threading.Event()
        self._pinger = threading.Thread(target=self._ping_loop, name="batcher-heartbeat", daemon=True)
        self._pinger.start()

    def _ping_loop(self) -> None:
        # The daemon closes a connection it hears nothing from for 3 intervals; while the caller
        # trains (and reads nothing), this thread keeps the connection alive.
        seq = itertools.count(1)
        while not self._stop.wait(self.heartbeat / 2):
            try:
                self.flush_releases()
                if time.monotonic() - self.last_write >= self.heartbeat:
                    self.write(encode(MessageType.PING, next(seq)))
            except OSError:
                return

    def write(self, data: bytes) -> None:
        with self.write_lock:
            self.sock.sendall(data)
            self.last_write = time.monotonic()

    def release(self, take_id: int) -> None:
        """Gives a shared-memory batch's slot back to the daemon (RELEASE with the take's id)."""
        if self.usable:
            try:
                self.write(encode(MessageType.RELEASE, take_id))
            except OSError:
                pass  # the connection is closing: the daemon frees the slots of a closed connection

    def release_later(self, take_id: int) -> None:
        """From a garbage-collection finalizer: never writes there, the next send or heartbeat does."""
        self.releases.append(take_id)

    def flush_releases(self) -> None:
        while self.releases and self.usable:
            self.write(encode(MessageType.RELEASE, self.releases.popleft()))

    def send(self, header: Dict[str, Any]) -> int:
        """Sends a ``REQUEST``; returns its id."""
        self.flush_releases()
        request_id = next(self.ids)
        self.write(encode(MessageType.REQUEST, request_id, header))
        self.outstanding.add(request_id)
        return request_id

    def drop(self, request_id: int, reason: str) -> None:
        """Gives up on a request: its answer, if it comes, is discarded."""
        self.outstanding.discard(request_id)
        stashed = self.stash.pop(request_id, None)
        if stashed is None:
            self.dropped.add(request_id)
        try:
            self.write(encode(MessageType.CANCEL, request_id, cancel(reason)))
            if stashed is not None and holds_slot(stashed):
                self.release(request_id)
        except OSError:
            pass  # the connection is failing; the next read will say so

    def await_answer(self, request_id: int, timeout: float, what: str) -> Frame:
        if request_id in self.stash:
            self.outstanding.discard(request_id)
            return self.stash.pop(request_id)
        deadline = time.monotonic() + timeout
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                self.drop(request_id, f"the client's timeout of {timeout:g} s expired")
                raise BatcherTimeoutError(
                    f"{what}: no answer from {show(self.address)} within {timeout:g} s "
                    "(the request was cancelled; the connection stays up)")
            self.sock.settimeout(left)
            try:
                frame = read_frame(self.sock, self.max_frame, self.stall_timeout)
            except socket.timeout:
                continue
            if frame.type == MessageType.PING:
                self.write(encode(MessageType.PONG, frame.id))
                continue
            if frame.type == MessageType.PONG:
                continue
            if frame.type == MessageType.GOODBYE:
                raise EOFError(f"the daemon said goodbye ({frame.header.get('reason', 'no reason')})")
            if frame.type == MessageType.ERROR and frame.id == 0:
                self.usable = False  # an ERROR for the connection: the daemon closes it
                raise remote_error(frame.header)
            if frame.type not in (MessageType.RESPONSE, MessageType.BATCH, MessageType.ERROR):
                raise ProtocolError("type", frame.type_name, f"RESPONSE, BATCH or ERROR in answer to {what}")
            if frame.id == request_id:
                self.outstanding.discard(request_id)
                return frame
            if frame.id in self.dropped:
                self.dropped.discard(frame.id)
                if holds_slot(frame):
                    self.release(frame.id)       # an answer nobody wants: its slot goes back
            elif frame.id in self.outstanding:
                self.stash[frame.id] = frame
            else:
                raise ProtocolError("id", frame.id, f"the id of an outstanding request ({what})")

    def close(self, goodbye: bool) -> None:
        self.usable = False
        self._stop.set()
        if goodbye:
            try:
                self.sock.settimeout(1.0)
                self.write(encode(MessageType.GOODBYE, 0, cancel("client closed")))
            except OSError:
                pass
        try:
            self.sock.close()
        except OSError:
            pass
        self.stash.clear()


def seconds(name: str, value: Any) -> float:
    """A duration setting, checked: from 1 ms to a day."""
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0.001 <= value <= 86400:
        raise ValueError(f"{name}: {value!r} (expected: seconds, from 0.001 to 86400)")
    return float(value)


@dataclass(frozen=True)
class Options:
    """A client's settings, checked by :class:`~batcher.Client`."""

    name: str
    token: Optional[str]  # None: look for the daemon's token file at every connection
    connect_timeout: float
    request_timeout: float
    take_timeout: float
    heartbeat_interval: float
    prefetch: bool
    shared_memory: bool


class Session:
    """A client's connection over time, shared by the client and its handles.

    ``lock`` serialises every call; :meth:`connection` returns the current connection, opening a
    new one (a new ``generation``) after a loss; :meth:`exchange` runs requests on it and turns a
    failure of the socket into :class:`ConnectionLostError`; :meth:`call` is one request and its
    ``RESPONSE``.
    """

    def __init__(self, address: Address, options: Options) -> None:
        self.address = address
        self.options = options
        self.lock = threading.RLock()
        self.arenas = Arenas()
        self.server: Optional[str] = None
        self.closed = False
        self._conn: Optional[Connection] = None
        self._generations = itertools.count(1)

    def close(self) -> None:
        with self.lock:
            self.closed = True
            if self._conn is not None:
                self._conn.close(goodbye=True)
                self._conn = None
            self.arenas.close()

    def check_open(self, what: str) -> None:
        if self.closed:
            raise BatcherError(f"client to {show(self.address)} is closed ({what})")

    def connection(self, what: str) -> Connection:
        """The connection to use for ``what``, opened (handshake included) if there is none."""
        with self.lock:
            self.check_open(what)
            c = self._conn
            if c is not None and c.usable:
                return c
            if c is not None:
                LOG.info("reconnecting to %s for %s", show(self.address), what)
            self._conn = None
            self._conn = self._open(what)
            return self._conn

    def _open(self, what: str) -> Connection:
        where = show(self.address)
        o = self.options
        try:
            sock = socket.create_connection(self.address, timeout=o.connect_timeout)
        except OSError as e:
            raise ConnectionLostError(f"cannot connect to {where} for {what}: {e}") from e
        try:
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            # A daemon started without a token writes one to a file of this user (read on every
            # connection: a restarted daemon has a new one); only for an address of this host.
            token = o.token if o.token is not None else _token.find(self.address)
            # The same host as the daemon: batches in shared memory.
            host = host_id() if o.shared_memory else None
            sock.sendall(encode(MessageType.HELLO, 0, hello(o.name, token, host)))
            sock.settimeout(o.connect_timeout)
            welcome = Welcome.decode(read_frame(sock, HANDSHAKE_MAX_FRAME, o.connect_timeout))
            self.server = welcome.server
            return Connection(sock, self.address, next(self._generations), welcome.max_frame, o.heartbeat_interval)
        except (OSError, EOFError, Stalled) as e:
            sock.close()
            raise ConnectionLostError(f"handshake with {where} for {what} failed: {e}") from e
        except BaseException:
            sock.close()
            raise

    def exchange(self, c: Connection, what: str, fn: Callable[[], T]) -> T:
        """Runs ``fn`` on the connection, turning socket failures into ConnectionLostError."""
        try:
            return fn()
        except (BatcherTimeoutError, ConnectionLostError):
            raise  # OSErrors too (TimeoutError, ConnectionError), but already the right ones
        except (OSError, EOFError, Stalled) as e:
            self._discard(c)
            raise ConnectionLostError(f"connection to {show(self.address)} lost during {what}: {e}") from e
        except ProtocolError:
            self._discard(c)      # the stream can no longer be trusted
            raise
        except RemoteBatcherError:
            if not c.usable:      # an ERROR for the whole connection: the daemon closes it
                self._discard(c)
            raise

    def _discard(self, c: Connection) -> None:
        c.close(goodbye=False)
        if self._conn is c:
            self._conn = None

    def call(self, what: str, header: Dict[str, Any], conn: Optional[Connection] = None,
             timeout: Optional[float] = None) -> Dict[str, Any]:
        """Sends one ``REQUEST`` and returns its ``RESPONSE`` header (default timeout: the request timeout).

        Raises:
            RemoteBatcherError: the daemon answered ``ERROR``.
            BatcherTimeoutError, ConnectionLostError, ProtocolError: see :meth:`exchange`.
        """
        t = self.options.request_timeout if timeout is None else timeout
        with self.lock:
            c = conn or self.connection(what)

            def exchange() -> Frame:
                rid = c.send(header)
                return c.await_answer(rid, t, what)
            frame = self.exchange(c, what, exchange)
        return response(frame, what)
