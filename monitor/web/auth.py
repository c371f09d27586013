"""Who may read the site: anyone on a loopback address; elsewhere a token or basic-auth credentials from
the environment, compared in constant time (hmac.compare_digest)."""

from __future__ import annotations

import base64
import hmac
import ipaddress
import os
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from monitor.errors import ConfigError
from monitor.redact import register_secret

TOKEN, USER, PASSWORD = "MONITOR_WEB_TOKEN", "MONITOR_WEB_USER", "MONITOR_WEB_PASSWORD"


@dataclass(frozen=True)
class Access:
    """The credentials a request must bring (either one); both None: the site is open (loopback)."""

    token: str | None = None
    basic: tuple[str, str] | None = None

    @property
    def open(self) -> bool:
        return self.token is None and self.basic is None

    def allows(self, authorization: str, query_token: str) -> bool:
        """True when the request's Authorization header (Bearer or Basic) or its ?token= is right."""
        if self.open:
            return True
        scheme, _, value = authorization.strip().partition(" ")
        if self.token is not None:
            given = value.strip() if scheme.lower() == "bearer" else query_token
            if given and hmac.compare_digest(given.encode(), self.token.encode()):
                return True
        if self.basic is not None and scheme.lower() == "basic":
            try:
                user, _, password = base64.b64decode(value.strip(), validate=True).decode().partition(":")
            except ValueError:  # binascii.Error, UnicodeDecodeError, and a character past ASCII (ValueError itself)
                return False
            same_user = hmac.compare_digest(user.encode(), self.basic[0].encode())
            return hmac.compare_digest(password.encode(), self.basic[1].encode()) and same_user
        return False


def is_loopback(host: str) -> bool:
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


ELSEWHERE = ("this site is open without credentials to a loopback name only: open it as http://127.0.0.1:PORT/ or "
             "http://localhost:PORT/, or set MONITOR_WEB_TOKEN (or MONITOR_WEB_USER and MONITOR_WEB_PASSWORD) to serve it under another name\n")


def names_loopback(scope: Mapping[str, Any]) -> bool:
    """Whether an ASGI request's Host names a loopback address or localhost (or names none: no browser sends that).
    What is served on loopback without credentials answers only those: a page of another site whose name was made to
    resolve to 127.0.0.1 (DNS rebinding) names its own, and would read every page as its own origin."""
    host = next((bytes(value).decode("latin-1") for name, value in scope.get("headers", ()) if name == b"host"), None)
    if host is None:
        return True
    name = host.rpartition("]")[0].lstrip("[") if host.startswith("[") else host.partition(":")[0]
    return is_loopback(name.rstrip("."))


def access_for(host: str, env: Mapping[str, str] | None = None) -> Access | None:
    """What the site on `host` requires; None when it may not be served there (no credentials set for a
    non-loopback address). Credentials set are required on loopback too; basic-auth credentials half set, or a user
    name basic auth cannot carry, are a ConfigError (the site served open instead would be a surprise)."""
    env = os.environ if env is None else env
    token = env.get(TOKEN) or None
    user, password = env.get(USER) or None, env.get(PASSWORD) or None
    for secret in (token, password):
        if secret:
            register_secret(secret)  # first: masked in the log whatever is refused below
    if (user is None) != (password is None):
        given, missing = (USER, PASSWORD) if user else (PASSWORD, USER)
        raise ConfigError(f"{given} is set but {missing} is not (or is empty): set both for basic auth, or neither", key=missing)
    if user is not None and ":" in user:
        raise ConfigError(f"{USER} holds ':', which basic auth cannot carry (a user name ends at its first ':'): choose one without it", key=USER)
    basic = (user, password) if user and password else None
    if token is None and basic is None and not is_loopback(host):
        return None
    return Access(token, basic)


def required(listen: str, host: str, env: Mapping[str, str] | None = None) -> Access:
    """access_for, or a ConfigError in one line naming the settings to set."""
    access = access_for(host, env)
    if access is None:
        raise ConfigError(f"the web view on {listen} (not a loopback address) needs {TOKEN}, or {USER} and {PASSWORD}, "
                          "set in the environment; or listen on 127.0.0.1", key="server.listen")
    return access
