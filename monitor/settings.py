"""Load and validate `monitor.toml` into one frozen Settings object.

Relative paths are resolved from the working directory (`make run` runs from the repository root).
Secrets are written as `${ENV_VAR}` and expanded here; their values are registered for redaction.
(Over 300 lines: one pydantic model per section of the file, each field with its bound; one schema, one module.)
"""

from __future__ import annotations

import difflib
import ipaddress
import os
import re
import ssl
import tomllib
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, ValidationError, ValidationInfo, field_validator, model_validator

from monitor.errors import ConfigError
from monitor.limits import HttpLimits, NotUtf8, read_config_text
from monitor.redact import MASK, redact, register_feed_secrets, register_secret, register_url_secrets
from monitor.strict import Strict, said
from monitor import defaults
from monitor.hosts import url_problem

_ENV = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}")
_UNCLOSED = re.compile(r"\$\{[A-Za-z_][A-Za-z0-9_]*(?![A-Za-z0-9_}])")  # `${SMTP_PASSWORD@host`: a typo, not a literal


class _Section(Strict):
    model_config = ConfigDict(extra="forbid", frozen=True)


Place = Annotated[Path, AfterValidator(Path.expanduser)]  # a path of the config: `~/inbox` is the user's home's, as a shell takes it


class StoreSettings(_Section):
    """Where articles, matches and alerts live."""

    path: Place = Field(Path("var/monitor.db"), description="SQLite file, used when url is empty")
    url: str = Field("", description="any SQLAlchemy URL; overrides path")
    upgrade: Literal["auto", "manual"] = Field("auto", description="auto: opening the store upgrades its schema; manual: refuse until `monitor db upgrade`")
    keep_days: int = Field(0, ge=0, le=36500, description="prune articles, their matches and sent deliveries older than this; 0 keeps everything")

    @field_validator("path")
    @classmethod
    def _a_file(cls, value: Path) -> Path:
        if value.is_dir():  # an empty path is "." too
            raise ValueError(f"{str(value)!r} is a folder: give the SQLite file in it, e.g. var/monitor.db")
        return value

    @property
    def sqlalchemy_url(self) -> str:
        return self.url or f"sqlite:///{self.path}"


class ScheduleSettings(_Section):
    """How often each daemon job runs, in seconds."""

    feeds_every: float = Field(30, gt=0, description="how often due feeds are looked for")
    folders_every: float = Field(30, gt=0, description="full rescan of folder sources")
    dispatch_every: float = Field(5, gt=0, description="how often pending deliveries are sent")
    watchlist_every: float = Field(5, gt=0, description="how often the watchlist file is checked for edits")
    feed_workers: int = Field(defaults.MAX_IN_FLIGHT, ge=1, description="the old name of [http] max_in_flight (either may be set; they mirror)")
    parse_workers: int = Field(defaults.PARSE_WORKERS, ge=1, description="processes parsing changed feeds and matching their new entries (about one per core)")
    parse_timeout: float = Field(defaults.PARSE_TIMEOUT, gt=0, description="CPU seconds one feed's parse may take; past them it is the feed's error (and to prepare its new entries; past them, one at a time, a fifth of them for one: those past it left out)")
    min_interval: float = Field(defaults.MIN_INTERVAL, gt=0, description="adaptive polling never asks a feed more often")
    max_interval: float = Field(defaults.MAX_INTERVAL, gt=0, description="nor less often than this")
    backoff_cap: float = Field(defaults.BACKOFF_CAP, gt=0, description="longest wait after consecutive failures")
    suspend_after: int = Field(defaults.SUSPEND_AFTER, ge=1, description="consecutive failures that suspend a feed")
    suspended_every: float = Field(defaults.SUSPENDED_EVERY, gt=0, description="a suspended feed is retried this often, to recover by itself")

    @model_validator(mode="after")
    def _consistent(self) -> ScheduleSettings:
        if self.min_interval > self.max_interval:
            raise ValueError("min_interval must not exceed max_interval")
        if self.min_interval > self.backoff_cap or self.backoff_cap > self.suspended_every:
            raise ValueError("need min_interval <= backoff_cap <= suspended_every")
        return self
    per_host: int = Field(defaults.PER_HOST, ge=1, description="feeds of one host in flight at most (a tick takes the rest later)")


