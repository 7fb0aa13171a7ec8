"""The headers a client writes and reads (docs/protocol.md sections 2.1, 5 and 12): each message's
encoding beside its decoding. A decoder checks every field it reads and raises
:class:`~batcher.ProtocolError` naming the field, the value and what was expected."""

from __future__ import annotations

from typing import Any, Dict, List, Mapping, NamedTuple, Optional, Tuple

from ._protocol import PROTOCOL_VERSION, ErrorCode, MessageType, Op
from ._wire import Frame
from .errors import ProtocolError, RemoteBatcherError
from .state import BatchState
from .status import BatcherStatus

DEFAULT_MAX_FRAME = 256 * 1024 * 1024


# -- handshake (section 2.1) -----------------------------------------------------------------------

def hello(name: str, token: Optional[str], host: Optional[str]) -> Dict[str, Any]:
    """A client's ``HELLO`` header; ``host`` offers shared memory (section 13.4), None keeps TCP."""
    header: Dict[str, Any] = {"protocol": PROTOCOL_VERSION, "role": "client", "name": name}
    if token is not None:
        header["token"] = token
    if host is not None:
        header["host"] = host
    return header


class Welcome(NamedTuple):
    """The daemon's answer to ``HELLO``."""

    server: Optional[str]
    max_frame: int

    @staticmethod
    def decode(frame: Frame) -> "Welcome":
        """Reads a ``WELCOME``; an ``ERROR`` raises the daemon's refusal, any other frame is a violation."""
        if frame.type == MessageType.ERROR:
            raise remote_error(frame.header)
        if frame.type != MessageType.WELCOME:
            raise ProtocolError("type", frame.type_name, "WELCOME or ERROR in answer to HELLO")
        server = frame.header.get("server")
        max_frame = frame.header.get("maxFrameLength", DEFAULT_MAX_FRAME)
        if isinstance(max_frame, bool) or not isinstance(max_frame, int) or max_frame < 15:
            raise ProtocolError("welcome.maxFrameLength", repr(max_frame), "an integer >= 15")
        return Welcome(server if isinstance(server, str) else None, max_frame)


# -- requests and their answers (section 12.1) -----------------------------------------------------

def request(op: Op, batcher: Optional[str] = None, **fields: Any) -> Dict[str, Any]:
    """A ``REQUEST`` header: ``op``, the batcher it names (every op but ``list``) and its arguments."""
    header: Dict[str, Any] = {"op": op.value}
    if batcher is not None:
        header["batcher"] = batcher
    header.update(fields)
    return header


def cancel(reason: str) -> Dict[str, Any]:
    """A ``CANCEL`` (or ``GOODBYE``) header."""
    return {"reason": reason}


def response(frame: Frame, what: str) -> Dict[str, Any]:
    """The header of a ``RESPONSE``; an ``ERROR`` raises it, any other frame is a violation."""
    if frame.type == MessageType.ERROR:
        raise remote_error(frame.header)
    if frame.type != MessageType.RESPONSE:
        raise ProtocolError("type", frame.type_name, f"RESPONSE or ERROR in answer to {what}")
    return frame.header


def flag(header: Mapping[str, Any], op: Op, field: str) -> bool:
    """A boolean answer: ``created`` of ``create``, ``started`` of ``start``."""
    value = header.get(field)
    if not isinstance(value, bool):
        raise ProtocolError(f"{op.value}.{field}", repr(value), "true or false")
    return value


def status(header: Mapping[str, Any]) -> BatcherStatus:
    """The answer to ``status``."""
    return BatcherStatus.from_json(header.get("status"), "status.status")


def listing(header: Mapping[str, Any]) -> List[BatcherStatus]:
    """The answer to ``list``."""
    batchers = header.get("batchers")
    if not isinstance(batchers, list):
        raise ProtocolError("list.batchers", repr(batchers)[:200], "an array of BatcherStatus objects")
    return [BatcherStatus.from_json(b, f"list.batchers[{i}]") for i, b in enumerate(batchers)]


def state(value: Any, field: str) -> BatchState:
    """A state in its text form."""
    if isinstance(value, str):
        try:
            return BatchState.parse(value)
        except ValueError:
            pass
    raise ProtocolError(field, repr(value), 'a state in text form, such as "seed=1,batch=8"')


