"""Small frozen value objects the stages take instead of the pydantic settings (as httpx has
`Timeout` and `Limits`): a stage depends on the few numbers it uses, not on the config's schema.

Imports nothing of monitor: every layer may use it.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass

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

