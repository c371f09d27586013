"""The `monitor` command: thin verbs over the library. A MonitorError becomes one line and exit 1."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from datetime import UTC, datetime
from functools import cached_property
from pathlib import Path
from typing import Annotated, Any

import click
import typer

from monitor.alerts.channels import Notifier, describe, route
from monitor.alerts.render import display_title_of, sample_context
from monitor.alerts.templates import template_problems
from monitor.errors import MonitorError
from monitor.logs import setup_logging
from monitor.matching.evaluation import evaluate, parse_cases
from monitor.matching.examples import failed_examples
from monitor.matching.matcher import Matcher
from monitor.matching.report import explain, quoted, result_json
from monitor.matching.rules import match_text
from monitor.model import MatchResult
from monitor.pipeline import build_pipeline, register_sources
from monitor.redact import redact
from monitor.replay import parse_span, replay
from monitor.settings import Settings, load_settings
from monitor.sources.folders import read_document
from monitor.store import mutes, outbox
from monitor.store import sources as source_store
from monitor.store import stories as story_store
from monitor.store.db import Database
from monitor.watchlist import duplicate_aliases, load_watchlist

app = typer.Typer(help="monitor: watch feeds and folders for watched actors and events, and alert through Apprise.", no_args_is_help=True, add_completion=False)


class _Console:
    """rich's Console, made on first use: `monitor run` prints nothing through it, so the daemon does
    not import rich (nor, below, the feed discovery and OPML modules: feedparser stays in the parsers)."""

    @cached_property
    def _console(self) -> Any:
        from rich.console import Console

        return Console(highlight=False, soft_wrap=True)

    def print(self, *args: Any, **kwargs: Any) -> None:
        self._console.print(*args, **kwargs)


out = _Console()


def _table(*columns: str, title: str) -> Any:
    """A rich Table (rich imported here, by the commands that print one)."""
    from rich.table import Table

    return Table(*columns, title=title)

ConfigOption = Annotated[Path, typer.Option("--config", "-c", help="the monitor.toml to use")]
DEFAULT_CONFIG = Path("config/monitor.toml")


@app.command()
def run(config: ConfigOption = DEFAULT_CONFIG, verbose: Annotated[bool, typer.Option("--verbose", "-v", help="debug logging")] = False) -> None:
    """Run the daemon in the foreground until Ctrl-C or SIGTERM."""
    from monitor.daemon import Daemon

    setup_logging(verbose)
    Daemon(build_pipeline(load_settings(config))).run_forever()


@app.command()
def once(config: ConfigOption = DEFAULT_CONFIG, verbose: Annotated[bool, typer.Option("--verbose", "-v", help="debug logging")] = False) -> None:
    """One pass over every source, deliver what is due, then exit."""
    setup_logging(verbose)
    pipeline = build_pipeline(load_settings(config))
    pipeline.run_once()


@app.command()
def match(
    file: Annotated[str | None, typer.Argument(help="an article file (.txt .md .html .json), or - for standard input")] = None,
    config: ConfigOption = DEFAULT_CONFIG,
    watchlist: Annotated[Path | None, typer.Option(help="a watchlist file or folder instead of the config's")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="print one JSON object (schema: docs/match-json.md)")] = False,
    replay_span: Annotated[str | None, typer.Option("--replay", help="re-match stored articles of a span (7d, 24h, 2020-01-01..2020-01-31) and list what would alert differently")] = None,
) -> None:
    """Show what the watchlist matches in one article (or, with --replay, in stored ones), without storing or alerting."""
    settings = load_settings(config) if watchlist is None or replay_span else None
    matcher = Matcher(load_watchlist(watchlist or settings.watchlist))  # type: ignore[union-attr]
    if replay_span:
        _print_replay(settings, matcher, replay_span)  # type: ignore[arg-type]
        return
    if file is None:
        raise MonitorError("match: give an article FILE, - for standard input, or --replay SPAN")
    if file == "-":
        text = sys.stdin.read()
    else:
        doc = read_document(Path(file), file)
        text = f"{doc.title}\n\n{doc.text}" if doc.title else doc.text
    result = match_text(matcher, text)
    if as_json:
        sys.stdout.write(json.dumps(result_json(result, text), ensure_ascii=False) + "\n")
        return
    _print_result(result)


def _print_replay(settings: Settings, matcher: Matcher, span: str) -> None:
    since, until = parse_span(span, datetime.now(UTC))
    newly, dropped, total = replay(Database(settings.store.sqlalchemy_url), matcher, since, until)
    out.print(f"re-matched {total} stored articles from {since:%Y-%m-%d %H:%M} to {until:%Y-%m-%d %H:%M} UTC", markup=False)
    for heading, rows in (("would alert now, did not before", newly), ("alerted before, would not now", dropped)):
        if not rows:
            out.print(f"{heading}: none", markup=False)
            continue
        table = _table("article", "fetched (UTC)", "source", "title", "why", title=f"{heading}: {len(rows)}")
        for r in rows:
            why = explain(r.result.hits[0]) if r.result.hits else "no rule fires"
            table.add_row(str(r.article.id), f"{r.article.fetched_at:%Y-%m-%d %H:%M}", r.article.source, display_title_of(r.article.title, r.article.text), why)
        out.print(table)


def _print_result(result: MatchResult) -> None:
    table = _table("kind", "matched", "alias", "found in text", "span", "score", "severity", title="Matches")
    for m in result.matches:
        table.add_row(m.kind, m.name, m.alias, m.found, f"{m.start}-{m.end}", f"{m.score:g}", str(m.severity) if m.kind == "event" else "")
    out.print(table)
    for h in result.hits:
        out.print(f"rule {h.rule!r} fired, severity {h.severity}: {explain(h)}", markup=False)
        out.print(f"  {quoted(h.snippet)}", markup=False)
    out.print(f"decision: ALERT, severity {result.severity}" if result.alert else "decision: no alert")


@app.command(name="eval")
def evaluate_cases(
    cases: Annotated[Path, typer.Argument(help="labelled cases, one JSON object per line (id, text, actors, events, alert)")],
    config: ConfigOption = DEFAULT_CONFIG,
    watchlist: Annotated[Path | None, typer.Option(help="a watchlist file or folder instead of the config's")] = None,
    worst: Annotated[int, typer.Option(help="how many of the worst misses to list")] = 10,
) -> None:
    """Precision, recall and F1 of the watchlist on labelled cases, alert accuracy, and the worst misses."""
    matcher = Matcher(load_watchlist(watchlist or load_settings(config).watchlist))
    try:
        labelled = parse_cases(cases.read_text(encoding="utf-8").splitlines(), str(cases))
    except OSError as exc:
        raise MonitorError(f"{cases}: cannot read cases: {exc.strerror}") from None
    except ValueError as exc:
        raise MonitorError(str(exc)) from None
    report = evaluate(matcher, labelled)
    table = _table("", "precision", "recall", "F1", title=f"{report.cases} cases from {cases}")
    for name, scores in (("actors", report.actors), ("events", report.events)):
        table.add_row(name, f"{scores.precision:.3f}", f"{scores.recall:.3f}", f"{scores.f1:.3f}")
    out.print(table)
    out.print(f"alert accuracy: {report.alert_accuracy:.3f} ({report.alerts_right}/{report.cases})", markup=False)
    for miss in report.misses[:worst]:
        alert = f"; alert expected {miss.alert_expected}, got {miss.alert_got}" if miss.alert_expected != miss.alert_got else ""
        out.print(f"miss {miss.id}: missing {list(miss.missing)}, extra {list(miss.extra)}{alert}", markup=False)


@app.command()
def check(config: ConfigOption = DEFAULT_CONFIG) -> None:
    """Validate config, watchlist and channel URLs; exit 1 naming the file and key when one is wrong."""
    settings = load_settings(config)
    watchlist = load_watchlist(settings.watchlist)
    Notifier(settings.channels)
    matcher = Matcher(watchlist)
    failures = failed_examples(matcher, watchlist.examples)
    for failure in failures:
        sys.stderr.write(f"monitor: example failed: {failure}\n")
    problems = template_problems(settings.channels, sample_context(matcher))
    for problem in problems:
        sys.stderr.write(f"monitor: {problem}\n")
    if failures or problems:
        raise SystemExit(1)
    out.print(f"config {config}: ok ({len(settings.feeds)} feeds, {len(settings.folders)} folders)", markup=False)
    out.print(
        f"watchlist {settings.watchlist}: ok ({len(watchlist.actors)} actors, {len(watchlist.events)} events, "
        f"{len(watchlist.rules)} rules, {len(watchlist.examples)} examples hold)", markup=False,
    )
    for warning in duplicate_aliases(watchlist):
        out.print(f"warning: {settings.watchlist}: {warning}", markup=False)
    for rule in watchlist.rules:
        if not route(settings.channels, rule.tags):
            out.print(f"warning: rule {rule.name!r} routes to tags {', '.join(rule.tags)} but no channel has them: its alerts are stored, not sent", markup=False)
    for channel in settings.channels:
        out.print(f"channel {redact(describe(channel))}", markup=False)
    for folder in settings.folders:
        if not folder.path.is_dir():
            out.print(f"warning: folder {folder.path} does not exist yet", markup=False)


alerts_app = typer.Typer(help="The latest alerts, failed deliveries, and re-queueing them.", invoke_without_command=True)
app.add_typer(alerts_app, name="alerts")


@alerts_app.callback()
def alerts(
    ctx: typer.Context,
    config: ConfigOption = DEFAULT_CONFIG,
    limit: Annotated[int, typer.Option("--limit", "-n", min=1, help="how many of the latest alerts")] = 20,
    failed: Annotated[bool, typer.Option("--failed", help="only alerts with a delivery that gave up")] = False,
) -> None:
    """The latest alerts from the database, with their delivery state per channel."""
    if ctx.invoked_subcommand is not None:
        return
    settings = load_settings(config)
    rows = outbox.latest_alerts(Database(settings.store.sqlalchemy_url), limit, failed_only=failed)
    table = _table("id", "time (UTC)", "sev", "title", "source", "deliveries", title="Alerts with failed deliveries" if failed else "Latest alerts")
    for a in rows:
        table.add_row(str(a.id), a.created_at.strftime("%Y-%m-%d %H:%M:%S"), str(a.severity), a.title, a.source, a.deliveries + (f"\n{a.last_error}" if failed and a.last_error else ""))
    out.print(table)


@alerts_app.command("retry")
def alerts_retry(
    alert_id: Annotated[int, typer.Argument(help="the alert's id (first column of `monitor alerts`)")],
    config: ConfigOption = DEFAULT_CONFIG,
) -> None:
    """Re-queue an alert's failed deliveries: the daemon sends them at its next dispatch."""
    settings = load_settings(config)
    count = outbox.requeue(Database(settings.store.sqlalchemy_url), alert_id, datetime.now(UTC))
    out.print(f"alert {alert_id}: {count} failed deliver{'y' if count == 1 else 'ies'} re-queued", markup=False)


