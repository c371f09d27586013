"""The site: Starlette routes (GET only) rendering Jinja templates with autoescape on; the store is read
through monitor.store.views. `create_app` builds it; `daemon_site` decides whether `monitor run` serves it."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Sequence
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar
from urllib.parse import quote, unquote

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse, PlainTextResponse, Response
from starlette.routing import BaseRoute, Route
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from monitor.alerts.render import SEVERITY_WORDS
from monitor.errors import ConfigError, StoreError
from monitor.model import Watchlist
from monitor.redact import printable, redact
from monitor.store import signals, sources, views
from monitor.store.db import Database
from monitor.web import chart, text
from monitor.web.auth import ELSEWHERE, Access, access_for, names_loopback

if TYPE_CHECKING:
    from jinja2 import Environment

log = logging.getLogger("monitor")
HERE = Path(__file__).parent
PUBLIC = frozenset({"/site.css", "/favicon.ico"})  # paths served without credentials: the stylesheet and no icon are no secret
COOKIE = "monitor_token"
PARAM_MAX = 6 * 200  # characters of a query parameter kept: a watched name's 200 as a page shows them (a control character written out in 6: `_named`)
T = TypeVar("T")
ID_MAX = 2**31 - 1  # the largest row number of the store's integer keys on PostgreSQL (a larger one in a path is no row, not an overflow)
Spikes = Callable[[str], Sequence[date]]  # more spike days of an actor, beside the spike alerts stored (monitor/escalation.py)


class _Linking(str):
    """A value to print holding an article's own links (`keeping`), whose signature `redact` keeps."""

    links: tuple[str, ...] = ()


def _keeping(value: Any, *links: Any) -> Any:
    if not isinstance(value, str):
        return value
    kept = _Linking(value)
    kept.links = tuple(link for link in links if isinstance(link, str))
    return kept


def _shown(value: Any) -> Any:
    """Every value a page prints, with registered secrets and credentials in URLs masked (an article's own link
    keeps its signature: `keeping`, `link`) and control characters written out as the CLI writes them (a feed
    title's bidi override would reorder the page), then escaped."""
    return printable(redact(value, getattr(value, "links", ())), lines=True) if isinstance(value, str) else value


def _env() -> Environment:
    from jinja2 import Environment, FileSystemLoader, StrictUndefined  # here: `monitor run` serving /metrics only, no site, loads no jinja2

    env = Environment(loader=FileSystemLoader(HERE / "templates"), autoescape=True, undefined=StrictUndefined, trim_blocks=True,
                      lstrip_blocks=True, finalize=_shown)
    env.filters["when"] = lambda t: f"{t:%Y-%m-%d %H:%M}" if isinstance(t, datetime) else "—"
    env.filters["severity"] = lambda n: "—" if n is None else SEVERITY_WORDS.get(n, str(n))
    env.filters["keeping"] = _keeping  # {{ text | keeping(article's link) }}
    env.filters["link"] = lambda url: _keeping(url, url)  # an article's own link, in an href
    return env


