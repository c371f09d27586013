"""Whose a file is, in words: its owner's name and its mode, for the lines that tell a user another's file or folder
is in the way (a store, its lock, a console:// file). Imports nothing of monitor: the store and the channels share it."""

from __future__ import annotations

import pwd
from pathlib import Path


def user_name(uid: int) -> str:
    """A user's name, or `uid N` when the system has none for it (a container's)."""
    try:
        return pwd.getpwuid(uid).pw_name
    except KeyError:
        return f"uid {uid}"


def owner_and_mode(path: Path) -> tuple[str, str]:
    """A file's owner, by name, and its permissions, as `('nobody', '0600')`."""
    st = path.stat()
    return user_name(st.st_uid), f"{st.st_mode & 0o7777:04o}"