@app.command()
def mute(
    name: Annotated[str | None, typer.Argument(help="an actor's or a rule's name, as in the watchlist")] = None,
    config: ConfigOption = DEFAULT_CONFIG,
    for_: Annotated[str, typer.Option("--for", help="how long: 30m, 6h, 2d, 1w")] = "6h",
    until_: Annotated[str | None, typer.Option("--until", help="or until a time: 2026-11-26T08:00 (UTC unless an offset is given)")] = None,
    off: Annotated[bool, typer.Option("--off", help="lift the mute now")] = False,
) -> None:
    """Mute an actor or a rule for a while (its articles are still stored), lift it, or list mutes."""
    settings, db = _store(config)
    now = datetime.now(UTC)
    if name is None:
        for muted, until in sorted(mutes.active(db, now).items()):
            out.print(f"{muted}: muted until {until:%Y-%m-%d %H:%M} UTC", markup=False)
        return
    if off:
        out.print(f"{name}: {'unmuted' if mutes.unmute(db, name) else 'was not muted'}", markup=False)
        return
    watchlist = load_watchlist(settings.watchlist)
    if name not in {a.name for a in watchlist.actors} | {r.name for r in watchlist.rules}:
        raise MonitorError(f"{settings.watchlist}: no actor or rule named {name!r}")
    if until_:
        try:
            parsed = datetime.fromisoformat(until_)
        except ValueError:
            raise MonitorError(f"--until {until_!r}: expected a time like 2026-11-26T08:00") from None
        until = parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)
    else:
        since, _ = parse_span(for_, now)
        until = now + (now - since)
    mutes.mute(db, name, until)
    out.print(f"{name}: muted until {until:%Y-%m-%d %H:%M} UTC", markup=False)


