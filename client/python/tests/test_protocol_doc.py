"""Keeps the package true to docs/protocol.md (the Python twin of Java's ProtocolDocTest): the doc's
tables of message types, ops, error codes, header fields and limits are parsed and compared with
``batcher._protocol``, ``batcher._wire`` and what ``batcher._messages`` writes and reads."""

import json
import re
from typing import Dict, List

import numpy as np
import pytest

from batcher import _messages, _wire
from batcher._protocol import PROTOCOL_VERSION, ErrorCode, MessageType, Op
from batcher._wire import Frame
from batcher.errors import ProtocolError
from batcher.state import BatchState
from conftest import ROOT

DOC = (ROOT / "docs" / "protocol.md").read_text(encoding="utf-8")


def table(doc: str, header: str, after: str = "") -> List[List[str]]:
    """The rows of the first table whose header line starts with ``header`` (after the text
    ``after``, if given), cells trimmed and without backticks."""
    start = doc.find(after) if after else 0
    assert start >= 0, f"docs/protocol.md has the text {after!r}"
    at = doc.find("\n" + header, start)
    assert at >= 0, f"docs/protocol.md has a table starting {header!r}" + (f" after {after!r}" if after else "")
    rows = []
    for line in doc[at + 1:].split("\n")[2:]:
        if not line.startswith("|"):
            break
        rows.append([c.strip().replace("`", "") for c in line.strip()[1:-1].split("|")])
    assert rows, f"the table starting {header!r} has rows"
    return rows


def column(doc: str, header: str, index: int = 0, after: str = "") -> List[str]:
    return [r[index] for r in table(doc, header, after)]


# -- the checks, as functions of the doc's text, so that a test can show they fail on a wrong doc ---

def check_message_types(doc: str) -> None:
    in_doc = [f"{r[0]} {r[1]}" for r in table(doc, "| code | type | direction |")]
    assert in_doc == [f"0x{t.value:02X} {t.name}" for t in MessageType]
    assert column(doc, "| type | Java |") == [t.name for t in MessageType]


def check_ops(doc: str) -> None:
    ops = [op.value for op in Op]
    assert column(doc, "| op | other fields | answer |") == ops
    assert column(doc, "| op | `RESPONSE` header |") == ops


def check_error_codes(doc: str) -> None:
    codes = [c.value for c in ErrorCode]
    assert column(doc, "| code | meaning |") == codes
    assert set(column(doc, "| code | when | context |")) <= set(codes)


def test_title_versionIsTheProtocolVersion():
    m = re.match(r"# The batcher wire protocol \(version (\d+)\)", DOC)
    assert m is not None and int(m.group(1)) == PROTOCOL_VERSION
    assert f"| `protocol` | integer | yes | protocol version; `{PROTOCOL_VERSION}` |" in DOC


def test_messageTypes_codesAndNamesMatchMessageType():
    check_message_types(DOC)


def test_ops_matchOp():
    check_ops(DOC)


def test_errorCodes_matchErrorCode():
    check_error_codes(DOC)


@pytest.mark.parametrize("check, wrong, right", [
    (check_message_types, "| `0x13` | `RELEASE` |", "| `0x14` | `RELEASE` |"),
    (check_message_types, "| `CANCEL` | `Cancel` |", "| `ABANDON` | `Cancel` |"),
    (check_ops, "| `take` | `state` | a `BATCH` frame", "| `takes` | `state` | a `BATCH` frame"),
    (check_ops, "| `list` | `batchers`:", "| `listing` | `batchers`:"),
    (check_error_codes, "| `overloaded` | the daemon's memory", "| `overload` | the daemon's memory"),
    (check_error_codes, "| `not_running` | `take` on a batcher", "| `stopped` | `take` on a batcher"),
], ids=["type code", "type name", "op", "response op", "error code", "request error code"])
def test_checks_failWhenTheDocDiffers(check, wrong, right):
    assert DOC.count(wrong) == 1, wrong
    with pytest.raises(AssertionError):
        check(DOC.replace(wrong, right))