def end_of_source(frame: Frame, what: str) -> BatchState:
    """The ``RESPONSE {"end": true, "last": state}`` that answers a ``take`` at a finite source's end."""
    header = response(frame, what)
    if header.get("end") is not True:
        raise ProtocolError("take.end", repr(header.get("end")),
                            "true in a RESPONSE to take (a batch comes in a BATCH frame)")
    return state(header.get("last"), "take.last")


# -- errors (section 5) ----------------------------------------------------------------------------

def remote_error(header: Mapping[str, Any]) -> RemoteBatcherError:
    """The exception an ``ERROR`` header describes; absent fields take the doc's defaults."""
    ctx = header.get("context") or {}
    context = ({str(k): (v if isinstance(v, str) else str(v)) for k, v in ctx.items()}
               if isinstance(ctx, dict) else {})
    return RemoteBatcherError(str(header.get("code", ErrorCode.INTERNAL.value)), str(header.get("class", "unknown")),
                              str(header.get("message", "")), str(header.get("stack", "")), context)


# -- batches (sections 12.1, 12.3 and 13.4) --------------------------------------------------------

class ArenaRef(NamedTuple):
    """Where a ``BATCH`` sent without payload lies in shared memory."""

    file: str
    slot: int
    offset: int
    bytes: int


class BatchHeader(NamedTuple):
    """A ``BATCH`` header, checked against the take it answers and against its payload."""

    state: BatchState
    previous: BatchState
    x_shape: Tuple[int, ...]
    y_shape: Tuple[int, ...]
    arena: Optional[ArenaRef]

    @property
    def x_elements(self) -> int:
        return _product(self.x_shape)

    @property
    def y_elements(self) -> int:
        return _product(self.y_shape)

    @staticmethod
    def decode(frame: Frame, requested: BatchState) -> "BatchHeader":
        """Reads a ``BATCH`` frame that answers a ``take`` of ``requested``.

        Raises:
            ProtocolError: a field breaks section 12.3, ``previous`` is not ``requested``, or the
                payload does not hold exactly the tensors described (none beside an arena slot).
        """
        h = frame.header
        now = state(h.get("state"), "batch.state")
        previous = state(h.get("previous"), "batch.previous")
        if previous != requested:
            raise ProtocolError("batch.previous", previous, f"{requested}, the state the take asked for")
        if h.get("byteOrder", "little") != "little":
            raise ProtocolError("batch.byteOrder", repr(h.get("byteOrder")), '"little"')
        xs, ys = _shape(h, "x", "float32"), _shape(h, "y", "int32")
        nx, ny = _product(xs), _product(ys)
        nbytes = 4 * (nx + ny)
        arena = _arena(h["arena"], nx, ny) if "arena" in h else None
        got = 0 if frame.payload is None else frame.payload.nbytes
        if arena is not None and got:
            raise ProtocolError("batch.payload", f"{got} bytes", "none beside an arena slot")
        if arena is None and got != nbytes:
            raise ProtocolError("batch.payload", f"{got} bytes",
                                f"4 × ({nx} elements of x.shape {list(xs)} + {ny} elements of y.shape {list(ys)})"
                                f" = {nbytes} bytes")
        return BatchHeader(now, previous, xs, ys, arena)


def holds_slot(frame: Frame) -> bool:
    """True for a ``BATCH`` in shared memory: its slot is the client's until it sends ``RELEASE``."""
    return frame.type == MessageType.BATCH and "arena" in frame.header


def _product(shape: Tuple[int, ...]) -> int:
    n = 1
    for d in shape:
        n *= d
    return n


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


def _arena(a: Any, nx: int, ny: int) -> ArenaRef:
    if (not isinstance(a, Mapping) or not isinstance(a.get("file"), str)
            or any(isinstance(a.get(k), bool) or not isinstance(a.get(k), int) for k in ("slot", "offset", "bytes"))):
        raise ProtocolError("batch.arena", repr(a)[:200], '{"file": path, "slot": int, "offset": int, "bytes": int}')
    if a["bytes"] != 4 * (nx + ny):
        raise ProtocolError("batch.arena.bytes", a["bytes"], f"4 x ({nx} + {ny}) = {4 * (nx + ny)}, from the shapes")
    return ArenaRef(a["file"], a["slot"], a["offset"], a["bytes"])
