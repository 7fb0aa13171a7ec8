"""Shared-memory arenas (docs/protocol.md section 13): numpy views of a batch's slot, no copy."""

from __future__ import annotations

import mmap
import os
import struct
import threading
from typing import Dict, Tuple

import numpy as np
import numpy.typing as npt

from .errors import ProtocolError

MAGIC = b"BATCHARN"
VERSION = 1
HEADER_BYTES = 4096
# magic 8s | version u32 | headerBytes u32 | slotCount u32 | reserved u32 | slotBytes u64 | ownerPid i64 | createdMs i64
_HEADER = struct.Struct("<8sIIIIQqq")


class Arena:
    """One arena file, mapped read-only. Thread-safe to read; views stay valid while referenced."""

    def __init__(self, path: str) -> None:
        self.path = path
        fd = os.open(path, os.O_RDONLY)
        try:
            size = os.fstat(fd).st_size
            if size < HEADER_BYTES:
                raise ProtocolError("arena size", f"{size} bytes in {path}", f">= {HEADER_BYTES}")
            self.map = mmap.mmap(fd, size, mmap.MAP_SHARED, mmap.PROT_READ)
        finally:
            os.close(fd)
        magic, version, header, slots, _, slot_bytes, self.owner_pid, _ = _HEADER.unpack_from(self.map, 0)
        problems = []
        if magic != MAGIC:
            problems.append(("arena magic", magic, repr(MAGIC)))
        elif version != VERSION:
            problems.append(("arena version", version, str(VERSION)))
        elif header != HEADER_BYTES:
            problems.append(("arena headerBytes", header, str(HEADER_BYTES)))
        elif slots < 1:
            problems.append(("arena slotCount", slots, ">= 1"))
        elif slot_bytes <= 0 or slot_bytes % 4096:
            problems.append(("arena slotBytes", slot_bytes, "a positive multiple of 4096"))
        elif size != HEADER_BYTES + slots * slot_bytes:
            problems.append(("arena size", size, f"{HEADER_BYTES} + {slots} x {slot_bytes}"))
        if problems:
            self.map.close()
            field, value, expected = problems[0]
            raise ProtocolError(field, f"{value} in {path}", expected)
        self.slot_count = slots
        self.slot_bytes = slot_bytes

    def views(self, slot: int, offset: int, x_shape: Tuple[int, ...],
              y_shape: Tuple[int, ...]) -> Tuple[npt.NDArray[np.float32], npt.NDArray[np.int32]]:
        """x and y of a slot, as read-only numpy views of the mapped file."""
        nx, ny = int(np.prod(x_shape)), int(np.prod(y_shape))
        if not 0 <= slot < self.slot_count:
            raise ProtocolError("batch.arena.slot", slot, f"0..{self.slot_count - 1}, the slots of {self.path}")
        base = HEADER_BYTES + slot * self.slot_bytes
        if offset != base:
            raise ProtocolError("batch.arena.offset", offset, f"{base} = 4096 + slot {slot} x {self.slot_bytes}")
        if 4 * (nx + ny) > self.slot_bytes:
            raise ProtocolError("batch shapes", f"{list(x_shape)} + {list(y_shape)}",
                                f"at most {self.slot_bytes} bytes, the slot size of {self.path}")
        x = np.frombuffer(self.map, dtype="<f4", count=nx, offset=base).reshape(x_shape)
        y = np.frombuffer(self.map, dtype="<i4", count=ny, offset=base + 4 * nx).reshape(y_shape)
        return x, y

    def close(self) -> None:
        try:
            self.map.close()
        except BufferError:
            pass  # arrays that escaped their batch still view it; the mapping goes with the last of them


def host_id() -> str:
    """This host's id for HELLO.host, as Java's Arena.hostId(): the boot id on Linux, else the host name."""
    try:
        with open("/proc/sys/kernel/random/boot_id") as f:
            boot = f.read().strip()
        if boot:
            return "boot:" + boot
    except OSError:
        pass
    import socket
    return "host:" + socket.gethostname()


class Arenas:
    """The arenas a client has mapped, by path."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._open: Dict[str, Arena] = {}

    def get(self, path: str) -> Arena:
        with self._lock:
            a = self._open.get(path)
            if a is None:
                a = self._open[path] = Arena(path)
            return a

    def close(self) -> None:
        with self._lock:
            for a in self._open.values():
                a.close()
            self._open.clear()
