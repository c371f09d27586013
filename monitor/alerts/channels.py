"""Apprise at one edge: channel validation, sending, and the offline `console://` schema.

`console://local?file=var/alerts.jsonl` prints each alert to the terminal and appends it as one
JSON line to the file: the embedded default channel, which needs no network.

An alert's severity is Apprise's notify type (`notify_type`); `json://` and `console://` receivers
get the alert's data as fields beside title and body (`alert_fields`). Titles and bodies are cut,
with an ellipsis, to what the channel's Apprise plugin takes (its `title_maxlen`, `body_maxlen`).
"""

from __future__ import annotations

import ast
import contextlib
import errno
import functools
import hashlib
import html
import json
import os
import logging
import queue
import re
import sys
import threading
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

import apprise
from apprise.decorators import notify

from monitor import metrics
from monitor.alerts import plugins
from monitor.alerts.cutoff import cut_off_after
from monitor.errors import ConfigError, DeliveryError
from monitor.owners import owner_and_mode, user_name
from monitor.redact import MASK, printable, redact, register_url_secrets, url_secrets
from monitor.alerts.templates import ChannelTemplates
from monitor.settings import Channel

log = logging.getLogger(__name__)
# Apprise's debug lines (a socket's error, a server's answer) are what a failure's reason is made of: each send keeps
# those of its own call (`notify(log_level=...)`); logs.setup keeps them out of the daemon's log.
logging.getLogger("apprise").setLevel(logging.DEBUG)


def _console(body: str, title: str, notify_type: str, meta: dict[str, Any], *args: Any, **kwargs: Any) -> bool:
    """Append the alert to the JSON-lines file named by `?file=`, then print it (control characters from feeds written
    out, so no escape reaches the terminal). A file that cannot be written fails the send, printed nothing (the retry
    prints it once); the terminal is the operator's glance, not the record: a closed one fails nothing."""
    target = (meta.get("qsd") or {}).get("file")
    if target:
        record = {"time": datetime.now(UTC).isoformat(), "type": notify_type, "title": title, "body": body}
        record |= {k: v for k, v in (meta.get("payload") or {}).items() if k not in record}  # the alert's fields
        try:
            path = Path(target)
            path.parent.mkdir(parents=True, exist_ok=True)
            _append_line(path, (json.dumps(record, ensure_ascii=False) + "\n").encode("utf-8"))
        except OSError as exc:  # (said as Apprise's plugins say theirs: the failure's reason, `failure_reason`)
            why = "it is a named pipe that no process reads" if exc.errno == errno.ENXIO else exc
            logging.getLogger("apprise").debug("Exception: cannot write %s: %s", target, why)
            return False
    shown = "\n".join(printable(line) for line in f"=== ALERT {title}\n{body}".split("\n"))
    _TERMINAL.show(f"\n{shown}\n")
    return True


class _Terminal:
    """Standard output, written by a thread of its own: a terminal that takes nothing (`monitor run | less`, paused; a
    log collector that hangs) holds that thread alone. A send waits PRINT_WAIT at most for its alert to be printed (none
    when others wait before it); past PRINT_BEHIND alerts waiting, one more is in the file only (the terminal is the
    operator's glance, not the record): the first of a burst says so (a warning), and once the terminal takes lines
    again one line says how many were not printed (`monitor_console_unprinted_total` counts them)."""

    def __init__(self) -> None:
        self.waiting: queue.Queue[tuple[str, threading.Event]] = queue.Queue(maxsize=PRINT_BEHIND)
        self.lock = threading.Lock()
        self.thread: threading.Thread | None = None
        self.unprinted = 0  # alerts not printed since the terminal last took every line waiting

    def show(self, text: str) -> None:
        printed = threading.Event()
        with self.lock:
            if self.thread is None or not self.thread.is_alive():  # (started at the first alert, again after a fork)
                self.thread = threading.Thread(target=self._print, name="console-channel", daemon=True)
                self.thread.start()
        ahead = self.waiting.qsize()  # (alerts not printed yet: the terminal takes nothing now, no use waiting)
        try:
            self.waiting.put_nowait((text, printed))
        except queue.Full:
            metrics.CONSOLE_UNPRINTED.inc()
            with self.lock:
                self.unprinted += 1
                first = self.unprinted == 1
            if first:
                log.warning("console channel: the terminal takes nothing (%d alerts wait to be printed): the next ones are not printed "
                            "until it does (each is in the store, `monitor alerts`, and in the channel's file if it has one)", PRINT_BEHIND)
            return
        if not ahead:
            printed.wait(PRINT_WAIT)

    def _print(self) -> None:
        while True:
            text, printed = self.waiting.get()
            with contextlib.suppress(OSError, ValueError):  # (a closed or broken standard output)
                sys.stdout.write(text)
                sys.stdout.flush()
            printed.set()
            if self.waiting.empty():
                with self.lock:
                    unprinted, self.unprinted = self.unprinted, 0
                if unprinted:
                    log.warning("console channel: the terminal takes lines again; %d alert%s not printed while it took nothing "
                                "(in the store, `monitor alerts`, and in the channel's file if it has one)", unprinted,
                                "s were" if unprinted != 1 else " was")