def _network(value: str) -> str:
    """A CIDR (or one address) in its normal form; the error says what is wrong with it."""
    try:
        return str(ipaddress.ip_network(value.strip()))
    except ValueError:
        pass
    try:
        loose = ipaddress.ip_network(value.strip(), strict=False)
    except ValueError:
        raise ValueError(f"{value!r} is not a network (a CIDR such as 10.0.0.0/8 or fd00::/8)") from None
    raise ValueError(f"{value!r} has host bits set (did you mean {loose}?)")


class HttpSettings(_Section):
    """Limits for every HTTP fetch."""

    timeout: float = Field(10, gt=0, description="connect/read timeout per operation, seconds")
    deadline: float = Field(30, gt=0, description="total time for one fetch, seconds")
    max_body_bytes: int = Field(10 * 1024 * 1024, gt=0, description="cap on the decoded body")
    max_redirects: int = Field(5, ge=0)
    allow_networks: list[Annotated[str, AfterValidator(_network)]] = Field(
        default_factory=list, description="CIDRs that may be fetched although private, loopback, link-local, ...")
    max_in_flight: int = Field(defaults.MAX_IN_FLIGHT, ge=1, description="fetches in flight at once on the event loop (formerly [schedule] feed_workers)")
    host_gap: float = Field(0, ge=0, le=600, description="seconds at least between two request starts to one host in a poll (0: none; at most 600)")
    ca_file: Place | None = Field(None, description="PEM bundle of CAs trusted besides the system's (self-hosted feeds)")

    @field_validator("ca_file")
    @classmethod
    def _ca_bundle(cls, value: Path | None) -> Path | None:
        if value is not None:
            try:
                ssl.create_default_context().load_verify_locations(cafile=value)
            except (OSError, ssl.SSLError) as exc:
                raise ValueError(f"{value}: not a readable PEM bundle of CA certificates ({getattr(exc, 'strerror', None) or exc})") from None
        return value

    def limits(self) -> HttpLimits:
        """The value object the fetching stages take (sources/http.py, sources/discover.py)."""
        networks = tuple(ipaddress.ip_network(n) for n in self.allow_networks)
        ca_file = None if self.ca_file is None else str(self.ca_file)
        return HttpLimits(self.timeout, self.deadline, self.max_body_bytes, self.max_redirects, networks, self.host_gap, ca_file)


class DeliverySettings(_Section):
    """Retries of failed deliveries."""

    max_attempts: int = Field(60, ge=1, description="after this many failures a delivery is 'failed' (the default: retried for 26-53 hours)")
    backoff_seconds: float = Field(30, gt=0, description="first retry delay; doubles each attempt")
    backoff_max_seconds: float = Field(3600, gt=0)
    lease_seconds: float = Field(120, gt=0, description="a claimed delivery not recorded by then (a crash) is sent again; a send is cut off after half of it")


class FeedSource(_Section):
    """An RSS/Atom feed polled over HTTP."""

    name: str = ""
    url: str
    every: float | None = Field(None, gt=0, description="fixed seconds between polls; unset = adaptive")
    full_text: bool = Field(False, description="fetch each new entry's page and match its main text, not the summary")

    @field_validator("url")
    @classmethod
    def _http_only(cls, value: str) -> str:
        if not re.match(r"^https?://", value, re.I):
            raise ValueError("must start with http:// or https://")
        if MASK in value:  # copied from `sources export` or a log line: polled so, it fails at every check
            raise ValueError(f"its secret is masked as {MASK} (as `monitor sources export` and the log write it): "
                             "write the feed's real URL, its secret as ${ENV} if you like")
        if (problem := url_problem(value)) is not None:
            raise ValueError(f"not a valid URL: {problem}")
        return value

    @property
    def label(self) -> str:
        return self.name or self.url


