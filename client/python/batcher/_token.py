"""The token file a daemon started without a configured token writes (as Java's TokenFile):
``$XDG_RUNTIME_DIR/batcher/daemon-<port>.token``, else ``~/.batcher/daemon-<port>.token``."""

from __future__ import annotations

import ipaddress
import os
import socket
from pathlib import Path
from typing import Mapping, Optional, Tuple


def directory(env: Mapping[str, str] = os.environ, home: Optional[Path] = None) -> Path:
    runtime = env.get("XDG_RUNTIME_DIR", "")
    if runtime.strip():
        return Path(runtime) / "batcher"
    return (home if home is not None else Path.home()) / ".batcher"


def path(port: int, env: Mapping[str, str] = os.environ, home: Optional[Path] = None) -> Path:
    return directory(env, home) / f"daemon-{port}.token"


def find(address: Tuple[str, int], env: Mapping[str, str] = os.environ, home: Optional[Path] = None) -> Optional[str]:
    """The token of the daemon at ``address`` if the address is this host's and its file exists;
    a token is never read for (so never sent to) another machine."""
    if not is_this_host(address[0]):
        return None
    try:
        token = path(address[1], env, home).read_text(encoding="ascii").strip()
    except (OSError, UnicodeDecodeError):
        return None
    return token or None


def is_this_host(host: str) -> bool:
    try:
        infos = socket.getaddrinfo(host, None, proto=socket.IPPROTO_TCP)
    except OSError:
        return False
    for family, _, _, _, sockaddr in infos:
        ip = ipaddress.ip_address(sockaddr[0].split("%")[0])
        if ip.is_loopback or ip.is_unspecified:
            continue
        try:  # an address of this host is one a socket can bind to
            with socket.socket(family, socket.SOCK_STREAM) as s:
                s.bind((sockaddr[0], 0))
        except OSError:
            return False
    return bool(infos)