PRINT_WAIT = 1.0  # seconds a console send waits for its alert to be printed
PRINT_BEHIND = 100  # alerts waiting to be printed, at most
_TERMINAL = _Terminal()


def _append_line(path: Path, line: bytes) -> None:
    """Append one whole line, or nothing: a write cut short by a full disk is taken back (the file cut to its
    size before), so the retry's line is not glued to half of this one. A named pipe no process reads is not waited
    for (ENXIO): it would hold the channel's thread for good."""
    with os.fdopen(os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT | os.O_NONBLOCK, 0o666), "ab", buffering=0) as fh:
        start = fh.seek(0, os.SEEK_END)
        try:
            written = 0
            while written < len(line):
                written += fh.write(line[written:]) or 0
        except OSError:
            fh.truncate(start)
            raise


plugins.add_custom("console", lambda: notify(on="console", name="monitor offline console")(_console))


# Severity -> Apprise notify type; a digest (no severity) is info. `success` is not used: no alert is good news.
NOTIFY_TYPES = {0: apprise.NotifyType.INFO, 1: apprise.NotifyType.INFO, 2: apprise.NotifyType.WARNING, 3: apprise.NotifyType.FAILURE}
STRUCTURED = {"json", "jsons", "console"}  # schemas whose receivers get the alert's fields
PASSED_ON = {"json", "jsons", "xml", "xmls", "form", "forms"}  # schemas that pass a URL parameter on only as `-key=value`
TITLE_MAX, BODY_MAX = 250, 32768  # Apprise's own defaults (NotifyBase), for a channel that names no plugin
SEND_SECONDS = 60.0  # a send's bound unless the dispatcher gives one (half the default lease)


def notify_type(severity: int | None) -> apprise.NotifyType:
    """info below severity 2, warning at 2, failure at 3 and above."""
    return apprise.NotifyType.INFO if severity is None else NOTIFY_TYPES[min(max(severity, 0), 3)]


def alert_fields(context: dict[str, Any]) -> dict[str, Any]:
    """The alert's data as JSON fields: its kind (article, spike, silent, back), uid, severity, actors, events, the
    sentence, url, story, source, and the earlier alert a follow-up follows."""
    hits = context.get("hits") or []
    texts = {"sentence": hits[0].get("sentence") if hits else None, "url": context.get("url"), "story": context.get("story"), "source": context.get("source")}
    return {
        "kind": context.get("kind") or ("article" if hits else None), "uid": context.get("uid"), "severity": context.get("severity"),
        "actors": context.get("actors", []), "events": context.get("events", []),
        **{k: redact(v, links_of(context)) if isinstance(v, str) else v for k, v in texts.items()},  # secrets masked (a private feed's token in a link)
        "follow_up": context.get("follow_up"),
    }


def links_of(context: dict[str, Any] | None) -> tuple[str, ...]:
    """The article's own link, whose signature `redact` keeps (a signed link masked opens nothing)."""
    url = (context or {}).get("url")
    return (url,) if isinstance(url, str) else ()