class FolderSource(_Section):
    """A folder watched for new article files."""

    path: Place
    name: str = ""
    settle_seconds: float = Field(5, ge=0, description="a file must be unchanged (size and mtime) this long before it is read")
    recursive: bool = Field(True, description="read subfolders too (hidden ones skipped)")
    max_file_bytes: int = Field(5 * 1024 * 1024, ge=1, description="larger files are not read (one log line)")
    silent_hours: float | None = Field(None, gt=0, le=87600, description="no new article for this long: one health alert to the `ops` channels (and one when it is back)")

    @property
    def label(self) -> str:
        return self.name or str(self.path)


_CLOCK = r"([01]\d|2[0-3]):[0-5]\d"
# A channel's alerts sent one by one an hour by default; the rest of a burst (a feed bringing thousands of matching
# entries at once) waits for one digest, each alert in it once (`max_per_hour = 0`: no limit).
FLOOD_PER_HOUR = 60


class Channel(_Section):
    """An Apprise destination: one URL, or an Apprise config file (its own tags apply)."""

    name: str
    url: str = ""
    config: Place | None = None
    tags: list[str] = Field(default_factory=lambda: ["default"])
    digest_below: int = Field(0, ge=0, le=4, description="alerts below this severity wait for the channel's digest")
    digest_every: float = Field(3600, gt=0, description="a held alert waits at most this many seconds for its digest")
    digest_at: str = Field("", description='e.g. "08:00": one daily digest at that time instead (in `timezone`)')
    max_per_hour: int = Field(FLOOD_PER_HOUR, ge=0, description="flood control: alerts beyond this per hour go into the digest (0: no limit)")
    quiet_hours: str = Field("", description='e.g. "22:00-07:00": alerts below severity 3 wait for the digest meanwhile')
    timezone: str = Field("UTC", description="the time zone of quiet_hours")
    title_template: str = Field("", description="Jinja template of the title (sandboxed; see docs/templates.md)")
    body_template: str = Field("", description="Jinja template of the body")
    format: Literal["text", "html"] = Field("text", description="html: the body is HTML (e-mail), everything escaped")

    @field_validator("url")
    @classmethod
    def _not_masked(cls, value: str) -> str:
        if MASK in value:  # copied from `monitor check` or a log line: every send to it fails
            raise ValueError(f"its secret is masked as {MASK} (as `monitor check` and the log write it): "
                             "write the channel's real URL, its secret as ${ENV} if you like")
        return value

    @field_validator("digest_at", "quiet_hours")
    @classmethod
    def _clock(cls, value: str, info: ValidationInfo) -> str:
        """HH:MM for digest_at, HH:MM-HH:MM for quiet_hours."""
        example = "08:00" if info.field_name == "digest_at" else "22:00-07:00"
        pattern = _CLOCK if info.field_name == "digest_at" else f"{_CLOCK}-{_CLOCK}"
        if value and not re.fullmatch(pattern, value.strip()):
            raise ValueError(f'must look like "{example}"')
        return value.strip()

    @field_validator("timezone")
    @classmethod
    def _zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"unknown time zone {value!r}") from None
        return value


class StorySettings(_Section):
    """One alert per story: copies of a story join it instead of alerting again."""

    window: int = Field(5000, ge=1, description="latest articles kept in the near-duplicate index (~1.3 KB each)")
    join_within: float = Field(72, gt=0, le=87600, description="hours: a copy joins a story only this close in time to its articles, unless nearly identical")