@app.command()
def stories(
    config: ConfigOption = DEFAULT_CONFIG,
    limit: Annotated[int, typer.Option("--limit", "-n", min=1, help="how many of the latest stories")] = 20,
) -> None:
    """Recent stories: copies of one story from every source, with their size and highest severity."""
    _, db = _store(config)
    table = _table("id", "first seen (UTC)", "articles", "sources", "sev", "first title", title="Latest stories")
    for st in story_store.recent_stories(db, limit):
        table.add_row(str(st.id), st.created_at.strftime("%Y-%m-%d %H:%M:%S"), str(st.articles), str(st.sources), str(st.severity), st.title)
    out.print(table)


sources_app = typer.Typer(help="Feeds and folders with their health; add, import, export, retry, enable, disable.", invoke_without_command=True)
app.add_typer(sources_app, name="sources")


def _store(config: Path) -> tuple[Settings, Database]:
    settings = load_settings(config)
    return settings, Database(settings.store.sqlalchemy_url)


@sources_app.callback()
def sources_list(ctx: typer.Context, config: ConfigOption = DEFAULT_CONFIG) -> None:
    """Every source (from the config and added here) with its health: status, last success, last error, next check."""
    if ctx.invoked_subcommand is not None:
        return
    settings, db = _store(config)
    register_sources(db, settings)  # the configured sources too, so the list is complete
    table = _table("id", "name", "kind", "status", "last success", "next check", "errors", "new", "last error", title="Sources")
    for h in source_store.list_sources(db):
        table.add_row(
            str(h.id), h.name, h.kind, h.status, _when(h.last_success_at), _when(h.next_check_at) if h.kind == "feed" else "",
            str(h.error_count), str(h.last_new_items), h.last_error or (f"moved permanently to {h.moved_to}" if h.moved_to else ""),
        )
    out.print(table)


