"""Batch states: where a stream stands, with the same canonical text as Java's ``BatchState``."""

from __future__ import annotations

import re
from dataclasses import dataclass

_LONG_MIN = -(2 ** 63)
_LONG_MAX = 2 ** 63 - 1
# Java's Long.parseLong: an optional sign and ASCII digits, nothing else.
_LONG = r"[+-]?[0-9]+"
_STATE = re.compile(r"seed=(" + _LONG + r"),batch=(" + _LONG + r")")


@dataclass(frozen=True)
class BatchState:
    """The seed of a stream's random source and the index of its next batch.

    ``str(state)`` is the canonical text, ``seed=42,batch=17``, that :meth:`parse` reads back and
    Java's ``BatchState.toString()`` writes: store it in a checkpoint and pass the state to
    ``take`` to resume exactly there.
    """

    seed: int
    batch: int

    def __post_init__(self) -> None:
        for name, value in (("seed", self.seed), ("batch", self.batch)):
            if isinstance(value, bool) or not isinstance(value, int):
                raise TypeError(f"{name}: {value!r} (expected: an int)")
            if not _LONG_MIN <= value <= _LONG_MAX:
                raise ValueError(f"{name}: {value} (expected: a 64-bit signed integer)")
        if self.batch < 0:
            raise ValueError(f"batch: {self.batch} (expected: >= 0)")

    @staticmethod
    def initial(seed: int) -> "BatchState":
        """The state before the first batch of the stream of ``seed``: ``seed=<seed>,batch=0``."""
        return BatchState(seed, 0)

    @staticmethod
    def parse(text: str) -> "BatchState":
        """Parses the canonical text form, ``seed=<long>,batch=<long >= 0>``.

        Raises:
            ValueError: if the text is not of that form; the message quotes it.
        """
        t = _java_trim(text) if isinstance(text, str) else ""
        m = _STATE.fullmatch(t)
        if m is None:
            raise ValueError(f"state: '{text}' (expected: seed=<long>,batch=<long >= 0>, "
                             "as str(BatchState) writes it)")
        seed, batch = int(m.group(1)), int(m.group(2))
        if not (_LONG_MIN <= seed <= _LONG_MAX and _LONG_MIN <= batch <= _LONG_MAX):
            raise ValueError(f"state: '{text}' (expected: seed=<long>,batch=<long >= 0>)")
        return BatchState(seed, batch)

    def next(self) -> "BatchState":
        """The state after this one's batch (for sources that advance by one)."""
        return BatchState(self.seed, self.batch + 1)

    def __str__(self) -> str:
        return f"seed={self.seed},batch={self.batch}"


def _java_trim(text: str) -> str:
    """String.trim(): strips leading and trailing characters <= U+0020, and nothing else."""
    start, end = 0, len(text)
    while start < end and text[start] <= " ":
        start += 1
    while end > start and text[end - 1] <= " ":
        end -= 1
    return text[start:end]