def digest_fields(uids: list[str]) -> dict[str, Any]:
    """A digest's JSON fields: the alert fields' names (none of one alert's), its kind and the ids of the alerts it carries."""
    return {"kind": "digest", "uid": None, "severity": None, "actors": [], "events": [], "sentence": None, "url": None, "story": None,
            "source": None, "follow_up": None, "alerts": uids}


def capped(text: str, limit: int) -> str:
    """The text, or its first `limit` characters ending in an ellipsis."""
    return text if len(text) <= limit else text[: max(limit - 1, 0)].rstrip() + "…"


def limits(app: apprise.Apprise) -> tuple[int, int, bool]:
    """(title, body, whether the title goes into the body): the most any of the channel's services takes."""
    servers = list(app)
    if not servers:
        return TITLE_MAX, BODY_MAX, False
    body = max(int(s.body_maxlen) for s in servers)
    titled = [int(s.title_maxlen) for s in servers if s.title_maxlen > 0]
    return (max(titled), body, False) if titled else (body, body, True)


def _schema(url: str) -> str:
    return url.partition("://")[0].lower()


def _asset() -> apprise.AppriseAsset:
    """Apprise's settings for a channel's services: no limit of its own per service (its default gives up on one after 60 s):
    a send's one bound is the time `Notifier.send` is given, half `[delivery] lease_seconds`."""
    return apprise.AppriseAsset(service_timeout=0)


def _apprise_for(channel: Channel, fields: dict[str, Any] | None = None) -> apprise.Apprise:
    asset = _asset()
    app = apprise.Apprise(asset=asset)
    if channel.url:
        urls: list[str | dict[str, Any]] = list(plugins.parse_urls(channel.url))  # (Apprise takes several, comma-separated)
        for each in [channel.url, *urls]:  # each URL's secrets and schema, not only the first's
            assert isinstance(each, str)
            register_url_secrets(each)
            plugins.need(each)
        for n, each in enumerate(urls):
            if fields and isinstance(each, str) and _schema(each) in STRUCTURED:  # as `:key=value` in the URL would, typed
                parsed = apprise.plugins.url_to_dict(each)
                if parsed:
                    urls[n] = parsed | {"payload": fields | (parsed.get("payload") or {})}
        if not urls or not app.add(urls):
            # the URL Apprise refuses, of several (comma-separated)
            bad = next((each for each in urls if isinstance(each, str) and not apprise.Apprise().add(each)), channel.url)
            raise ConfigError(f"channel {channel.name!r}: Apprise does not understand the URL {redact(bad)}: {url_hint(bad)}", key=f"channels.{channel.name}")
    if channel.config is not None:
        if channel.url:  # the URL would take every alert, the tags unread (a config file routes inside)
            raise ConfigError(f"channel {channel.name!r}: give a url or a config file, not both (two channels if both are meant)", key=f"channels.{channel.name}")
        if not channel.config.is_file():
            raise ConfigError(f"channel {channel.name!r}: Apprise config file {channel.config} not found", key=f"channels.{channel.name}")
        plugins.need()  # a config file may name any schema
        config = apprise.AppriseConfig(asset=asset)
        config.add(str(channel.config))
        app.add(config)
        if len(app) == 0:
            why = _config_problem(str(channel.config))
            raise ConfigError(f"channel {channel.name!r}: no usable URL in Apprise config {channel.config}" + (f" (Apprise: {why})" if why else ""),
                              key=f"channels.{channel.name}")
        for service in app:  # masked like a `url`'s: a failure's words can quote a webhook's path or a password
            register_url_secrets(str(service.url(privacy=False)))
    if not channel.url and channel.config is None:
        raise ConfigError(f"channel {channel.name!r}: needs a url or a config file", key=f"channels.{channel.name}")
    return app


def _config_problem(path: str) -> str:
    """Why Apprise found no service in a config file, in its own words (a file over its 128 KB, not UTF-8, unreadable,
    a line it cannot parse), read again with its log caught (a file with no URL says nothing)."""
    with apprise.LogCapture(level=logging.WARNING) as said:
        config, app = apprise.AppriseConfig(), apprise.Apprise()
        config.add(path)
        app.add(config)
        len(app)  # (the file is read now)
    lines = [line.split(" - ", 2)[-1].strip() for line in said.getvalue().splitlines() if " - " in line]
    return redact("; ".join(dict.fromkeys(lines)))[:500]


