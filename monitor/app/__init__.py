"""The application façade: one method per `monitor` verb, as sqlite-utils keeps its library under a
thin CLI. `cli.py` parses arguments, calls an `App` method and prints what it returns; nothing here
prints. The database is opened here and only here (`App.db`), once per App.

Split by theme, so that no module passes 300 lines: `app/store.py` (alerts, stories, mutes, prune,
backup, schema revisions), `app/sources.py` (the source list, read-only, and the source verbs),
`app/check.py` (`monitor check`, `match`, `eval`), `app/trends.py` (`monitor trends`), `app/status.py`
(`monitor status`: the daemons on the store). `App` gathers them.
"""

from __future__ import annotations

from collections.abc import Callable

from monitor.app.check import CheckVerbs
from monitor.app.core import Core
from monitor.app.sources import SourceVerbs
from monitor.app.status import StatusVerbs
from monitor.app.store import StoreVerbs
from monitor.app.trends import TrendVerbs
from monitor.errors import MonitorError, UsageError
from monitor.matching.matcher import Matcher
from monitor.pipeline import build_pipeline
from monitor.sources.parsing import ParserPool
from monitor.store import sources
from monitor.store.db import utcnow
from monitor.store.lock import single_daemon

__all__ = ["App"]


class App(CheckVerbs, SourceVerbs, StatusVerbs, StoreVerbs, TrendVerbs, Core):
    """Every verb of `monitor` on one config file: `App(Path("config/monitor.toml")).alerts(20)`."""

    def run(self, parsers: ParserPool | None = None, matcher: Matcher | None = None, reload_wanted: Callable[[], bool] = lambda: False) -> None:
        """The daemon, in the foreground until a signal stops it; one per SQLite database, several on a
        PostgreSQL one (they share the work through claims in the store). `parsers` and `matcher`: the
        parsing processes and the matcher they prepare new entries with, made by the caller before the
        pipeline's modules were imported (`prepare.preparing_pool`). `reload_wanted()`: a SIGHUP came while the
        daemon started, reloaded once it runs."""
        from monitor.daemon import Daemon

        try:
            with single_daemon(self.settings.store.sqlalchemy_url, "monitor run"):
                Daemon(build_pipeline(self.settings, parsers, matcher)).run_forever(reload_wanted)
        finally:
            if parsers is not None:
                parsers.shutdown()

    def web(self, listen: str, started: Callable[[str, str], None]) -> None:
        """The read-only web view on `listen` (HOST:PORT) until Ctrl-C; `started` gets the database's name and the
        address served, as a browser opens it."""
        from pydantic import ValidationError

        from monitor.settings import ServerSettings
        from monitor.watchlist import Current
        from monitor.web.app import create_app
        from monitor.web.auth import required
        from monitor.web.serve import bind, serve

        try:
            server = ServerSettings.model_validate({"listen": listen})
        except ValidationError as exc:
            said = str(exc.errors()[0]["msg"]).removeprefix("Value error, ")  # a port out of range says so; any other shape:
            raise UsageError(f'--listen "{listen}": {said if said.startswith("port ") else "must look like 127.0.0.1:8080"}') from None
        address = server.address
        if address is None:
            raise UsageError('--listen "": give HOST:PORT, e.g. 127.0.0.1:8080')
        if missing := self.no_store():  # the site shows what a daemon stored: a new, empty store is a mistyped path's
            raise MonitorError(missing)
        access = required(listen, address[0])
        watchlist = Current(self.settings.watchlist)  # read again when saved, as the daemon does
        db = self.required_store()  # read, never upgraded
        sock = bind(address, lambda why: f'--listen "{listen}": cannot listen there ({why})')
        started(db.name, server.url)
        serve(create_app(db, watchlist, access), sock)

    def once(self, all_feeds: bool = False, forked: Callable[[], None] = lambda: None) -> None:
        """One pass: poll (every feed with `all_feeds`), read new files, deliver what is due; `forked()` once the parsing
        processes are (the log then written by a thread of its own: logs.write_behind)."""
        with single_daemon(self.settings.store.sqlalchemy_url, "monitor once"):  # beside a daemon it would poll and send twice
            pipeline = build_pipeline(self.settings)
            forked()
            try:
                if pipeline.db.sqlite:  # alone (the lock): the feeds still claimed were a killed run's, due now, not after the lease
                    sources.release_claims(pipeline.db, utcnow())
                with pipeline.registered("monitor once"):  # a daemon starting meanwhile (PostgreSQL) leaves its claims alone
                    pipeline.run_once(all_feeds=all_feeds)
            finally:  # its parsing processes stopped here: left to the interpreter's exit, Python 3.11 raced
                pipeline.close()  # their pipe's close ('Exception ignored ... OSError: [Errno 9] Bad file descriptor')