class TrendSettings(_Section):
    """Spike alerts (the watchlist's `spikes:`) and silent sources (docs/trends.md)."""

    check_every: float = Field(300, gt=0, description="seconds between spike and silent-source checks")
    silent_after: float = Field(4, gt=1, description="a feed that usually publishes every X hours is silent after silent_after x X without news")
    silent_min_hours: float = Field(6, gt=0, description="but never before this many hours")
    count_days: int = Field(90, ge=30, le=3650, description="days of hourly story counts kept")


class ServerSettings(_Section):
    """The daemon's health and metrics endpoint (`/healthz`, `/metrics`)."""

    listen: str = Field("127.0.0.1:9464", description='HOST:PORT served by `monitor run`; "" turns it off; not loopback = metrics exposed')
    overdue_after: float = Field(900, gt=0, description="seconds a pending delivery may wait before /healthz says 503")

    @field_validator("listen")
    @classmethod
    def _host_port(cls, value: str) -> str:
        value = value.strip()
        if value:
            host, _, port = value.rpartition(":")
            if not host or not (port.isascii() and port.isdigit()):
                raise ValueError('must look like "127.0.0.1:9464" (or "" for no server)')
            if len(port) > 5 or not 0 < int(port) < 65536:
                raise ValueError(f"port {port if len(port) <= 6 else port[:6] + '…'} is not one of 1 to 65535")
        return value

    @property
    def address(self) -> tuple[str, int] | None:
        """(host, port) to bind, brackets of an IPv6 host removed; None when off."""
        if not self.listen:
            return None
        host, _, port = self.listen.rpartition(":")
        return host.strip("[]"), int(port)

    @property
    def url(self) -> str:
        """The address as a browser opens it: http://HOST:PORT, an IPv6 host in brackets ("" when off)."""
        if self.address is None:
            return ""
        host, port = self.address
        return f"http://[{host}]:{port}" if ":" in host else f"http://{host}:{port}"


class LogSettings(_Section):
    """How the daemon writes its log (standard error)."""

    format: Literal["text", "json"] = Field("text", description="text: one line per event; json: one JSON object per line")


class Settings(_Section):
    """The whole configuration."""

    watchlist: Place = Path("config/watchlist.yaml")
    store: StoreSettings = StoreSettings()
    schedule: ScheduleSettings = ScheduleSettings()
    http: HttpSettings = HttpSettings()
    delivery: DeliverySettings = DeliverySettings()
    stories: StorySettings = StorySettings()
    trends: TrendSettings = TrendSettings()
    server: ServerSettings = ServerSettings()
    log: LogSettings = LogSettings()
    feeds: list[FeedSource] = Field(default_factory=list)
    folders: list[FolderSource] = Field(default_factory=list)
    channels: list[Channel] = Field(default_factory=list)
    path: Path | None = Field(None, exclude=True, description="the file this was loaded from")
    blank_variables: list[str] = Field(default_factory=list, exclude=True, description="warnings: a ${VAR} set but empty where it matters (_blank_lines)")

    @field_validator("watchlist", mode="before")
    @classmethod
    def _a_watchlist(cls, value: Any) -> Any:
        if isinstance(value, str) and not value.strip():  # Path("") is the working folder
            raise ValueError('empty: give the watchlist file or folder, e.g. "config/watchlist.yaml"')
        if not isinstance(value, str | Path):
            raise ValueError('should be a file or folder in quotes, e.g. "config/watchlist.yaml"')
        return value

    @model_validator(mode="before")
    @classmethod
    def _feed_workers_is_max_in_flight(cls, data: Any) -> Any:
        """[schedule] feed_workers is the old name of [http] max_in_flight: the one set is copied to the other."""
        if not isinstance(data, dict) or not isinstance(data.get("schedule", {}), dict) or not isinstance(data.get("http", {}), dict):
            return data
        schedule, http = data.get("schedule", {}), data.get("http", {})
        if "feed_workers" in schedule and "max_in_flight" in http:
            raise ValueError("schedule.feed_workers is the old name of http.max_in_flight: set only max_in_flight")
        if "feed_workers" in schedule:
            return {**data, "http": {**http, "max_in_flight": schedule["feed_workers"]}}
        value = http.get("max_in_flight", HttpSettings.model_fields["max_in_flight"].default)
        valid = isinstance(value, int) and not isinstance(value, bool) and value >= 1  # else its error is http.max_in_flight's
        return {**data, "schedule": {**schedule, "feed_workers": value if valid else 1}}