def url_hint(url: str) -> str:
    """What to do about a URL Apprise refused: the schema it does not know (and the nearest it does), or its page."""
    schema = url.partition("://")[0].lower() if "://" in url else ""
    known = plugins.known_schemas()
    if schema not in known:
        from difflib import get_close_matches  # only to name a misspelt schema

        near = get_close_matches(schema, known, n=3, cutoff=0.6)
        also = f"did you mean {', '.join(s + '://' for s in near)}? " if near else ""
        return f"no Apprise service is called {schema + '://' if schema else 'that'}; {also}the services and their URLs: https://github.com/caronc/apprise/wiki"
    return f"{schema}:// is known but this URL lacks or misspells a part it needs: see https://github.com/caronc/apprise/wiki and search for {schema}://"


def describe(channel: Channel) -> str:
    """The channel as it may be printed: secrets masked."""
    if channel.config is not None:
        return f"{channel.name}: Apprise config {channel.config}"
    app = _apprise_for(channel)
    return f"{channel.name}: " + ", ".join(redact(s.url(privacy=True)) for s in app)


def unwritable_files(channel: Channel) -> list[str]:
    """The `console://` files of a channel this user may not write (nor make, for want of writing in the folder it
    would be made in: another user's checkout), in one line each with what to do; its sends would all fail."""
    problems = []
    for each in plugins.parse_urls(channel.url or ""):
        target = parse_qs(urlsplit(each).query).get("file") if _schema(each) == "console" else None
        if not target:
            continue
        path = Path(target[0])
        place = path if path.exists() else next((p for p in path.parents if p.exists()), Path("."))
        if not os.access(place, os.W_OK | (os.X_OK if place.is_dir() else 0)):
            me, (owner, mode) = user_name(os.geteuid()), owner_and_mode(place)
            where = f"in {place.absolute() if place == Path('.') else place} ({owner}'s, mode {mode})" if place.is_dir() else "it"
            problems.append(f"channels[{channel.name}].url: cannot write {path}: this user, {me}, may not write {where}: give file= another path, "
                            f"or run monitor as {owner}")
    return problems


def dropped_parameters(channel: Channel) -> list[str]:
    """What a channel's json://, xml:// or form:// URL says that Apprise drops: a URL parameter it has no meaning for
    (`?token=...`) never reaches the receiver, which takes it only as `-token=...` (Apprise's own syntax)."""
    dropped = []
    for each in plugins.parse_urls(channel.url or ""):
        plugins.need(each)
        service = apprise.Apprise.instantiate(each) if _schema(each) in PASSED_ON else None
        known = set(getattr(service, "template_args", {}))
        keys = dict.fromkeys(unquote(part.partition("=")[0]) for part in urlsplit(each).query.split("&") if part)
        dropped += [f"channel {channel.name!r}: Apprise drops the URL parameter {key!r} of {_schema(each)}://: write ?-{key}=... for the "
                    f"receiver to get it" for key in keys if service is not None and key[:1] not in "+-:" and key.lower() not in known]
    return dropped


def route(channels: list[Channel], tags: tuple[str, ...]) -> tuple[str, ...]:
    """Names of the channels an alert with these tags goes to (an Apprise config file's: where one of its services
    has one of them, or is tagged `always`; it routes inside)."""
    return tuple(c.name for c in channels if (takes := channel_tags(c)) is None or takes & ({t.lower() for t in tags} if c.config else set(tags)))


def channel_tags(channel: Channel) -> frozenset[str] | None:
    """The tags of the alerts a channel takes: its own, or its Apprise config file's services' as the file is now (read
    again once its modification time, size or inode changed). None: every alert (a service tagged `always`); so does a
    file that cannot be read (its sends then say why they fail)."""
    if channel.config is None:
        return frozenset(channel.tags)
    try:
        found = channel.config.stat()
        return _file_tags(str(channel.config), found.st_mtime_ns, found.st_size, found.st_ino)
    except (OSError, ConfigError):
        return None