def test_framing_constantsMatchTheDoc():
    assert "| `magic` | u8 | `0xBA`: layout 1 of batcher frames |" in DOC
    assert _wire.MAGIC == 0xBA
    limits: Dict[str, str] = {r[0]: r[1] for r in table(DOC, "| limit | default | where |")}
    assert limits["frame before the handshake completes"] == "64 KiB" and _wire.HANDSHAKE_MAX_FRAME == 64 * 1024
    assert limits["header"] == "1 MiB" and _wire.MAX_HEADER == 1024 * 1024
    assert limits["frame (length field)"].startswith("256 MiB") and _messages.DEFAULT_MAX_FRAME == 256 * 1024 * 1024
    # the example of section 1: a BATCH frame, id 7, header {"index":3}, 8 payload bytes
    example = re.search(r"^(00000022 BA .*?) <8 payload bytes>$", DOC, re.M)
    assert example is not None
    encoded = _wire.encode(MessageType.BATCH, 7, {"index": 3}, bytes(8))
    assert len(encoded) == 38 and "38 bytes on the\nwire" in DOC
    assert encoded[:-8].hex().upper() == example.group(1).replace(" ", "")


def test_hello_fieldsAreTheDocs():
    rows = table(DOC, "| field | type | required | meaning |")
    written = set(_messages.hello("python-1", "secret", "boot:1"))
    assert written <= {r[0] for r in rows}
    assert {r[0] for r in rows if r[2] == "yes"} <= written
    assert _messages.hello("n", None, None) == {"protocol": PROTOCOL_VERSION, "role": "client", "name": "n"}


def test_welcome_fieldsReadAreTheDocs():
    fields = set(column(DOC, "| field | type | meaning |"))
    assert {"server", "maxFrameLength"} <= fields
    w = _messages.Welcome.decode(Frame(MessageType.WELCOME, 0, {"protocol": PROTOCOL_VERSION, "server": "v1", "maxFrameLength": 1 << 20,
                                                                "heartbeatMillis": 5000}, None))
    assert w == _messages.Welcome("v1", 1 << 20)


def test_errorHeader_defaultsAreTheDocs():
    rows = {r[0]: json.loads(r[2]) for r in table(DOC, "| field | type | default | meaning |")}
    assert set(rows) == {"code", "class", "message", "stack", "context"}
    e = _messages.remote_error({})
    assert (e.code, e.remote_class, e.remote_message, e.remote_stack, e.context) == (
        rows["code"], rows["class"], rows["message"], rows["stack"], rows["context"])


def test_request_opsAndFieldsAreTheDocs():
    assert _messages.request(Op.LIST) == {"op": "list"}
    assert _messages.request(Op.TAKE, "b", state="seed=1,batch=2") == {"op": "take", "batcher": "b",
                                                                        "state": "seed=1,batch=2"}
    other = {r[0]: r[1] for r in table(DOC, "| op | other fields | answer |")}
    assert other["take"] == "state" and other["start"] == "state" and other["create"].startswith("spec:")


def test_batch_everyFieldOfTheDocIsRead():
    fields = column(DOC, "| field | type | meaning |", after="A `BATCH` frame (Java: `BatchMessage`)")
    assert set(fields) == {"state", "previous", "x", "y", "byteOrder"}
    s = BatchState.initial(1)
    header = {"state": str(s.next()), "previous": str(s), "byteOrder": "little",
              "x": {"dtype": "float32", "shape": [1, 2, 3]}, "y": {"dtype": "int32", "shape": [1, 1, 1]}}
    payload = bytes(4 * 7)
    ok = _messages.BatchHeader.decode(Frame(MessageType.BATCH, 1, header, np.frombuffer(payload, np.uint8)), s)
    assert (ok.state, ok.previous, ok.x_shape, ok.y_shape, ok.arena) == (s.next(), s, (1, 2, 3), (1, 1, 1), None)
    for field in fields:
        broken = dict(header)
        if field == "byteOrder":
            broken[field] = "big"          # optional (absent means little); any other value is refused
        else:
            del broken[field]
        with pytest.raises(ProtocolError) as e:
            _messages.BatchHeader.decode(Frame(MessageType.BATCH, 1, broken, np.frombuffer(payload, np.uint8)), s)
        assert e.value.field == f"batch.{field}"