def _expand_env(value: Any, path: Path, key: str, blanks: list[tuple[str, str]], channels_unset_ok: bool = False) -> Any:
    """Replace `${VAR}` in every string, registering the values as secrets (with `channels_unset_ok`, an
    unset one in `channels` stays `${VAR}`: a verb that sends nothing needs no channel's secret). Each variable set but
    empty where that leaves a value not meant (see `_blank_lines`) is added to `blanks` as (key, name)."""
    if isinstance(value, dict):
        return {k: _expand_env(v, path, f"{key}.{k}" if key else k, blanks, channels_unset_ok) for k, v in value.items()}
    if isinstance(value, list):
        return [_expand_env(v, path, f"{key}[{i}]", blanks, channels_unset_ok) for i, v in enumerate(value)]
    if not isinstance(value, str):
        return value

    def replace(match: re.Match[str]) -> str:
        name = match.group(1)
        if name not in os.environ and channels_unset_ok and key.startswith("channels["):
            return match.group(0)
        if name not in os.environ:
            raise ConfigError(f"{path}: {key}: environment variable {name} is not set", path=str(path), key=key)
        given = os.environ[name]
        if not given.strip() and (_CHANNEL_URL.fullmatch(key) or value.strip() != match.group(0)):
            blanks.append((key, name))
        if len(given) >= 6 and not given.isdigit():  # ports and flags are not secrets worth masking everywhere
            register_secret(given)
        return given

    if unclosed := _UNCLOSED.search(value):
        raise ConfigError(f"{path}: {key}: {unclosed.group()} has no closing brace: write ${{NAME}} (letters, digits and _)", path=str(path), key=key)
    return _ENV.sub(replace, value)


_CHANNEL_URL = re.compile(r"channels\[(\d+)\]\.url")


def _blank_lines(path: Path, blanks: list[tuple[str, str]], channels: list[Channel]) -> list[str]:
    """A line for each `${VAR}` set but empty (an env file's `HOOK_TOKEN=`) where it leaves a value that still loads
    but is not what was meant: anywhere in a channel's URL (the channel then fails at its first alert), and, in any
    other setting, beside other text (`path = "${DATA}/monitor.db"` is `/monitor.db`). A value that is the variable
    alone says nothing: an empty value may mean something (deploy/container.toml's MONITOR_STORE_URL: the SQLite
    path). `monitor check` and the daemon's start and reloads warn with them."""
    lines = []
    for key, name in dict.fromkeys(blanks):
        if channel := _CHANNEL_URL.fullmatch(key):
            lines.append(f"{path}: {key}: environment variable {name} is set but empty: the channel {channels[int(channel[1])].name!r} "
                         f"has nothing where it stands (a password or token missing?): give it its value, or take ${{{name}}} out of the URL")
        else:
            lines.append(f"{path}: {key}: environment variable {name} is set but empty: the value is read without it "
                         f"(a directory or host missing?): give it its value, or take ${{{name}}} out")
    return lines


def _where(loc: tuple[int | str, ...]) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or "(top level)"


