"""Frames over a real socket pair: what ``_wire`` writes it reads back, and a frame that breaks a rule
of docs/protocol.md section 1 is refused naming the field, the value and what was expected."""

import socket
import struct

import pytest

from batcher._protocol import MessageType
from batcher._wire import MAGIC, Frame, encode, read_frame
from batcher.errors import ProtocolError

MAX = 1 << 20


def through_socket(data: bytes) -> Frame:
    a, b = socket.socketpair()
    with a, b:
        a.sendall(data)
        b.settimeout(5)
        return read_frame(b, MAX, 5)


def raw(ftype: int, header: bytes = b"", payload: bytes = b"", magic: int = MAGIC, flags: int = 0) -> bytes:
    return struct.pack(">IBBBqI", 15 + len(header) + len(payload), magic, ftype, flags, 9, len(header)) + header + payload


def test_frame_roundTrip_typeIdHeaderAndPayload():
    f = through_socket(encode(MessageType.BATCH, 7, {"index": 3, "name": "ü"}, b"\x01\x02\x03"))
    assert f.type is MessageType.BATCH and f.type_name == "BATCH"
    assert f.id == 7 and f.header == {"index": 3, "name": "ü"}
    assert f.payload is not None and bytes(f.payload) == b"\x01\x02\x03"
    empty = through_socket(encode(MessageType.PING, 1))
    assert (empty.type, empty.header, empty.payload) == (MessageType.PING, {}, None)


@pytest.mark.parametrize("data, field, value", [
    (raw(0x7F), "type", "0x7F"),
    (raw(0x04, magic=0xBB), "magic", "0xBB"),
    (raw(0x04, flags=1), "flags", 1),
    (raw(0x11, b'{"a":1,"a":2}'), "header", repr(b'{"a":1,"a":2}')),
    (raw(0x11, b"[1]"), "header", "[1]"),
    (struct.pack(">IBBBqI", MAX + 1, MAGIC, 0x12, 0, 1, 0), "length", MAX + 1),
], ids=["unknown type", "magic", "flags", "duplicate key", "not an object", "too long"])
def test_frame_breakingARule_isAProtocolErrorNamingTheField(data, field, value):
    with pytest.raises(ProtocolError) as e:
        through_socket(data)
    assert (e.value.field, e.value.value) == (field, value)
    assert "expected:" in str(e.value)