class Site:
    """The pages, over one store and the watchlist in use."""

    def __init__(self, db: Database, watchlist: Callable[[], Watchlist], spikes: Spikes = lambda name: ()) -> None:
        self.db, self.watchlist, self.spikes = db, watchlist, spikes
        self.env = _env()
        for name in self.env.list_templates(extensions=["html"]):  # compiled now, not by the first request of each page
            self.env.get_template(name)

    def _feeds_secrets(self) -> None:
        """Register every feed's token, before a page keeping an article's link's signature: the link may carry its feed's
        token as one, and a feed added since the site started (`sources add`, beside `monitor web`) is registered by nothing else."""
        sources.register_feeds_secrets(self.db)

    def _row(self, part: str, page: Callable[[Database, int], T | None]) -> T | None:
        """The page of the row a path's part numbers (an alert's, a story's), its feeds' tokens registered first
        (`_feeds_secrets`); None when the part is no row's number or the row is not there."""
        number = _row_id(part)
        self._feeds_secrets()
        return page(self.db, number) if number is not None and number <= ID_MAX else None

    def page(self, name: str, status: int = 200, **values: Any) -> HTMLResponse:
        return HTMLResponse(self.env.get_template(name).render(**values), status_code=status)

    def missing(self, what: str) -> HTMLResponse:
        return self.page("missing.html", 404, title="Not found", what=what)

    def bad_request(self, why: str) -> HTMLResponse:
        """A 400 page saying in one line which parameter is wrong and what to give."""
        return self.page("bad.html", 400, title="Bad request", why=why)

    def alerts(self, request: Request) -> Response:
        q = _query(request, ("severity", "actor", "event", "tag", "state"))
        if isinstance(q, str):
            return self.bad_request(q)
        if q["severity"] not in ("", *map(str, SEVERITY_WORDS)):
            return self.bad_request(f"severity: give {', '.join(map(str, SEVERITY_WORDS))} (at least that severity) or nothing (any), not '{_cut(q['severity'])}'")
        if q["state"] not in ("", *views.STATES):
            return self.bad_request(f"state: give {', '.join(views.STATES)} or nothing (any), not '{_cut(q['state'])}'")
        severity = int(q["severity"]) if q["severity"] else None
        watchlist = self.watchlist()
        actors, events = sorted(a.name for a in watchlist.actors), sorted(e.name for e in watchlist.events)
        wanted = views.AlertFilter(severity, _named(q["actor"], actors), _named(q["event"], events), q["tag"], q["state"])
        return self.page("alerts.html", title="Alerts", alerts=views.alerts(self.db, wanted), shown=views.ALERTS_SHOWN, wanted=wanted, states=views.STATES,
                         actors=actors, events=events, severities=SEVERITY_WORDS)

    def alert(self, request: Request) -> Response:
        found = self._row(request.path_params["alert_id"], views.alert_page)
        if found is None:
            return self.missing("alert")
        marks = [(f.found, f.kind) for f in found.found]
        hits = [{**h, "pieces": text.pieces(str(h.get("sentence", "")), marks)} for h in found.context.get("hits", []) if isinstance(h, dict)]
        return self.page("alert.html", title=found.detail.title, a=found.detail, context=found.context, hits=hits, found=found.found)

    def stories(self, request: Request) -> Response:
        return self.page("stories.html", title="Stories", stories=views.stories(self.db), shown=views.STORIES_SHOWN)

    def story(self, request: Request) -> Response:
        found = self._row(request.path_params["story_id"], views.story_page)
        if found is None:
            return self.missing("story")
        return self.page("story.html", title=f"Story {found.id}", story=found)

    def actors(self, request: Request) -> Response:
        return self.page("actors.html", title="Actors", actors=sorted(self.watchlist().actors, key=lambda a: a.name.casefold()))

    def actor(self, request: Request) -> Response:
        q = _query(request, ("name",), strip=False)
        if isinstance(q, str):
            return self.bad_request(q)
        name = q["name"]
        actor = next((a for a in self.watchlist().actors if a.name == name), None)
        if actor is None:
            return self.missing("watched actor")
        today = datetime.now(UTC).date()
        since = datetime.combine(today - timedelta(days=89), datetime.min.time(), UTC)
        fired = {when.date() for actor_name, _, when in signals.spike_alerts(self.db, since) if actor_name == name}  # alone or in a pair
        drawn = chart.build(views.actor_days(self.db, name, since), today, 90, fired | set(self.spikes(name)))
        sentences = [(s, text.spans(s.text, s.spans)) for s in views.actor_sentences(self.db, name)]
        return self.page("actor.html", title=name, actor=actor, chart=drawn, sentences=sentences)

    def sources(self, request: Request) -> Response:
        return self.page("sources.html", title="Sources", sources=views.sources(self.db), now=datetime.now(UTC))

    def style(self, request: Request) -> Response:
        return Response((HERE / "templates" / "site.css").read_bytes(), media_type="text/css")

    def icon(self, request: Request) -> Response:
        """No icon: a page of the site names none (`data:`), but a browser asks for one beside a plain-text
        answer (the 401), and would log the refusal as a failed resource."""
        return Response(status_code=204)

    def routes(self) -> list[BaseRoute]:
        return [Route("/", self.alerts), Route("/alerts", self.alerts), Route("/alerts/{alert_id}", self.alert),
                Route("/stories", self.stories), Route("/stories/{story_id}", self.story), Route("/actors", self.actors),
                Route("/actor", self.actor), Route("/sources", self.sources), Route("/site.css", self.style), Route("/favicon.ico", self.icon)]


def _query(request: Request, names: Sequence[str], strip: bool = True) -> dict[str, str] | str:
    """The query's parameters `names` (each cut to PARAM_MAX characters, stripped, "" when absent), or why not in one
    line: one given twice with different values (which would the page have taken?). Other parameters are left alone."""
    values: dict[str, str] = {}
    for name in names:
        given = {value[:PARAM_MAX].strip() if strip else value[:PARAM_MAX] for value in request.query_params.getlist(name)}
        if len(given) > 1:
            return f"{name}: given {len(given)} different values; give it once"
        values[name] = given.pop() if given else ""
    return values


def _cut(value: str) -> str:
    """A value given, as a line quotes it: its first 40 characters (the page escapes and writes out the rest)."""
    return value if len(value) <= 40 else value[:40] + "…"


def _named(value: str, names: Sequence[str]) -> str:
    """The name a filter's value stands for: a select sends its option's text, the name as every page shows it (`_shown`:
    a bidi mark written out, `\\u200f`), not the name itself."""
    return value if value in names else next((name for name in names if _shown(name) == value), value)


def _row_id(part: str) -> int | None:
    """A path's row number, or None when it is none a row has: not digits, or past the store's 64-bit integers
    (Starlette's `int` path type took 23 digits, which SQLite refused, and 5,000, which int() refused: a 500 each)."""
    return int(part) if part.isascii() and part.isdecimal() and len(part) <= 18 else None