@functools.lru_cache(maxsize=64)
def _file_tags(path: str, _mtime_ns: int, _size: int, _inode: int) -> frozenset[str] | None:
    plugins.need()  # a config file may name any schema
    config = apprise.AppriseConfig()
    config.add(path)
    app = apprise.Apprise()
    app.add(config)
    tags = {str(tag).lower() for service in app for tag in service.tags}
    return None if apprise.common.MATCH_ALWAYS_TAG in tags else frozenset(tags)


def not_configured(channel_name: str) -> str:
    """Why an alert to a channel taken out of the config is given up, and what to do."""
    return f"channel {channel_name!r} is no longer configured (put it back in the config, then `monitor alerts retry` the alert)"


class Notifier:
    """Sends one message to one named channel, raising DeliveryError with Apprise's reason."""

    def __init__(self, channels: list[Channel]) -> None:
        self.channels = {c.name: c for c in channels}
        self.templates = {c.name: ChannelTemplates(c.name, c.title_template, c.body_template, c.format == "html") for c in channels}
        for channel in channels:
            _apprise_for(channel)  # validate at start-up, not at the first alert

    def body_max(self, channel_name: str, title: str) -> int:
        """The most characters of a body the channel takes with this title (a digest is written to fit)."""
        try:
            _, body_max, folded = limits(_apprise_for(self.channels[channel_name]))
        except ConfigError:  # (its Apprise config file broken since the start: the send says so)
            _, body_max, folded = TITLE_MAX, BODY_MAX, False
        return max(body_max - (len(title) + 2 if folded else 0), 1)

    def send(self, channel_name: str, title: str, body: str, tags: tuple[str, ...] = (), context: dict[str, Any] | None = None,
             fields: dict[str, Any] | None = None, done: frozenset[str] = frozenset(), within: float = SEND_SECONDS) -> str | None:
        """Send one message; with `context`, the channel's templates (if any) write it; `fields`: JSON receivers' fields
        of a message with no alert context (a digest's). Returns None, or, for a mail some recipients took and the server
        refused to others, what was refused: sent again, it would reach the first again.

        A channel of several services (an Apprise config file) is sent to on those not in `done` (their `service_ids`:
        they took it at an earlier try); a failure's DeliveryError names in `took` those that took it this time.

        The send ends within `within` seconds (and a moment): its connections are then cut (`cutoff`), and it fails; a
        connection that took more than `cutoff.ANSWER_BYTES` is read no further (its answer ends there)."""
        channel = self.channels.get(channel_name)
        if channel is None:
            raise DeliveryError(not_configured(channel_name), channel=channel_name)
        if context:
            title, body = self.templates[channel_name].render(context, title, body)
        # feed text's control characters written out and secrets masked, as on the terminal and the web view: a bidi
        # override would reverse the rest of a mail's subject line, a private feed's token rides in its items' links
        # (the typed fields stay data)
        title, body = printable(redact(title, links_of(context))), printable(redact(body, links_of(context)), lines=True)
        # a fresh object: no throttle carried over from the previous message
        try:
            app = _apprise_for(channel, alert_fields(context) if context else fields)
        except ConfigError as exc:  # an Apprise config file emptied, half-written or removed since the start: tried again later
            raise DeliveryError(f"{exc} (it was usable when the config was loaded: edited or removed since?)", channel=channel_name) from exc
        tag = list(tags) if channel.config is not None and tags else None
        ids = service_ids(app)
        if done:  # only the services that have not taken it (Apprise's own tag and priority rules hold among them)
            left = [s for s in app.find(tag=tag if tag is not None else apprise.common.MATCH_ALL_TAG) if ids[id(s)] not in done
                    and not (_is_mail(s) and not _mail_left(s, done))]  # (a mail: its recipients that took it left out)
            app = apprise.Apprise(asset=_asset())
            app.add(left)
            if not left:
                return None
        title_max, body_max, folded = limits(app)
        title = capped(title, title_max)
        body = capped(body, max(body_max - (len(title) + 2 if folded else 0), 1))
        html = channel.format == "html" and bool(context) and bool(channel.body_template)
        body_format = apprise.NotifyFormat.HTML if html else apprise.NotifyFormat.TEXT
        kind = notify_type(context.get("severity") if context else None)
        # the call's own log (Apprise keeps it per call: a send on another thread, to another channel, is not in it)
        with cut_off_after(within) as cut:
            # A channel of one service is sent to on this thread (Apprise runs a call with no time limit of its own there):
            # on Apprise's shared pool (six workers on two cores) it waited behind the sends of six channels that hang,
            # and was cut off unsent. The cut-off bounds it (its connections shut down, its name lookups given up). A
            # channel of several services runs them on that pool, Apprise told to stop waiting a second after the cut.
            result = app.notify(title=title, body=body, notify_type=kind, body_format=body_format, tag=tag, log_level=logging.DEBUG,
                                timeout=0 if len(app) == 1 else within + 1)
        if result:
            return None
        if result.status == apprise.AppriseResultStatus.NOMATCH and channel.config is not None:  # (the file changed since it was routed)
            raise DeliveryError(f"channel {channel_name!r}: no service of its Apprise config {channel.config} has the alert's tags ({', '.join(tags)})",
                                channel=channel_name)
        captured = "\n".join(f"{entry.time:%H:%M:%S} - {entry.level} - {' '.join(entry.message.split())}" for entry in result.logs())  # an entry a line
        reason = redact(failure_reason(captured))
        mail = mailed_to(app, result)
        if mail.refusals:  # (the plugin's last word names the message, not the recipient the server refused)
            reason = one_line(redact("; ".join(dict.fromkeys(mail.refusals))), CAUSE_MAX // 2) + f"; {reason}"
        if why := cut():
            reason = f"{why}: monitor cut the connection (Apprise then said: {reason})"
        elif mail.for_good:  # sent again, it would reach those that took it again, and the others refuse it for good
            return f"sent to {redact(', '.join(mail.took.values()))}; refused: {reason}"
        took = took_it(app, result, ids)
        if took:  # (of an Apprise config file's several services)
            tried = len(result.results)  # the services the alert's tags chose
            reason += f" ({len(took)} of {tried} services took it: a retry goes to the other{'s' if tried - len(took) != 1 else ''} only)"
        if mail.took:  # (of a mail's several recipients)
            took += tuple(mail.took)
            reason += f" (sent to {redact(', '.join(mail.took.values()))}: a retry goes to the other recipients only)"
        raise DeliveryError(f"channel {channel_name!r}: {reason}", channel=channel_name, took=took)


def _digest(text: str) -> str:
    """How the outbox keeps what took a delivery (a service, a mail recipient): 16 hex digits of the text's SHA-256."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def service_ids(app: apprise.Apprise) -> dict[int, str]:
    """The channel's services (by `id()`) named for the outbox: a hash of each one's URL with its secrets masked and its
    rank among the channel's services alike under the mask (the same across restarts and daemons while its line is
    unchanged or only its secret is; the store holds nothing computed from a password or token: none to guess offline)."""
    seen: Counter[str] = Counter()
    ids: dict[int, str] = {}
    for service in app:
        url = str(service.url(privacy=False))
        for secret in sorted(url_secrets(url), key=len, reverse=True):
            url = url.replace(secret, MASK)
        ids[id(service)] = _digest(f"{url}#{seen[url]}")
        seen[url] += 1
    return ids


def took_it(app: apprise.Apprise, result: Any, ids: dict[int, str]) -> tuple[str, ...]:
    """The `service_ids` of the services a notify that failed as a whole got through to (a service is matched to its
    result by its masked URL: of services alike under the mask, none is counted unless all took it)."""
    outcomes: dict[str, list[bool]] = {}
    for each in result:
        outcomes.setdefault(each.url, []).append(bool(each))
    return tuple(ids[id(s)] for s in app if all(outcomes.get(s.url(privacy=True), [False])))


MAIL = {"mailto", "mailtos"}  # Apprise's mail plugin's schemas: it mails each recipient of `to=` in turn
_SENT_MAIL = "Sent Email to "  # what it logs of each recipient that took the message


def _is_mail(service: Any) -> bool:
    return _schema(str(service.url(privacy=True))) in MAIL and isinstance(getattr(service, "targets", None), list)


def recipient_id(address: str) -> str:
    """A mail recipient as the outbox keeps it when its mail service failed as a whole: a hash of the address
    (`to:hash`, never a service's id), the same whatever the channel's URL or file says around it (a recipient added
    between two tries, another SMTP server): a recipient that took the alert never gets it again from the channel."""
    return f"to:{_digest(address.strip().lower())}"


def _mail_left(service: Any, done: frozenset[str]) -> bool:
    """Leave out of a mail service's recipients (Apprise's `targets`, (name, address) pairs, and its `cc`, `bcc` sets)
    those that took the message at an earlier try; whether any is left. Once some took it, each left gets a message of
    its own (a cc's among them: the message to its `to=`, whom it went with, is not sent again)."""
    everyone = {str(t[1]) for t in service.targets} | set(service.cc) | set(service.bcc)
    if not any(recipient_id(address) in done for address in everyone):
        return True
    to = [t for t in service.targets if recipient_id(str(t[1])) not in done]
    kept = {str(t[1]) for t in to}
    service.targets = to + [(False, a) for a in sorted(set(service.cc) | set(service.bcc)) if recipient_id(a) not in done and a not in kept]
    service.cc, service.bcc = set(), set()
    return bool(service.targets)


_REFUSED = re.compile(r"^SMTP recipient (.+?) was refused: (\d{3}) ")  # the mail plugin's warning for one refused of a message's several
_FAILED_MAIL = re.compile(r'^Sending email to "(.+)" failed\.$')
_SMTP_CODE = re.compile(r"\((\d{3}), b?['\"]")  # smtplib's refusal of all of a message's recipients: {'a@b': (550, b'5.1.1 ...')}


@dataclass(frozen=True)
class Mailed:
    """What a notify that failed as a whole says of its mail services' messages (Apprise mails each `to=` in turn, each
    with the `cc=` and `bcc=`): the recipients that took one (`recipient_id` -> address), the refusals of some of a
    message's recipients as the plugin logged them, and whether every message that failed was refused for good (5xx)
    while some went (sent again, it would reach those that took it again; none of the others would take it)."""

    took: dict[str, str]
    refusals: list[str]
    for_good: bool


def mailed_to(app: apprise.Apprise, result: Any) -> Mailed:
    """The mail messages of a notify that failed as a whole (another was refused, for now or for good, or the send was
    cut off): a retry mails the recipients that did not take it only."""
    services: dict[str, list[Any]] = {}
    for each_service in app:
        if _is_mail(each_service):
            services.setdefault(str(each_service.url(privacy=True)), []).append(each_service)
    took: dict[str, str] = {}
    refusals: list[str] = []
    for_good = True
    for each in result:
        if bool(each):
            continue
        if each.url not in services:
            for_good = False  # (another service failed)
            continue
        alike = services[each.url]
        service = alike[0] if len(alike) == 1 else None  # (of services alike under the mask, only their `to=` counts)
        refused: set[str] = set()
        codes: list[int] = []
        failed_messages = 0
        for entry in each.logs():
            if found := _REFUSED.match(entry.message):
                refused.add(found.group(1))
                codes.append(int(found.group(2)))
                refusals.append(entry.message)
                continue
            codes += [int(code) for code in _SMTP_CODE.findall(entry.message)]
            went: set[str] = set()
            if entry.message.startswith(_SENT_MAIL):
                went = _message_to(service, entry.message[len(_SENT_MAIL):].strip())
            elif failed := _FAILED_MAIL.match(entry.message):
                failed_messages += 1
                went = _message_to(service, failed.group(1)) - refused if refused else set()
                for_good = for_good and bool(codes) and min(codes) >= 500
            elif entry.level in ("WARNING", "ERROR"):  # (a connection's failure: no message went)
                for_good = False
                continue
            else:
                continue
            took |= {recipient_id(address): address for address in sorted(went)}
            refused, codes = set(), []
        for_good = for_good and failed_messages > 0
    return Mailed(took, refusals, for_good and bool(took))


def _message_to(service: Any, to: str) -> set[str]:
    """The addresses the mail plugin's message to `to` goes to: `to`, the service's cc's and bcc's."""
    return {to} | ((set(service.cc) | set(service.bcc)) if service is not None else set())


CAUSE_MAX = 260  # Apprise's words for a failure, at most (its warning and the detail); the error adds the channel and what took it


def failure_reason(captured: str) -> str:
    """Apprise's own words for a failure, on one line of at most CAUSE_MAX characters, secrets masked: its last warning,
    and the last exception or response detail in words (a connection error's cause, not urllib3's chain around it; an
    answer's text, not its bytes' literal nor its HTML), in the room the warning leaves, its start and end kept."""
    lines = [line.split(" - ", 2)[-1].strip() for line in captured.splitlines() if " - " in line]
    levels = [line.split(" - ", 2)[1] if line.count(" - ") >= 2 else "" for line in captured.splitlines() if " - " in line]
    warnings = [text for text, level in zip(lines, levels) if level in ("WARNING", "ERROR")]
    details = [text for text in lines if text.startswith(("Socket Exception", "Response Details", "Exception"))
               and text.partition(":")[2].strip() not in ("", "b''", "''")]  # (not an empty answer's heading)
    warning = one_line(redact(warnings[-1]), CAUSE_MAX // 2) if warnings else ""
    detail = _detail(details[-1], CAUSE_MAX - len(warning) - 2) if details else ""
    return "; ".join(dict.fromkeys(text for text in (warning, detail) if text)) or "Apprise reported failure"


def one_line(text: str, limit: int) -> str:
    """The text's words on one line, cut to `limit` characters with an ellipsis (mask its secrets first: a cut may halve one)."""
    return capped(" ".join(text.split()), limit)


_CAUSED_BY = re.compile(r"\(Caused by (.+)\)$")  # urllib3's MaxRetryError: the pool, the URL, then the error that ended the tries
_WRAPPED = re.compile(r"\w+\((.*)\)")  # NewConnectionError("..."), SSLError(SSLCertVerificationError(1, '...'))
_ARGS_BEFORE = re.compile(r"^(?:-?\d+, |<[^<>]*>, )?['\"]?(?:[\w.]+\([^()]*\): |<[^<>]*>: )?")  # an errno or connection, a quote, the connection it names
_TAG = re.compile(r"<[^<>]*>")
ANSWER_LOGGED = 2000  # the bytes of an answer Apprise's plugins log ("Response Details:\r\n%r", (r.content or b"")[:2000])
_HTML_AROUND = re.compile(r"<(head|script|style)\b.*?</\1\s*>|<[^<>]*>", re.S | re.I)


def _detail(text: str, room: int) -> str:
    """An Apprise detail line ('Socket Exception: ...', 'Response Details: b\'...\'') in plain words, secrets masked, cut to
    `room` characters in its middle: its start (the page's heading, the file) and its end (the error's cause) kept."""
    head, _, said = text.partition(":")
    said, whole = said.strip(), True
    if head == "Response Details":
        said, whole = _answer_text(said)
    elif caused := _CAUSED_BY.search(said):
        said = caused.group(1)
        while wrapped := _WRAPPED.fullmatch(said):
            said = wrapped.group(1)
        said = _ARGS_BEFORE.sub("", said).rstrip("'\"")
    line = printable(" ".join(f"{head}: {redact(said)}".split()))  # (a decoded answer's terminal escapes written out, as its literal had them)
    if len(line) <= room:
        return line
    if not whole:  # (its end is where Apprise cut it, maybe inside a secret the mask then misses: not shown)
        return capped(line, room)
    return line[: room // 2 - 1].rstrip() + " … " + line[len(line) - (room - room // 2 - 2):].lstrip()


def _answer_text(literal: str) -> tuple[str, bool]:
    """A receiver's answer as Apprise logs it (the repr of its first ANSWER_LOGGED bytes) in words: decoded, an HTML page's
    text; and whether it is whole (not cut by Apprise)."""
    try:
        answer = ast.literal_eval(literal)
    except (ValueError, SyntaxError, MemoryError, RecursionError):
        return literal, False
    text = answer.decode("utf-8", "replace") if isinstance(answer, bytes) else str(answer)
    if re.search(r"<[a-zA-Z!/]", text):  # markup: its text (the page's head left out: its title is the heading's again)
        words = _HTML_AROUND.sub(" ", text)
        text = html.unescape(words if words.strip() else _TAG.sub(" ", text))
    return text, len(answer) < ANSWER_LOGGED
