"""Frames of docs/protocol.md: encoding and decoding over a blocking socket."""

from __future__ import annotations

import json
import socket
import struct
from typing import Any, Dict, List, NamedTuple, Optional, Tuple

import numpy as np
import numpy.typing as npt

from ._protocol import PROTOCOL_VERSION, MessageType
from .errors import ProtocolError

MAGIC = 0xBA
# length (u32) | magic u8 | type u8 | flags u8 | id i64 | headerLength u32
_PREFIX = struct.Struct(">IBBBqI")
_FIXED = 15  # the bytes of the length that are not header or payload
HANDSHAKE_MAX_FRAME = 64 * 1024
MAX_HEADER = 1024 * 1024

_CODES = {t.value: t for t in MessageType}


class Frame(NamedTuple):
    type: MessageType
    id: int
    header: Dict[str, Any]
    payload: Optional[npt.NDArray[np.uint8]]  # None when empty

    @property
    def type_name(self) -> str:
        return self.type.name


def encode(frame_type: MessageType, frame_id: int, header: Optional[Dict[str, Any]] = None,
           payload: bytes = b"") -> bytes:
    """The bytes of one frame; an empty header is sent as headerLength 0."""
    hb = json.dumps(header, separators=(",", ":"), ensure_ascii=False).encode("utf-8") if header else b""
    return _PREFIX.pack(_FIXED + len(hb) + len(payload), MAGIC, frame_type, 0, frame_id, len(hb)) + hb + payload


def _no_duplicates(pairs: List[Tuple[str, Any]]) -> Dict[str, Any]:
    out: Dict[str, Any] = {}
    for k, v in pairs:
        if k in out:
            raise ValueError(f"duplicate key {k!r}")
        out[k] = v
    return out


def _recv_into(sock: socket.socket, view: memoryview) -> None:
    got = 0
    n = len(view)
    while got < n:
        r = sock.recv_into(view[got:], n - got)
        if r == 0:
            raise EOFError("the daemon closed the connection")
        got += r


class Stalled(Exception):
    """The daemon went silent in the middle of a frame: the stream can no longer be trusted."""


def read_frame(sock: socket.socket, max_frame: int, stall_timeout: float) -> Frame:
    """Reads one frame. The payload is received straight into one pre-sized buffer (one copy).

    The socket's timeout applies to the first byte only (a ``socket.timeout`` then leaves the
    stream in step); once a frame has begun, the rest must come within ``stall_timeout``.

    Raises:
        ProtocolError: the frame breaks a rule of docs/protocol.md section 1.
        Stalled: the rest of a begun frame did not come in time.
        socket.timeout: no frame began in time.
        EOFError, OSError: the connection ended or failed.
    """
    prefix = bytearray(_PREFIX.size)
    first = sock.recv_into(prefix, _PREFIX.size)
    if first == 0:
        raise EOFError("the daemon closed the connection")
    previous = sock.gettimeout()
    sock.settimeout(stall_timeout)
    try:
        return _read_rest(sock, prefix, first, max_frame)
    except socket.timeout:
        raise Stalled(f"no byte for {stall_timeout:g} s in the middle of a frame") from None
    finally:
        sock.settimeout(previous)


def _read_rest(sock: socket.socket, prefix: bytearray, first: int, max_frame: int) -> Frame:
    _recv_into(sock, memoryview(prefix)[first:])
    length, magic, ftype, flags, fid, hlen = _PREFIX.unpack(prefix)
    if length < _FIXED or length > max_frame:
        raise ProtocolError("length", length, f">= {_FIXED} and <= {max_frame}, the maximum frame length")
    if magic != MAGIC:
        raise ProtocolError("magic", f"0x{magic:02X}", "0xBA")
    frame_type = _CODES.get(ftype)
    if frame_type is None:
        raise ProtocolError("type", f"0x{ftype:02X}", f"one of the message type codes of protocol {PROTOCOL_VERSION}")
    if flags != 0:
        raise ProtocolError("flags", flags, "0")
    if hlen > MAX_HEADER or hlen > length - _FIXED:
        raise ProtocolError("headerLength", hlen, f"<= {min(MAX_HEADER, length - _FIXED)}")
    header: Any = {}
    if hlen:
        hb = bytearray(hlen)
        _recv_into(sock, memoryview(hb))
        try:
            header = json.loads(hb.decode("utf-8"), object_pairs_hook=_no_duplicates)
        except ValueError as e:  # UnicodeDecodeError and JSONDecodeError are ValueErrors
            raise ProtocolError("header", repr(bytes(hb[:200])), f"one JSON object in UTF-8 ({e})") from None
        if not isinstance(header, dict):
            raise ProtocolError("header", json.dumps(header)[:200], "a JSON object")
    n = length - _FIXED - hlen
    payload = None
    if n:
        payload = np.empty(n, dtype=np.uint8)  # not zero-filled: the socket writes every byte
        _recv_into(sock, payload.data)
    return Frame(frame_type, fid, header, payload)
