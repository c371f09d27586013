"""Small frozen value objects the stages take instead of the pydantic settings (as httpx has
`Timeout` and `Limits`): a stage depends on the few numbers it uses, not on the config's schema.

Imports nothing of monitor: every layer may use it. Also the bound on a config or watchlist file read.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from pathlib import Path

CONFIG_FILE_BYTES = 10 * 1024 * 1024  # a config or watchlist file read at most (a path to /dev/zero is not read whole)


def read_config_text(path: Path) -> str:
    """A config or watchlist file's UTF-8 text; ValueError when it is larger than CONFIG_FILE_BYTES (OSError and
    UnicodeDecodeError as `Path.read_text`)."""
    with path.open("rb") as file:
        data = file.read(CONFIG_FILE_BYTES + 1)
    if len(data) > CONFIG_FILE_BYTES:
        raise ValueError(f"larger than {CONFIG_FILE_BYTES // 2**20} MiB, not read: is it the right file?")
    return data.decode("utf-8")

IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network


@dataclass(frozen=True)
class HttpLimits:
    """The bounds of every HTTP fetch ([http] of the config)."""

    timeout: float = 10.0  # connect / read, per operation, seconds
    deadline: float = 30.0  # the whole fetch, redirects included, seconds
    max_body_bytes: int = 10 * 1024 * 1024  # the decoded body
    max_redirects: int = 5
    allow_networks: tuple[IPNetwork, ...] = ()  # fetched although private, loopback, link-local, ...
    host_gap: float = 0.0  # seconds at least between the starts of two requests of a poll to one host
    ca_file: str | None = None  # a PEM bundle of CAs trusted besides the system's (self-hosted feeds)

