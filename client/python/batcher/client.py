"""The client: one TCP connection to a daemon, handles on its batchers, and taken batches."""

from __future__ import annotations

import collections
import functools
import itertools
import logging
import ipaddress
import os
import socket
import sys
import threading
import time
import weakref
from typing import Any, Dict, List, Mapping, Optional, Tuple, Union

import numpy as np

from . import _wire as wire
from ._arena import Arenas, host_id
from .errors import (BatchClosedError, BatcherError, BatcherTimeoutError, ConnectionLostError,
                     ProtocolError, RemoteBatcherError)
from .state import BatchState
from .status import BatcherStatus

__all__ = ["connect", "Client", "Handle", "Batch"]

LOG = logging.getLogger("batcher")

Address = Union[str, Tuple[str, int]]


def _token_file(port: int) -> str:
    """The file where a daemon of this user on this host that generated its token keeps it
    (docs/operations.md, "Security"): ``$XDG_RUNTIME_DIR/batcher/daemon-<port>.token``, else
    ``~/.batcher/daemon-<port>.token``."""
    runtime = os.environ.get("XDG_RUNTIME_DIR", "").strip()
    base = os.path.join(runtime, "batcher") if runtime else os.path.join(os.path.expanduser("~"), ".batcher")
    return os.path.join(base, f"daemon-{port}.token")


def _local_token(sock: socket.socket) -> Optional[str]:
    """The generated token of the daemon at the other end of ``sock``, read only when that daemon
    is on this host (a loopback peer, or the peer's address is this end's), so a token never leaves
    the machine; None when there is no such file."""
    peer = sock.getpeername()
    try:
        local = ipaddress.ip_address(peer[0]).is_loopback or peer[0] == sock.getsockname()[0]
    except ValueError:
        return None
    if not local:
        return None
    try:
        with open(_token_file(peer[1]), encoding="ascii") as f:
            token = f.read().strip()
    except OSError:
        return None
    return token or None

DEFAULT_CONNECT_TIMEOUT = 10.0
DEFAULT_REQUEST_TIMEOUT = 30.0
DEFAULT_TAKE_TIMEOUT = 60.0
DEFAULT_HEARTBEAT = 5.0


def connect(address: Address, token: Optional[str] = None, **options: Any) -> "Client":
    """Connects to a batcher daemon and completes the handshake.

    Args:
        address: ``"host:port"`` (such as ``"127.0.0.1:7070"``) or a ``(host, port)`` tuple.
        token: the daemon's shared secret, or None for a daemon without one (then the environment
            variable ``BATCHER_TOKEN`` is used if set).
        **options: ``name`` (the client's name in the daemon's logs), ``connect_timeout``,
            ``request_timeout``, ``take_timeout`` (seconds; defaults 10, 30 and 60), ``prefetch``
            (default True: ``take`` asks for the next batch as soon as it returns one, so it crosses
            the network while the caller trains), ``heartbeat_interval`` (default 5 s),
            ``shared_memory`` (default True: on the daemon's host, batches are read in place from
            the daemon's shared-memory arena instead of crossing the socket; False forces TCP).

    Returns:
        a connected :class:`Client`; use it as a context manager or call :meth:`Client.close`.

    Raises:
        ConnectionLostError: the daemon cannot be reached, or the handshake does not complete.
        RemoteBatcherError: the daemon refused the handshake (code ``unauthorized``: a wrong or
            missing token; ``unsupported_version``).
        ValueError, TypeError: a malformed address or an unknown option.
    """
    client = Client(address, token, **options)
    try:
        client._connection("connect")
    except BaseException:
        client.close()
        raise
    return client


