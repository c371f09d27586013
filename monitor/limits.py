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
    """A config or watchlist file's UTF-8 text; ValueError when it is larger than CONFIG_FILE_BYTES, NotUtf8 when it is
    not UTF-8 (OSError as `Path.read_text`)."""
    if (data := read_at_most(path, CONFIG_FILE_BYTES)) is None:
        raise ValueError(f"larger than {CONFIG_FILE_BYTES // 2**20} MiB, not read: is it the right file?")
    return utf8_text(data)


def read_at_most(path: Path, most: int) -> bytes | None:
    """A file's bytes; None when it holds more than `most`, read no further (a path to /dev/zero is not read whole).
    OSError as `Path.open`."""
    with path.open("rb") as file:
        data = file.read(most + 1)
    return data if len(data) <= most else None


class NotUtf8(ValueError):
    """A file an analyst or operator writes (config, watchlist, labelled cases) is not UTF-8: where, and what to do.
    `line` is None for a UTF-16 or UTF-32 file (its byte order mark says so)."""

    def __init__(self, data: bytes, start: int) -> None:
        if data.startswith((b"\xff\xfe", b"\xfe\xff", b"\x00\x00\xfe\xff")):
            self.line: int | None = None
            bits = 32 if data.startswith((b"\xff\xfe\x00\x00", b"\x00\x00\xfe\xff")) else 16
            super().__init__(f"UTF-{bits} text (it opens with a byte order mark): save the file as UTF-8")
            return
        line_start = data.rfind(b"\n", 0, start) + 1
        self.line = data.count(b"\n", 0, start) + 1
        column = len(data[line_start:start].decode("utf-8", "replace")) + 1
        super().__init__(f"not UTF-8 text (byte 0x{data[start]:02x} at column {column}): save the file as UTF-8")

    def where(self, path: object) -> str:
        """`path:line: problem` (or `path: problem`), as the other errors of such files say it."""
        return f"{path}:{self.line}: {self}" if self.line else f"{path}: {self}"


def utf8_text(data: bytes) -> str:
    """`data` as UTF-8 text; NotUtf8 where it is not."""
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise NotUtf8(data, exc.start) from None

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