def _unknown_key(loc: tuple[int | str, ...]) -> str:
    """'unknown key', with the nearest key the section knows (a typo) or the keys it takes."""
    model: Any = Settings
    for part in loc[:-1]:
        if isinstance(part, int):
            continue
        annotation = model.model_fields[part].annotation
        model = next((a for a in (getattr(annotation, "__args__", None) or (annotation,)) if isinstance(a, type) and issubclass(a, BaseModel)), None)
        if model is None:
            return "unknown key"
    known = [name for name, field in model.model_fields.items() if not field.exclude]
    elsewhere = [section for section, keys in _section_keys().items() if loc[-1] in keys]
    if elsewhere:
        return f"unknown key here: it belongs in {' or '.join(elsewhere)}"
    near = difflib.get_close_matches(str(loc[-1]), known, n=1, cutoff=0.6)
    return f"unknown key: did you mean {near[0]!r}?" if near else f"unknown key; this section takes {', '.join(known)}"


def _table_kind(loc: tuple[int | str, ...], kind: str) -> str | None:
    """`[feeds]` for `[[feeds]]` (or the reverse) in words; None for any other error."""
    tables = _section_keys()
    if len(loc) == 1 and kind == "list_type" and f"[[{loc[0]}]]" in tables:
        return f"write [[{loc[0]}]] (an array of tables: one [[{loc[0]}]] per entry), not [{loc[0]}]"
    if len(loc) == 1 and kind in ("model_type", "dict_type") and f"[{loc[0]}]" in tables:
        return f"write [{loc[0]}] (one table), not [[{loc[0]}]]"
    return None


def _section_keys() -> dict[str, set[str]]:
    """Each table of monitor.toml (`[schedule]`, `[[feeds]]`, ...) and the keys it takes."""
    tables = {}
    for name, field in Settings.model_fields.items():
        annotation = field.annotation
        for model in getattr(annotation, "__args__", None) or (annotation,):
            if isinstance(model, type) and issubclass(model, BaseModel):
                table = f"[[{name}]]" if getattr(annotation, "__origin__", None) is list else f"[{name}]"
                tables[table] = {key for key, f in model.model_fields.items() if not f.exclude}
    return tables