def _parse_address(address: Address) -> Tuple[str, int]:
    if isinstance(address, tuple) and len(address) == 2:
        host, port = address
    elif isinstance(address, str):
        host, sep, port_text = address.rpartition(":")
        if not sep or not host or not port_text.isdigit():
            raise ValueError(f"address: '{address}' (expected: host:port, such as 127.0.0.1:7070)")
        port = int(port_text)
    else:
        raise TypeError(f"address: {address!r} (expected: 'host:port' or a (host, port) tuple)")
    if not isinstance(port, int) or not 0 < port < 65536:
        raise ValueError(f"address port: {port!r} (expected: 1..65535)")
    return str(host).strip("[]"), port


def _seconds(name: str, value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0.001 <= value <= 86400:
        raise ValueError(f"{name}: {value!r} (expected: seconds, from 0.001 to 86400)")
    return float(value)


class _Connection:
    """One TCP connection after its handshake. Callers hold the client's lock to read or call."""

    def __init__(self, sock: socket.socket, address: Tuple[str, int], generation: int,
                 max_frame: int, heartbeat: float) -> None:
        self.sock = sock
        self.address = address
        self.generation = generation
        self.max_frame = max_frame
        self.heartbeat = heartbeat
        self.stall_timeout = 3 * heartbeat
        self.ids = itertools.count(1)
        self.write_lock = threading.Lock()
        self.last_write = time.monotonic()
        self.usable = True
        self.dropped: set = set()             # ids whose answers are no longer wanted
        self.stash: Dict[int, wire.Frame] = {}  # answers that came while waiting for another
        self.outstanding: set = set()
        self.releases: collections.deque = collections.deque()  # shared-memory batches freed by GC
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
                    self.write(wire.encode(wire.PING, next(seq)))
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
                self.write(wire.encode(wire.RELEASE, take_id))
            except OSError:
                pass  # the connection is closing: the daemon frees the slots of a closed connection

    def release_later(self, take_id: int) -> None:
        """From a garbage-collection finalizer: never writes there, the next send or heartbeat does."""
        self.releases.append(take_id)

    def flush_releases(self) -> None:
        while self.releases and self.usable:
            self.write(wire.encode(wire.RELEASE, self.releases.popleft()))

    def send(self, frame_type: int, header: Dict[str, Any]) -> int:
        self.flush_releases()
        request_id = next(self.ids)
        self.write(wire.encode(frame_type, request_id, header))
        self.outstanding.add(request_id)
        return request_id

    def drop(self, request_id: int, reason: str) -> None:
        """Gives up on a request: its answer, if it comes, is discarded."""
        self.outstanding.discard(request_id)
        stashed = self.stash.pop(request_id, None)
        if stashed is None:
            self.dropped.add(request_id)
        try:
            self.write(wire.encode(wire.CANCEL, request_id, {"reason": reason}))
            if stashed is not None and "arena" in stashed.header:
                self.release(request_id)
        except OSError:
            pass  # the connection is failing; the next read will say so

    def await_answer(self, request_id: int, timeout: float, what: str) -> wire.Frame:
        if request_id in self.stash:
            self.outstanding.discard(request_id)
            return self.stash.pop(request_id)
        deadline = time.monotonic() + timeout
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                self.drop(request_id, f"the client's timeout of {timeout:g} s expired")
                raise BatcherTimeoutError(
                    f"{what}: no answer from {_show(self.address)} within {timeout:g} s "
                    "(the request was cancelled; the connection stays up)")
            self.sock.settimeout(left)
            try:
                frame = wire.read_frame(self.sock, self.max_frame, self.stall_timeout)
            except socket.timeout:
                continue
            if frame.type == wire.PING:
                self.write(wire.encode(wire.PONG, frame.id))
                continue
            if frame.type == wire.PONG:
                continue
            if frame.type == wire.GOODBYE:
                raise EOFError(f"the daemon said goodbye ({frame.header.get('reason', 'no reason')})")
            if frame.type == wire.ERROR and frame.id == 0:
                self.usable = False  # an ERROR for the connection: the daemon closes it
                raise _remote_error(frame.header)
            if frame.type not in (wire.RESPONSE, wire.BATCH, wire.ERROR):
                raise ProtocolError("type", frame.type_name, f"RESPONSE, BATCH or ERROR in answer to {what}")
            if frame.id == request_id:
                self.outstanding.discard(request_id)
                return frame
            if frame.id in self.dropped:
                self.dropped.discard(frame.id)
                if frame.type == wire.BATCH and "arena" in frame.header:
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
                self.write(wire.encode(wire.GOODBYE, 0, {"reason": "client closed"}))
            except OSError:
                pass
        try:
            self.sock.close()
        except OSError:
            pass
        self.stash.clear()


def _remote_error(header: Mapping[str, Any]) -> RemoteBatcherError:
    ctx = header.get("context") or {}
    context = {str(k): (v if isinstance(v, str) else str(v)) for k, v in ctx.items()} if isinstance(ctx, dict) else {}
    return RemoteBatcherError(str(header.get("code", "internal")), str(header.get("class", "unknown")),
                              str(header.get("message", "")), str(header.get("stack", "")), context)


def _show(address: Tuple[str, int]) -> str:
    return f"{address[0]}:{address[1]}"


class Client:
    """A connection to a batcher daemon, shared by the :class:`Handle` objects made from it.

    Made by :func:`connect`. A context manager: leaving the ``with`` block closes it. Thread-safe:
    calls from several threads are served one at a time.

    After a lost connection, every waiting call raises :class:`ConnectionLostError`; the next call
    connects again, and each handle first creates its batcher again with the spec it created it
    with and, if its user had started it and not stopped it since, starts it again at the state
    of the next ``take``. A loop that calls ``take(state)`` again with its state after a
    ``ConnectionLostError`` therefore resumes exactly where it was, even if the daemon restarted.
    """

    def __init__(self, address: Address, token: Optional[str] = None, *, name: Optional[str] = None,
                 connect_timeout: float = DEFAULT_CONNECT_TIMEOUT,
                 request_timeout: float = DEFAULT_REQUEST_TIMEOUT,
                 take_timeout: float = DEFAULT_TAKE_TIMEOUT, prefetch: bool = True,
                 heartbeat_interval: float = DEFAULT_HEARTBEAT, shared_memory: bool = True) -> None:
        self.address = _parse_address(address)
        if token is None:
            token = os.environ.get("BATCHER_TOKEN") or None
        if token is not None and (not isinstance(token, str) or not token):
            raise ValueError("token: '' (expected: the daemon's token, or None)")
        self._token = token
        self.name = name or f"python-{os.getpid()}"
        if not 0 < len(self.name) <= 128 or not self.name.strip():
            raise ValueError(f"name: '{self.name}' (expected: 1 to 128 characters, not blank)")
        self.connect_timeout = _seconds("connect_timeout", connect_timeout)
        self.request_timeout = _seconds("request_timeout", request_timeout)
        self.take_timeout = _seconds("take_timeout", take_timeout)
        self.heartbeat_interval = _seconds("heartbeat_interval", heartbeat_interval)
        self.prefetch = bool(prefetch)
        self.shared_memory = bool(shared_memory)
        self._arenas = Arenas()
        self._lock = threading.RLock()
        self._conn: Optional[_Connection] = None
        self._generations = itertools.count(1)
        self._closed = False
        self.server: Optional[str] = None

    # -- life cycle -----------------------------------------------------------------------------

    def __enter__(self) -> "Client":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    def close(self) -> None:
        """Says goodbye and closes the connection. Idempotent. Batches already taken stay valid."""
        with self._lock:
            self._closed = True
            if self._conn is not None:
                self._conn.close(goodbye=True)
                self._conn = None
            self._arenas.close()

    @property
    def closed(self) -> bool:
        return self._closed

    def __repr__(self) -> str:
        return f"Client({_show(self.address)!r}{', closed' if self._closed else ''})"

    # -- API --------------------------------------------------------------------------------------

    def batcher(self, name: str) -> "Handle":
        """A handle on the batcher of that name. Nothing is sent until it is used."""
        if not isinstance(name, str) or not name.strip():
            raise ValueError(f"name: {name!r} (expected: a non-blank batcher name)")
        self._check_open("batcher")
        return Handle(self, name)

    def list(self) -> List[BatcherStatus]:
        """The status of every batcher of the daemon, in the daemon's order."""
        header = self._call("list", None, {"op": "list"}, self.request_timeout)
        batchers = header.get("batchers")
        if not isinstance(batchers, list):
            raise ProtocolError("list.batchers", repr(batchers)[:200], "an array of BatcherStatus objects")
        return [BatcherStatus.from_json(b, f"list.batchers[{i}]") for i, b in enumerate(batchers)]

    # -- plumbing ---------------------------------------------------------------------------------

    def _check_open(self, op: str) -> None:
        if self._closed:
            raise BatcherError(f"client to {_show(self.address)} is closed ({op})")

    def _connection(self, what: str) -> _Connection:
        self._check_open(what)
        c = self._conn
        if c is not None and c.usable:
            return c
        if c is not None:
            LOG.info("reconnecting to %s for %s", _show(self.address), what)
        self._conn = None
        self._conn = self._open(what)
        return self._conn

    def _open(self, what: str) -> _Connection:
        where = _show(self.address)
        try:
            sock = socket.create_connection(self.address, timeout=self.connect_timeout)
        except OSError as e:
            raise ConnectionLostError(f"cannot connect to {where} for {what}: {e}") from e
        try:
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            hello: Dict[str, Any] = {"protocol": wire.PROTOCOL_VERSION, "role": "client", "name": self.name}
            token = self._token if self._token is not None else _local_token(sock)
            if token is not None:
                hello["token"] = token
            if self.shared_memory:
                hello["host"] = host_id()   # the same host as the daemon: batches in shared memory
            sock.sendall(wire.encode(wire.HELLO, 0, hello))
            sock.settimeout(self.connect_timeout)
            answer = wire.read_frame(sock, wire.HANDSHAKE_MAX_FRAME, self.connect_timeout)
            if answer.type == wire.ERROR:
                raise _remote_error(answer.header)
            if answer.type != wire.WELCOME:
                raise ProtocolError("type", answer.type_name, "WELCOME or ERROR in answer to HELLO")
            max_frame = answer.header.get("maxFrameLength", 256 * 1024 * 1024)
            self.server = answer.header.get("server")
            return _Connection(sock, self.address, next(self._generations), int(max_frame),
                               self.heartbeat_interval)
        except (OSError, EOFError, wire.Stalled) as e:
            sock.close()
            raise ConnectionLostError(f"handshake with {where} for {what} failed: {e}") from e
        except BaseException:
            sock.close()
            raise

    def _lost(self, c: _Connection, what: str, cause: BaseException) -> ConnectionLostError:
        c.close(goodbye=False)
        if self._conn is c:
            self._conn = None
        return ConnectionLostError(f"connection to {_show(self.address)} lost during {what}: {cause}")

    def _exchange(self, c: _Connection, what: str, fn):
        """Runs ``fn`` on the connection, turning socket failures into ConnectionLostError."""
        try:
            return fn()
        except (BatcherTimeoutError, ConnectionLostError):
            raise  # OSErrors too (TimeoutError, ConnectionError), but already the right ones
        except (OSError, EOFError, wire.Stalled) as e:
            raise self._lost(c, what, e) from e
        except (ProtocolError, RemoteBatcherError):
            if isinstance(sys.exc_info()[1], ProtocolError) or not c.usable:
                c.close(goodbye=False)
                if self._conn is c:
                    self._conn = None
            raise

    def _call(self, op: str, batcher: Optional[str], header: Dict[str, Any], timeout: float,
              conn: Optional[_Connection] = None) -> Dict[str, Any]:
        what = op if batcher is None else f"{op} on batcher '{batcher}'"
        with self._lock:
            c = conn or self._connection(what)

            def exchange() -> wire.Frame:
                rid = c.send(wire.REQUEST, header)
                return c.await_answer(rid, timeout, what)
            frame = self._exchange(c, what, exchange)
        return _response(frame, what)


def _response(frame: wire.Frame, what: str) -> Dict[str, Any]:
    if frame.type == wire.ERROR:
        raise _remote_error(frame.header)
    if frame.type != wire.RESPONSE:
        raise ProtocolError("type", frame.type_name, f"RESPONSE or ERROR in answer to {what}")
    return frame.header


def _flag(header: Mapping[str, Any], op: str, field: str) -> bool:
    value = header.get(field)
    if not isinstance(value, bool):
        raise ProtocolError(f"{op}.{field}", repr(value), "true or false")
    return value


def _state(value: Any, field: str) -> BatchState:
    if isinstance(value, str):
        try:
            return BatchState.parse(value)
        except ValueError:
            pass
    raise ProtocolError(field, repr(value), 'a state in text form, such as "seed=1,batch=8"')


class Handle:
    """A handle on one batcher of the daemon, made by :meth:`Client.batcher`.

    It remembers the spec it created the batcher with and whether its user started it, so that it
    can set the batcher up again after a reconnection.
    """

    def __init__(self, client: Client, name: str) -> None:
        self.client = client
        self.name = name
        self._spec: Optional[Dict[str, Any]] = None
        self._created_on = -1
        self._started = False
        self._started_on = -1
        self._prefetched: Optional[Tuple[_Connection, BatchState, int]] = None
        self._closed = False

    def __repr__(self) -> str:
        return f"Handle({self.name!r} at {_show(self.client.address)})"

    def __enter__(self) -> "Handle":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    def close(self) -> None:
        """Forgets the handle (the batcher keeps running on the daemon; see :meth:`stop`)."""
        with self.client._lock:
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
        with self.client._lock:
            self._check_open("create")
            c = self.client._connection(self._what("create"))
            created = self._send_create(c, spec)
            self._spec = spec
            self._created_on = c.generation
            return created

    def start(self, state: BatchState) -> bool:
        """Starts iterating at ``state``. Returns False if it was running (a no-op on the daemon)."""
        _check_state(state)
        with self.client._lock:
            self._check_open("start")
            self._drop_prefetch("start was called")
            c = self.client._connection(self._what("start"))
            self._recreate(c)
            started = self._send_start(c, state)
            self._started = True
            self._started_on = c.generation
            return started

    def take(self, state: BatchState, timeout: Optional[float] = None) -> "Batch":
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
        t = self.client.take_timeout if timeout is None else _seconds("timeout", timeout)
        what = self._what("take")
        with self.client._lock:
            self._check_open("take")
            c = self.client._connection(what)

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
                    rid = c.send(wire.REQUEST, {"op": "take", "batcher": self.name, "state": str(state)})
                frame = c.await_answer(rid, t, what)
                batch = _taken(frame, what, state, c, self.client._arenas)
                if not batch.end and self.client.prefetch and self._started:
                    # The next batch crosses the network while the caller trains on this one.
                    nrid = c.send(wire.REQUEST, {"op": "take", "batcher": self.name, "state": str(batch.state)})
                    self._prefetched = (c, batch.state, nrid)
                return batch
            return self.client._exchange(c, what, exchange)

    def stop(self) -> None:
        """Stops the batcher: cancels in-flight work and releases its buffers. Idempotent."""
        with self.client._lock:
            self._check_open("stop")
            self._drop_prefetch("stop was called")
            try:
                c = self.client._connection(self._what("stop"))
                self._recreate(c)
                self.client._call("stop", self.name, {"op": "stop", "batcher": self.name},
                                  self.client.request_timeout, c)
            finally:
                self._started = False

    def status(self) -> BatcherStatus:
        """The batcher's life-cycle state and metrics."""
        with self.client._lock:
            self._check_open("status")
            c = self.client._connection(self._what("status"))
            self._recreate(c)
            header = self.client._call("status", self.name, {"op": "status", "batcher": self.name},
                                       self.client.request_timeout, c)
        return BatcherStatus.from_json(header.get("status"), "status.status")

    # -- plumbing ---------------------------------------------------------------------------------

    def _what(self, op: str) -> str:
        return f"{op} on batcher '{self.name}'"

    def _check_open(self, op: str) -> None:
        if self._closed:
            raise BatcherError(f"batcher handle '{self.name}' is closed ({op})")

    def _drop_prefetch(self, why: str) -> None:
        ahead, self._prefetched = self._prefetched, None
        if ahead is not None and ahead[0].usable:
            ahead[0].drop(ahead[2], why)

    def _recreate(self, c: _Connection) -> None:
        if self._spec is not None and self._created_on != c.generation:
            LOG.info("batcher '%s': creating it again after reconnecting", self.name)
            self._send_create(c, self._spec)
            self._created_on = c.generation

    def _send_create(self, c: _Connection, spec: Dict[str, Any]) -> bool:
        header = self.client._call("create", self.name, {"op": "create", "batcher": self.name, "spec": spec},
                                   self.client.request_timeout, c)
        return _flag(header, "create", "created")

    def _send_start(self, c: _Connection, state: BatchState) -> bool:
        header = self.client._call("start", self.name, {"op": "start", "batcher": self.name, "state": str(state)},
                                   self.client.request_timeout, c)
        return _flag(header, "start", "started")


def _check_state(state: Any) -> None:
    if not isinstance(state, BatchState):
        raise TypeError(f"state: {state!r} (expected: a BatchState, e.g. BatchState.initial(42))")


def _shape(header: Mapping[str, Any], name: str, dtype: str) -> Tuple[int, ...]:
    d = header.get(name)
    if not isinstance(d, Mapping):
        raise ProtocolError(f"batch.{name}", repr(d), f'{{"dtype": "{dtype}", "shape": [...]}}')
    if d.get("dtype") != dtype:
        raise ProtocolError(f"batch.{name}.dtype", repr(d.get("dtype")), f'"{dtype}"')
    shape = d.get("shape")
    if (not isinstance(shape, list) or not shape
            or any(isinstance(n, bool) or not isinstance(n, int) or n < 0 for n in shape)):
        raise ProtocolError(f"batch.{name}.shape", repr(shape), "a non-empty array of sizes >= 0")
    return tuple(shape)


def _taken(frame: wire.Frame, what: str, requested: BatchState, conn: Optional[_Connection] = None,
           arenas: Optional[Arenas] = None) -> "Batch":
    if frame.type == wire.BATCH:
        h = frame.header
        state = _state(h.get("state"), "batch.state")
        previous = _state(h.get("previous"), "batch.previous")
        if previous != requested:
            raise ProtocolError("batch.previous", previous, f"{requested}, the state the take asked for")
        if h.get("byteOrder", "little") != "little":
            raise ProtocolError("batch.byteOrder", repr(h.get("byteOrder")), '"little"')
        xs, ys = _shape(h, "x", "float32"), _shape(h, "y", "int32")
        nx, ny = int(np.prod(xs)), int(np.prod(ys))
        if "arena" in h:
            if conn is None or arenas is None:
                raise ProtocolError("batch.arena", repr(h["arena"]), "no arena on a connection without shared memory")
            # The slot is ours until we RELEASE it: on close(), or when the batch is garbage-collected.
            release = functools.partial(conn.release_later, frame.id)
            try:
                x, y = _arena_views(h["arena"], frame, xs, ys, nx, ny, arenas)
            except BaseException:
                conn.release(frame.id)
                raise
            batch = Batch(x, y, state, previous, False)
            batch._shared(functools.partial(conn.release, frame.id), weakref.finalize(batch, release))
            return batch
        payload = frame.payload if frame.payload is not None else np.empty(0, np.uint8)
        if payload.nbytes != 4 * (nx + ny):
            raise ProtocolError("batch.payload", f"{payload.nbytes} bytes",
                                f"4 × ({nx} elements of x.shape {list(xs)} + {ny} elements of y.shape "
                                f"{list(ys)}) = {4 * (nx + ny)} bytes")
        x = payload[:4 * nx].view("<f4").reshape(xs)
        y = payload[4 * nx:].view("<i4").reshape(ys)
        return Batch(x, y, state, previous, False)
    header = _response(frame, what)
    if header.get("end") is not True:
        raise ProtocolError("take.end", repr(header.get("end")), "true in a RESPONSE to take (a batch comes in a BATCH frame)")
    return Batch(None, None, _state(header.get("last"), "take.last"), requested, True)


def _arena_views(a: Any, frame: wire.Frame, xs: Tuple[int, ...], ys: Tuple[int, ...], nx: int, ny: int,
                 arenas: Arenas) -> Tuple[np.ndarray, np.ndarray]:
    if frame.payload is not None:
        raise ProtocolError("batch.payload", f"{frame.payload.nbytes} bytes", "none beside an arena slot")
    if (not isinstance(a, Mapping) or not isinstance(a.get("file"), str)
            or any(isinstance(a.get(k), bool) or not isinstance(a.get(k), int) for k in ("slot", "offset", "bytes"))):
        raise ProtocolError("batch.arena", repr(a)[:200], '{"file": path, "slot": int, "offset": int, "bytes": int}')
    if a["bytes"] != 4 * (nx + ny):
        raise ProtocolError("batch.arena.bytes", a["bytes"], f"4 x ({nx} + {ny}) = {4 * (nx + ny)}, from the shapes")
    try:
        arena = arenas.get(a["file"])
    except OSError as e:
        raise ProtocolError("batch.arena.file", a["file"], f"a readable arena file ({e})") from None
    return arena.views(a["slot"], a["offset"], xs, ys)


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

    def __init__(self, x: Optional[np.ndarray], y: Optional[np.ndarray], state: BatchState,
                 previous: BatchState, end: bool) -> None:
        self._x = x
        self._y = y
        self.state = state
        self.previous = previous
        self.end = end
        self._closed = False
        self._release = None
        self._finalizer = None

    def _shared(self, release, finalizer) -> None:
        self._release = release
        self._finalizer = finalizer

    @property
    def shared(self) -> bool:
        """True if the arrays are views of the daemon's shared memory (until close), False over TCP."""
        return self._release is not None

    def _array(self, name: str) -> np.ndarray:
        if self._closed:
            raise BatchClosedError(f"batch {self.previous}: .{name} read after close() "
                                   "(copy the array before closing if it must outlive the batch)")
        if self.end:
            raise BatchClosedError(f"the source ended at {self.state}: the end has no .{name}")
        return self._x if name == "x" else self._y  # type: ignore[return-value]

    @property
    def x(self) -> np.ndarray:
        """The samples, float32 ``[batch, channels, samples]``."""
        return self._array("x")

    @property
    def y(self) -> np.ndarray:
        """The labels, int32 ``[batch, label channels, epochs]`` (-1: covered by an earlier window)."""
        return self._array("y")

    @property
    def closed(self) -> bool:
        return self._closed

    @property
    def nbytes(self) -> int:
        return 0 if self._x is None else int(self._x.nbytes + self._y.nbytes)  # type: ignore[union-attr]

    def close(self) -> None:
        """Releases the batch's memory (in shared memory: gives its slot back). Idempotent."""
        self._closed = True
        self._x = None
        self._y = None
        if self._finalizer is not None:
            self._finalizer.detach()       # released here, not again at garbage collection
            self._finalizer = None
            self._release()

    def __enter__(self) -> "Batch":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    def __repr__(self) -> str:
        if self.end:
            return f"Batch(end, state={self.state})"
        if self._closed:
            return f"Batch({self.previous}, closed)"
        return (f"Batch({self.previous}, x={list(self._x.shape)}, y={list(self._y.shape)}, "  # type: ignore[union-attr]
                f"state={self.state})")
