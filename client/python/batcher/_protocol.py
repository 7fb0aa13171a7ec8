"""The names and numbers of docs/protocol.md, in one place: the protocol version, the message type
codes (section 3), the request ops (section 12.1) and the error codes (section 5).

The framing (``_wire``), the messages (``_messages``) and the client use only these names;
``tests/test_protocol_doc.py`` holds them against the doc's tables, as Java's ``ProtocolDocTest``
holds ``MessageType``, ``Op`` and ``ErrorFrames.CODES``. Members are listed in the doc's order.
"""

from __future__ import annotations

from enum import Enum, IntEnum

PROTOCOL_VERSION = 3
"""The version this client states in ``HELLO.protocol``; the daemon speaks exactly this one."""


class MessageType(IntEnum):
    """The ``type`` byte of a frame (docs/protocol.md section 3). Codes never change meaning."""

    HELLO = 0x01
    WELCOME = 0x02
    ERROR = 0x03
    PING = 0x04
    PONG = 0x05
    GOODBYE = 0x06
    REQUEST = 0x10
    RESPONSE = 0x11
    BATCH = 0x12
    RELEASE = 0x13
    JOB = 0x20
    JOB_RESULT = 0x21
    JOB_FAILURE = 0x22
    CANCEL = 0x23


class _Word(str, Enum):
    """A member that is its wire text: ``str(Op.TAKE) == "take"``, and equal to that text."""

    def __str__(self) -> str:
        return str(self.value)


class Op(_Word):
    """The ``op`` of a ``REQUEST`` header (docs/protocol.md section 12.1)."""

    CREATE = "create"
    START = "start"
    TAKE = "take"
    STOP = "stop"
    STATUS = "status"
    LIST = "list"


class ErrorCode(_Word):
    """The ``code`` of an ``ERROR`` or ``JOB_FAILURE`` header (docs/protocol.md section 5).

    A str, so ``error.code == ErrorCode.FAILED`` holds for the text ``"failed"``. A daemon may send a
    word that is not listed here; the client passes it on as it came.
    """

    PROTOCOL = "protocol"
    UNSUPPORTED_VERSION = "unsupported_version"
    UNAUTHORIZED = "unauthorized"
    TIMEOUT = "timeout"
    BAD_REQUEST = "bad_request"
    CANCELLED = "cancelled"
    INTERNAL = "internal"
    NOT_RUNNING = "not_running"
    FAILED = "failed"
    OVERLOADED = "overloaded"
