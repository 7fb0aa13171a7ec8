"""The client: :func:`connect` and :class:`Client`, a connection to a daemon shared by its handles."""

from __future__ import annotations

import os
from typing import Any, List, Optional, Tuple, Union

from ._connection import Options, Session, seconds, show
from ._messages import listing, request
from ._protocol import Op
from .batch import Batch
from .handle import Handle
from .status import BatcherStatus

__all__ = ["connect", "Client", "Handle", "Batch"]

Address = Union[str, Tuple[str, int]]

DEFAULT_CONNECT_TIMEOUT = 10.0
DEFAULT_REQUEST_TIMEOUT = 30.0
DEFAULT_TAKE_TIMEOUT = 60.0
DEFAULT_HEARTBEAT = 5.0


def connect(address: Address, token: Optional[str] = None, **options: Any) -> "Client":
    """Connects to a batcher daemon and completes the handshake.

    Args:
        address: ``"host:port"`` (such as ``"127.0.0.1:7070"``) or a ``(host, port)`` tuple.
        token: the daemon's shared secret; if None, the environment variable ``BATCHER_TOKEN``,
            else, for a daemon on this host, the token file it wrote when started without a token
            (``$XDG_RUNTIME_DIR/batcher/daemon-<port>.token``, else ``~/.batcher/daemon-<port>.token``),
            else none.
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
        client._session.connection("connect")
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
    if isinstance(port, bool) or not isinstance(port, int) or not 0 < port < 65536:
        raise ValueError(f"address port: {port!r} (expected: 1..65535)")
    return str(host).strip("[]"), port


class Client:
    """A connection to a batcher daemon, shared by the :class:`Handle` objects made from it.

    Made by :func:`connect`. A context manager: leaving the ``with`` block closes it. Thread-safe:
    calls from several threads are served one at a time.

    After a lost connection, every waiting call raises :class:`ConnectionLostError`; the next call
    connects again, and each handle first creates its batcher again with the spec it created it
    with and, if its user had started it and not stopped it since, starts it again at the state
    of the next ``take``. A loop that calls ``take(state)`` again with its state after a
    ``ConnectionLostError`` therefore resumes exactly where it was, even if the daemon restarted.

    Its settings (``name``, ``connect_timeout``, ``request_timeout``, ``take_timeout``,
    ``heartbeat_interval``, ``prefetch``, ``shared_memory``) are read-only attributes.
    """

    def __init__(self, address: Address, token: Optional[str] = None, *, name: Optional[str] = None,
                 connect_timeout: float = DEFAULT_CONNECT_TIMEOUT,
                 request_timeout: float = DEFAULT_REQUEST_TIMEOUT,
                 take_timeout: float = DEFAULT_TAKE_TIMEOUT, prefetch: bool = True,
                 heartbeat_interval: float = DEFAULT_HEARTBEAT, shared_memory: bool = True) -> None:
        parsed = _parse_address(address)
        if token is None:
            token = os.environ.get("BATCHER_TOKEN") or None
        if token is not None and (not isinstance(token, str) or not token):
            raise ValueError("token: '' (expected: the daemon's token, or None)")
        name = name or f"python-{os.getpid()}"
        if not 0 < len(name) <= 128 or not name.strip():
            raise ValueError(f"name: '{name}' (expected: 1 to 128 characters, not blank)")
        options = Options(name, token, seconds("connect_timeout", connect_timeout),
                          seconds("request_timeout", request_timeout), seconds("take_timeout", take_timeout),
                          seconds("heartbeat_interval", heartbeat_interval), bool(prefetch), bool(shared_memory))
        self._session = Session(parsed, options)

    # -- settings ---------------------------------------------------------------------------------

    @property
    def address(self) -> Tuple[str, int]:
        return self._session.address

    @property
    def name(self) -> str:
        return self._session.options.name

    @property
    def connect_timeout(self) -> float:
        return self._session.options.connect_timeout

    @property
    def request_timeout(self) -> float:
        return self._session.options.request_timeout

    @property
    def take_timeout(self) -> float:
        return self._session.options.take_timeout

    @property
    def heartbeat_interval(self) -> float:
        return self._session.options.heartbeat_interval

    @property
    def prefetch(self) -> bool:
        return self._session.options.prefetch

    @property
    def shared_memory(self) -> bool:
        return self._session.options.shared_memory

    @property
    def server(self) -> Optional[str]:
        """The daemon's version, from the last handshake (None before the first)."""
        return self._session.server

    # -- life cycle -------------------------------------------------------------------------------

    def __enter__(self) -> "Client":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    def close(self) -> None:
        """Says goodbye and closes the connection. Idempotent. Batches already taken stay valid."""
        self._session.close()

    @property
    def closed(self) -> bool:
        return self._session.closed

    def __repr__(self) -> str:
        return f"Client({show(self.address)!r}{', closed' if self.closed else ''})"

    # -- API --------------------------------------------------------------------------------------

    def batcher(self, name: str) -> Handle:
        """A handle on the batcher of that name. Nothing is sent until it is used."""
        if not isinstance(name, str) or not name.strip():
            raise ValueError(f"name: {name!r} (expected: a non-blank batcher name)")
        self._session.check_open("batcher")
        return Handle(self._session, name, self)

    def list(self) -> List[BatcherStatus]:
        """The status of every batcher of the daemon, in the daemon's order."""
        return listing(self._session.call(Op.LIST.value, request(Op.LIST)))