class Guard:
    """ASGI middleware: requests without the credentials `access` wants get 401; on an open site (loopback, no
    credentials) a request naming another host than a loopback one gets 403 (`names_loopback`); a store failure is a
    503 page in one line (never a traceback; `_store_failed`)."""

    def __init__(self, app: ASGIApp, access: Access) -> None:
        self.app, self.access = app, access

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and self.access.open and not names_loopback(scope):
            await PlainTextResponse(ELSEWHERE, 403)(scope, receive, send)
            return
        if scope["type"] == "http" and not self.access.open and scope["path"] not in PUBLIC:
            request = Request(scope)
            query_token = _query_token(scope)
            if not self.access.allows(request.headers.get("authorization", ""), query_token or unquote(request.cookies.get(COOKIE, ""))):
                challenge = {"WWW-Authenticate": 'Basic realm="monitor"'} if self.access.basic else {}
                await PlainTextResponse("authentication required: a bearer token (or ?token=) or basic-auth credentials\n", 401,
                                        headers=challenge)(scope, receive, send)
                return
            if query_token:  # the links of the page then work without ?token= (HttpOnly: no script reads it)
                await self.app(scope, receive, _with_cookie(send, query_token))
                return
        await self.app(scope, receive, send)


def _query_token(scope: Scope) -> str:
    """The address's `?token=`, its `+` kept: a base64 token pasted in the address holds `+`, which a query's
    form decoding would read as a space."""
    for part in bytes(scope.get("query_string", b"")).decode("latin-1").split("&"):
        name, _, value = part.partition("=")
        if name == "token":
            return unquote(value)
    return ""


def _with_cookie(send: Send, token: str) -> Send:
    """The token kept in a cookie, percent-encoded: a token may hold any character, a cookie's value not (`;`, a space, `€`)."""
    async def sending(message: Message) -> None:
        if message["type"] == "http.response.start":
            message = {**message, "headers": [*message.get("headers", []),
                                              (b"set-cookie", f"{COOKIE}={quote(token, safe='')}; HttpOnly; SameSite=Strict; Path=/".encode())]}
        await send(message)
    return sending


def _store_failed(access: Access) -> Callable[[Request, Exception], Awaitable[Response]]:
    """The 503 page of a store failure: the reason in full on an open (loopback) site; else its kind only, naming no file
    or database (a visitor with the site's credentials is not the operator), the reason in the log, once while it lasts."""
    said = [""]

    async def failed(request: Request, exc: Exception) -> Response:
        if access.open:
            return PlainTextResponse(f"store unavailable: {exc}\n", 503)
        if str(exc) != said[0]:
            said[0] = str(exc)
            log.warning("web view answers 503: store unavailable: %s", exc)
        return PlainTextResponse("store unavailable (in full: the log of the monitor serving this site)\n", 503)
    return failed


async def _not_found(request: Request, exc: Exception) -> Response:
    return PlainTextResponse("not found\n", 404)


async def not_allowed(request: Request, exc: Exception) -> Response:
    """A method other than GET or HEAD: every route of the site and of the daemon's server is read-only."""
    return PlainTextResponse(f"method not allowed: {request.method[:20]} (this server answers GET and HEAD only)\n", 405, headers={"Allow": "GET, HEAD"})


def create_app(db: Database, watchlist: Callable[[], Watchlist], access: Access, extra: Sequence[Route] = (), spikes: Spikes = lambda name: ()) -> ASGIApp:
    """The site (and `extra` routes, open to all: the daemon's /healthz and /metrics) as one ASGI app (its security
    headers are the server's, on every answer: monitor/web/serve.py's HEADERS)."""
    site = Site(db, watchlist, spikes)
    handlers: dict[Any, Callable[[Request, Exception], Awaitable[Response]]] = {StoreError: _store_failed(access), 404: _not_found, 405: not_allowed}
    guarded = Guard(Starlette(routes=site.routes(), exception_handlers=handlers), access)
    return beside(extra, guarded) if extra else guarded


def beside(routes: Sequence[Route], rest: ASGIApp) -> ASGIApp:
    """`routes` (GET) for their paths, whatever the method (a POST to one is a 405, not a page of `rest`: a catch-all
    Mount behind them took what Starlette's router had matched only in part), and `rest` for every other path."""
    own = Starlette(routes=list(routes), exception_handlers={405: not_allowed})
    paths = {route.path for route in routes}

    async def serving(scope: Scope, receive: Receive, send: Send) -> None:
        await (own if scope["type"] == "http" and scope["path"] in paths else rest)(scope, receive, send)
    return serving


def daemon_access(host: str) -> Access | None:
    """The access `monitor run` serves the site with beside /healthz and /metrics; None (site off, said in
    one line) on a non-loopback address without credentials, or with credentials half set: health and metrics are
    served as before."""
    try:
        access = access_for(host)
    except ConfigError as exc:
        log.warning("web view not served on %s: %s; /healthz and /metrics are served", host, exc)
        return None
    if access is None:
        log.warning("web view not served on %s (not a loopback address): set MONITOR_WEB_TOKEN, or MONITOR_WEB_USER and "
                    "MONITOR_WEB_PASSWORD, to serve it there; /healthz and /metrics are served", host)
    return access