def load_settings(path: str | Path, *, sends: bool = True) -> Settings:
    """Read, expand and validate a config file; errors name the file and the key. With `sends=False` (a
    verb that sends nothing), an unset `${VAR}` of a channel is no error: the channel keeps it unexpanded."""
    path = Path(path)
    try:
        raw = tomllib.loads(read_config_text(path))
    except FileNotFoundError:
        where = "" if path.is_absolute() else (f" in {Path.cwd()}, the folder monitor runs in (a relative --config is read from there): run monitor "
                                               "from the folder that holds it (the checkout's root for config/monitor.toml), or give --config its absolute path")
        raise ConfigError(f"{path}: config file not found{where}", path=str(path)) from None
    except IsADirectoryError:
        raise ConfigError(f"{path}: a folder, not a config file: give the monitor.toml in it", path=str(path)) from None
    except NotUtf8 as exc:
        raise ConfigError(exc.where(path), path=str(path)) from None
    except tomllib.TOMLDecodeError as exc:  # (a ValueError: before the read's)
        if path.suffix.lower() in (".yaml", ".yml"):  # a first run's mix-up of the two files
            raise ConfigError(f"{path}: not valid TOML: a YAML file (the watchlist?) given as the config: give --config the monitor.toml "
                              "(config/monitor.toml), whose `watchlist` names the watchlist", path=str(path)) from None
        raise ConfigError(f"{path}: not valid TOML: {exc}", path=str(path)) from None
    except (OSError, ValueError) as exc:  # (UnicodeDecodeError is a ValueError)
        raise ConfigError(f"{path}: cannot read config file: {exc}", path=str(path)) from None
    except RecursionError:  # tomllib recurses per level of nesting
        raise ConfigError(f"{path}: not valid TOML: nested too deeply (arrays or tables thousands of levels deep)", path=str(path)) from None
    for name in (name for name, field in Settings.model_fields.items() if field.exclude and name in raw):  # set by the load, not the file
        raise ConfigError(f"{path}: {name}: {_unknown_key((name,))}", path=str(path), key=name)
    blanks: list[tuple[str, str]] = []
    raw = _expand_env(raw, path, "", blanks, channels_unset_ok=not sends)
    try:
        settings = Settings.model_validate(raw)
    except ValidationError as exc:
        err = exc.errors()[0]
        key = _where(tuple(err["loc"]))
        problem = _unknown_key(err["loc"]) if err["type"] == "extra_forbidden" else _table_kind(err["loc"], err["type"]) or said(err) or err["msg"].removeprefix("Value error, ")
        more = f" (and {exc.error_count() - 1} more)" if exc.error_count() > 1 else ""
        raise ConfigError(f"{path}: {key}: {problem}{more}", path=str(path), key=key) from None
    for section, names in (("channels", [c.name for c in settings.channels]), ("feeds", [f.label for f in settings.feeds]), ("folders", [f.label for f in settings.folders])):
        for name in sorted({n for n in names if names.count(n) > 1}):
            raise ConfigError(f"{path}: {section}: {name!r} is listed twice (names must be unique)", path=str(path), key=section)
    for name in sorted({f.label for f in settings.feeds} & {f.label for f in settings.folders}):  # one source in the store: one of them lost
        raise ConfigError(f"{path}: feeds and folders: {name!r} names a feed and a folder (a source's name is its own)", path=str(path), key="feeds")
    for section, places in (("feeds", [f.url for f in settings.feeds]), ("folders", [str(f.path) for f in settings.folders])):
        for place in sorted({p for p in places if places.count(p) > 1}):  # each would be polled (scanned) on its own
            raise ConfigError(f"{path}: {section}: keep one of the two entries of {'url' if section == 'feeds' else 'path'} {redact(place)}", path=str(path), key=section)
    if (elsewhere := _read_from_elsewhere(settings, path)) is not None:
        raise ConfigError(f"{path}: {elsewhere}", path=str(path))
    _register_secrets(settings)
    return settings.model_copy(update={"path": path, "blank_variables": _blank_lines(path, blanks, settings.channels)})


def _read_from_elsewhere(settings: Settings, config: Path) -> str | None:
    """A config given from another folder than the one its relative paths are written from: one of them not found from
    the working folder but from the config's folder or the one above it (`config/monitor.toml` of a checkout), said in
    words with where to run monitor; None otherwise (a path found nowhere is said by what reads it)."""
    places = [("watchlist", settings.watchlist), *([("store.path", settings.store.path)] if not settings.store.url else []),
              *((f"folders[{i}].path", f.path) for i, f in enumerate(settings.folders)),
              *((f"channels[{i}].config", c.config) for i, c in enumerate(settings.channels) if c.config is not None)]
    beside = config.absolute().parent
    for key, place in places:
        if place.is_absolute() or place.exists():
            continue
        for root in (beside, beside.parent):
            if root != Path.cwd() and (root / place).exists():
                return (f"{key}: {place} is not found from {Path.cwd()}, the folder monitor runs in (the config's relative paths are read "
                        f"from there), but from {root}: run monitor there (cd {root}), or write the config's paths absolute")
    return None


def _register_secrets(settings: Settings) -> None:
    """Register the secrets of the feeds' and channels' URLs (those of an Apprise config file's services too) for every
    verb, not only those that build the channels: an error stored before its masking is shown masked (`alerts show`)."""
    for feed in settings.feeds:
        register_feed_secrets(feed.url)
    for channel in settings.channels:
        for url in re.split(r"[\s,]+", channel.url):
            register_url_secrets(url)
        if channel.config is not None:
            try:
                text = read_config_text(channel.config)
            except (OSError, ValueError):
                continue  # `monitor check`, `run` and `once` say what is wrong with it
            for url in re.findall(r"[A-Za-z][A-Za-z0-9+.-]{0,31}://[^\s,\"']+", text):
                register_url_secrets(url)
