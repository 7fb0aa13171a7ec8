"""What ``status()`` and ``list()`` return: the fields of Java's ``BatcherStatus``, in snake_case."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Mapping, Optional

from .errors import ProtocolError

STATUSES = ("STOPPED", "RUNNING", "CLOSED", "DONE", "FAILED")


@dataclass(frozen=True)
class Failure:
    """Why a batcher failed: the worker's exception and where it happened (Java's ``Failure``)."""

    exception_class: str
    message: str
    remote_stack: str
    worker: str
    state: str
    batch: str
    attempts: int

    def describe(self) -> str:
        """The message, then the code and where it happened (no class name unless the message is empty)."""
        text = self.message or self.exception_class
        return (f"{text} [code=failed, worker={self.worker}, state={self.state}, batch={self.batch}, "
                f"attempts={self.attempts}]")


@dataclass(frozen=True)
class BatcherStatus:
    """A batcher's life-cycle state and metrics.

    ``status`` is one of ``STOPPED`` (created, never started), ``RUNNING``, ``CLOSED`` (stopped),
    ``DONE`` (a finite source's end was taken) and ``FAILED`` (then ``failure`` says why).
    """

    name: str
    status: str
    failure: Optional[Failure]
    state: Optional[str]
    produced: int
    taken: int
    buffered: int
    in_flight: int
    capacity: int
    retries: int
    redispatched: int
    restarts: int
    workers: int
    slots: int
    waiting_for_workers: bool
    batches_per_second: float
    take_wait_seconds: float
    worker_restarts: int = 0
    hedged: int = 0

    @staticmethod
    def from_json(value: Any, field: str) -> "BatcherStatus":
        """Reads the JSON form the daemon sends (camelCase keys)."""
        if not isinstance(value, Mapping):
            raise ProtocolError(field, _shown(value), "a BatcherStatus object")
        try:
            f = value.get("failure")
            failure = None if f is None else Failure(
                str(f.get("exceptionClass")), str(f.get("message")), str(f.get("remoteStack") or ""),
                str(f.get("worker")), str(f.get("state")), str(f.get("batch")), int(f.get("attempts", 0)))
            status = str(value["status"])
            if status not in STATUSES:
                raise ValueError(f"status {status!r}")
            return BatcherStatus(
                name=str(value["name"]), status=status, failure=failure, state=value.get("state"),
                produced=int(value["produced"]), taken=int(value["taken"]), buffered=int(value["buffered"]),
                in_flight=int(value["inFlight"]), capacity=int(value["capacity"]), retries=int(value["retries"]),
                redispatched=int(value["redispatched"]), restarts=int(value["restarts"]),
                workers=int(value["workers"]), slots=int(value["slots"]),
                waiting_for_workers=bool(value["waitingForWorkers"]),
                batches_per_second=float(value["batchesPerSecond"]),
                take_wait_seconds=float(value["takeWaitSeconds"]),
                worker_restarts=int(value.get("workerRestarts", 0)),
                hedged=int(value.get("hedged", 0)))
        except (KeyError, TypeError, ValueError, AttributeError) as e:
            raise ProtocolError(field, _shown(value), f"a BatcherStatus object; {e!r}") from None


def _shown(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 200 else text[:200] + "..."
