"""Free loopback ports for private servers, and a check that something listens on one.

Ports are drawn at random below the kernel's ephemeral range (32768 and up on Linux), so an
outgoing connection from another test cannot take a server's port while it boots or restarts.
``secrets`` draws them, so a test that seeds ``random`` cannot make two workers pick the same ones.
"""

from __future__ import annotations

import secrets
import socket

LOOPBACK = "127.0.0.1"
_LOW, _HIGH = 20000, 32000


def _bindable(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        try:
            probe.bind((LOOPBACK, port))
        except OSError:
            return False
    return True


def free_ports(count: int) -> list[int]:
    """``count`` distinct ports that nothing listens on at the moment of the call."""
    chosen: list[int] = []
    for _ in range(count * 200):
        port = _LOW + secrets.randbelow(_HIGH - _LOW)
        if port not in chosen and _bindable(port):
            chosen.append(port)
            if len(chosen) == count:
                return chosen
    raise RuntimeError(f"no {count} free loopback ports found in {_LOW}-{_HIGH}")


def free_port() -> int:
    """One port that nothing listens on at the moment of the call."""
    return free_ports(1)[0]


def is_listening(port: int, host: str = LOOPBACK, timeout: float = 0.5) -> bool:
    """Whether a TCP connection to ``host:port`` is accepted."""
    try:
        with socket.create_connection((host, port), timeout=timeout):
            return True
    except OSError:
        return False