def _when(value: datetime | None) -> str:
    return value.strftime("%Y-%m-%d %H:%M:%S") if value else "-"


def _source_action(config: Path, action: Callable[[Database], source_store.SourceHealth], verb: str) -> None:
    _, db = _store(config)
    try:
        h = action(db)
    except LookupError as exc:
        raise MonitorError(str(exc)) from None
    out.print(f"source {h.id} ({h.name}): {verb}, status {h.status}", markup=False)


@sources_app.command("retry")
def sources_retry(source_id: Annotated[int, typer.Argument(help="the source's id (see `monitor sources`)")], config: ConfigOption = DEFAULT_CONFIG) -> None:
    """Poll a source at the daemon's next tick, lifting a suspension."""
    _source_action(config, lambda db: source_store.retry_now(db, source_id, datetime.now(UTC)), "will be polled at the next tick")


@sources_app.command("enable")
def sources_enable(source_id: Annotated[int, typer.Argument(help="the source's id")], config: ConfigOption = DEFAULT_CONFIG) -> None:
    """Poll a disabled source again."""
    _source_action(config, lambda db: source_store.set_enabled(db, source_id, True), "enabled")


@sources_app.command("disable")
def sources_disable(source_id: Annotated[int, typer.Argument(help="the source's id")], config: ConfigOption = DEFAULT_CONFIG) -> None:
    """Stop polling a source (its articles and history stay)."""
    _source_action(config, lambda db: source_store.set_enabled(db, source_id, False), "disabled")


