"""The exceptions of the Batcher client. Every one derives from :class:`BatcherError`."""

from __future__ import annotations

from typing import Dict, Mapping, Optional


class BatcherError(Exception):
    """The root of every exception the client raises."""


class ProtocolError(BatcherError):
    """The daemon sent something docs/protocol.md does not allow; the connection is closed.

    The message names the field, the value and what was expected, for example
    ``batch.payload: 12 bytes (expected: 16 bytes, 4 × (x elements + y elements))``.
    """

    def __init__(self, field: str, value: object, expected: str) -> None:
        super().__init__(f"{field}: {value} (expected: {expected})")
        self.field = field
        self.value = value
        self.expected = expected


class ConnectionLostError(BatcherError, ConnectionError):
    """The connection to the daemon broke (or could not be made).

    Nothing is retried behind the caller's back: call again (for ``take``, with the same state) and
    the client reconnects, creating and starting its batchers again if the daemon restarted.
    """


class BatcherTimeoutError(BatcherError, TimeoutError):
    """The daemon did not answer in time. The client sent it a ``CANCEL``; the connection stays up."""


class BatchClosedError(BatcherError, ValueError):
    """A taken batch was used after :meth:`~batcher.Batch.close` (or after its client closed)."""


class RemoteBatcherError(BatcherError):
    """The daemon answered with an error: a remote failure, with where and why it happened.

    ``str(error)`` is what a user should read: the remote message, the code and the context, such as
    ``batchSize: 0 (expected: > 0) (code bad_request)`` (the remote class only when the remote
    exception had no message), followed by the remote stack trace when the daemon sent one (for
    ``failed`` and ``internal``; a refused request, ``bad_request`` or ``not_running``, has none).

    Attributes:
        code: the machine-readable category (``bad_request``, ``not_running``, ``failed``,
            ``unauthorized``, ...), as in docs/protocol.md section 5.
        remote_class: the class name of the exception at the origin (e.g. a worker's
            ``dev.batcher.materializers.hdf5.RecordingReadException``).
        remote_message: its message.
        remote_stack: its stack trace as text (empty for handshake and protocol errors).
        context: where it happened: ``batcher``, ``worker``, ``state``, ``batch``, ``file``,
            ``window``, ``attempts``, ...
    """

    def __init__(self, code: str, remote_class: str, remote_message: str, remote_stack: str = "",
                 context: Optional[Mapping[str, str]] = None) -> None:
        self.code = code
        self.remote_class = remote_class
        self.remote_message = remote_message
        self.remote_stack = remote_stack
        self.context: Dict[str, str] = dict(context or {})
        where = "".join(f", {k}={v}" for k, v in self.context.items())
        super().__init__(f"{remote_message or remote_class} (code {code}{where})")

    @property
    def state(self) -> Optional[str]:
        """The state before the failed batch, when the daemon says (``take`` there reproduces it)."""
        return self.context.get("state")

    def __str__(self) -> str:
        text = super().__str__()
        if self.remote_stack:
            text += "\nremote stack:\n" + self.remote_stack
        return text