@sources_app.command("add")
def sources_add(
    url: Annotated[str, typer.Argument(help="a feed URL, or a page that links to its feed")],
    config: ConfigOption = DEFAULT_CONFIG,
    name: Annotated[str | None, typer.Option(help="a name for the source (default: the feed's title)")] = None,
    every: Annotated[float | None, typer.Option(help="fixed seconds between polls (default: adaptive)")] = None,
    full_text: Annotated[bool, typer.Option("--full-text", help="fetch each new entry's page and match its main text")] = False,
) -> None:
    """Add a feed; an HTML page's <link rel="alternate"> feed is found and added instead."""
    from monitor.sources.discover import discover_feed

    settings, db = _store(config)
    feed_url, title = discover_feed(url, settings.http)
    try:
        source_id = source_store.add_feed(db, name or title, feed_url, every, full_text)
    except ValueError as exc:
        raise MonitorError(f"{feed_url}: {exc}") from None
    out.print(f"source {source_id} ({name or title}): {feed_url}", markup=False)


@sources_app.command("import")
def sources_import(
    opml: Annotated[Path, typer.Argument(help="an OPML file exported by a feed reader")],
    config: ConfigOption = DEFAULT_CONFIG,
    every: Annotated[float | None, typer.Option(help="fixed seconds between polls (default: adaptive)")] = None,
) -> None:
    """Add every feed of an OPML file (feeds already known are skipped)."""
    from monitor.sources.opml import read_opml

    _, db = _store(config)
    try:
        subscriptions = read_opml(opml.read_bytes(), str(opml))
    except OSError as exc:
        raise MonitorError(f"{opml}: cannot read: {exc.strerror}") from None
    added = 0
    for sub in subscriptions:
        try:
            source_store.add_feed(db, sub.title, sub.url, every)
            added += 1
        except ValueError as exc:
            out.print(f"skipped {sub.url}: {exc}", markup=False)
    out.print(f"{added} of {len(subscriptions)} feeds added from {opml}", markup=False)


@sources_app.command("export")
def sources_export(config: ConfigOption = DEFAULT_CONFIG) -> None:
    """Print every feed (configured and added) as OPML."""
    from monitor.sources.opml import Subscription, write_opml

    settings, db = _store(config)
    register_sources(db, settings)
    feeds = [Subscription(h.name, h.location) for h in source_store.list_sources(db) if h.kind == "feed" and h.enabled]
    sys.stdout.write(write_opml(feeds))


def main() -> None:
    """Entry point: run the Typer app, turning a MonitorError into one line on stderr."""
    try:
        code = app(standalone_mode=False)
    except click.exceptions.Exit as exc:
        raise SystemExit(exc.exit_code) from None
    except click.ClickException as exc:
        exc.show()
        raise SystemExit(exc.exit_code) from None
    except click.exceptions.Abort:
        raise SystemExit(130) from None
    except MonitorError as exc:
        sys.stderr.write(f"monitor: error: {redact(str(exc))}\n")
        raise SystemExit(1) from None
    except KeyboardInterrupt:
        raise SystemExit(130) from None
    raise SystemExit(code if isinstance(code, int) else 0)
