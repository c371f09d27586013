"""The `monitor` command: parses arguments, calls the façade (`monitor.app.App`) and prints what it returns;
a MonitorError becomes one line and exit 1, a usage mistake one line and exit 2.

Over 300 lines: it is the declaration of every verb (its options and help texts) and how each prints; the
work is in monitor/app/.
"""

from __future__ import annotations

import json
import logging
import os
import signal
import sys
import shlex
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime, timedelta
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from typer.core import TyperGroup, TyperOption
from typer.exceptions import TyperException

from monitor.errors import MonitorError, UsageError
from monitor.logs import counted, setup_logging, write_behind
from monitor.redact import shown, terminal_safe
from monitor.settings import Settings, load_settings

if TYPE_CHECKING:  # imported where used: `monitor run` forks its parsers before the pipeline's modules are loaded
    from monitor.app import App
    from monitor.app.check import Matched, Replay
    from monitor.app.sources import SourceHealth
    from monitor.trends import Series



def _examples(*lines: str) -> str:
    """A verb's --help epilog: commands that work from a fresh clone's root (tests/test_cli.py runs them)."""
    return "Examples:\n\n" + "\n\n".join(lines)


class _Verbs(TyperGroup):
    """A group of verbs whose --help pages show no `<bool>` beside a flag (`--json`, `--help`): typer 0.29's rich help
    names the type of every option, as if a flag took a value (its plain help does not)."""

    def format_help(self, ctx: Any, formatter: Any) -> None:
        _untyped_flags(self, ctx)
        super().format_help(ctx, formatter)

    def get_command(self, ctx: Any, cmd_name: str) -> Any:
        if (command := super().get_command(ctx, cmd_name)) is not None:
            _untyped_flags(command, ctx)
        return command


def _untyped_flags(command: Any, ctx: Any) -> None:
    """A command's flags, its --help too, given an empty metavar: the type column shows nothing for them."""
    for param in [*command.params, command.get_help_option(ctx)]:
        if isinstance(param, TyperOption) and param.is_flag and param.metavar is None:
            param.metavar = ""


app = typer.Typer(help="monitor: watch feeds and folders for watched actors and events, and alert through Apprise.", add_completion=False, cls=_Verbs,
                  epilog=_examples("monitor check", "monitor once", "monitor match seeds/soleimani-strike-2020-01.txt", "monitor alerts",
                                   "monitor run --config config/monitor.toml"))


class _Console:
    """rich's Console, made on first use: `monitor run` prints nothing through it, so the daemon does
    not import rich (nor, below, the feed discovery and OPML modules: feedparser stays in the parsers).

    Everything printed is data, never markup: a feed title `[/x]` or `[link=…]` shows as written,
    secrets are masked and control characters escaped (`shown`)."""

    @cached_property
    def _console(self) -> Any:
        from rich.console import Console

        # Not to a terminal (a pipe, a file) and no COLUMNS: as wide as a row needs, so that `monitor sources | grep`
        # finds what an 80-column table would fold or cut
        wide = not sys.stdout.isatty() and not os.environ.get("COLUMNS")
        return Console(highlight=False, soft_wrap=True, width=PIPE_WIDTH if wide else None)

    def line(self, message: str, links: Sequence[str] = ()) -> None:
        """One line of text; where it holds one of `links` (an article's own link) that link keeps its signature."""
        self._console.print(shown(message, links), markup=False, emoji=False)

    def table(self, table: _Table) -> None:
        self._console.print(table.rich)

    @property
    def width(self) -> int:
        """The terminal's columns (80 when it is no terminal)."""
        return int(self._console.width)


out = _Console()


class _Table:
    """A rich Table whose cells are plain text (see `_Console`); a cell given as a list is one line each."""

    def __init__(self, *columns: str, title: str) -> None:
        from rich.table import Table
        from rich.text import Text

        self._text = Text
        self.rich = Table(*columns, title=Text(shown(title)))
        for column in self.rich.columns:  # a cell too wide for the terminal wraps: cut with an ellipsis, its data was lost
            column.overflow = "fold"

    def add(self, *cells: str | list[str]) -> None:
        self.rich.add_row(*(self._text("\n".join(shown(c) for c in ([cell] if isinstance(cell, str) else cell))) for cell in cells))


PIPE_WIDTH = 10_000  # columns of a table printed to a pipe or a file (a title is at most 1,000 characters)
LIMIT_MAX = 1_000_000  # rows a listing shows at most; bounds also keep numbers SQLite cannot take out (they were tracebacks)
ID_MAX = 2**63 - 1  # SQLite's and PostgreSQL's largest id


def _path(value: str | Path) -> Path:
    """A path argument or option: an empty one (`--config "$CONF"` with CONF unset) is a usage mistake, not the working folder."""
    if isinstance(value, Path):  # a default
        return value
    if not value.strip():
        raise typer.BadParameter("empty: give a path")
    return Path(value)


ConfigOption = Annotated[Path, typer.Option("--config", "-c", parser=_path, help="the monitor.toml to use")]
DEFAULT_CONFIG = Path("config/monitor.toml")


LogFormatOption = Annotated[str | None, typer.Option("--log-format", help='"text" (one line per event) or "json" (one JSON object per line); default: the log format of the config file')]


def _logging(settings: Settings, verbose: bool, log_format: str | None) -> None:
    if log_format not in (None, "text", "json"):
        raise typer.BadParameter(f'{log_format!r}: use "text" or "json"', param_hint="--log-format")
    setup_logging(verbose, log_format or settings.log.format)


@contextmanager
def _usage() -> Iterator[None]:
    """An option value the façade cannot use (`--for 6x`) is a usage mistake: one line naming the verb's --help, exit 2."""
    try:
        yield
    except UsageError as exc:
        raise typer.BadParameter(str(exc)) from None


@contextmanager
def _json_errors(as_json: bool) -> Iterator[None]:
    """A verb's --json: its error, a MonitorError, is printed as {"error": "..."} on stdout too (the one line on
    stderr and exit 1 stay), so a script reading stdout has JSON to parse whatever happened."""
    try:
        yield
    except MonitorError as exc:
        if as_json:
            sys.stdout.write(_json_text({"error": shown(str(exc))}) + "\n")
        raise


def _json_text(data: object) -> str:
    """JSON of data from files and feeds, with the characters a terminal would act on (C1 controls, bidi overrides:
    `printable`'s) written as \\u escapes too, as JSON allows: printed to a terminal, it shows what it holds."""
    return terminal_safe(json.dumps(data, ensure_ascii=False))


def _say_no_store(monitor: App) -> None:
    """A listing of a store not made yet says so in one line on stderr, beside what it lists: its empty listing
    alone did not tell a mistyped [store] path from a quiet store."""
    if (missing := monitor.no_store()) is not None:
        sys.stderr.write(f"monitor: note: {shown(missing)}\n")


def _app(config: Path, sends: bool = False, notes: bool = True) -> App:
    """The façade on a config file (imported here: see the imports above); `sends` for the verbs that send
    or check the channels (run, once, check): the others need no channel's `${VAR}` set. `notes`: what opening
    the store did unasked (an upgrade) said in one line on stderr (not for the verbs that log it, or say it)."""
    from monitor.app import App

    return App(config, sends=sends, noted=_note if notes else None)


def _note(line: str) -> None:
    sys.stderr.write(f"monitor: note: {shown(line)}\n")


@app.command(epilog=_examples("monitor run", "monitor run --config config/monitor.toml --log-format json"))
def run(config: ConfigOption = DEFAULT_CONFIG, verbose: Annotated[bool, typer.Option("--verbose", "-v", help="debug logging")] = False,
        log_format: LogFormatOption = None) -> None:
    """Run the daemon in the foreground until Ctrl-C or SIGTERM; SIGHUP reloads the config file."""
    hups: list[int] = []  # a SIGHUP while the daemon starts (seconds) is a reload once it runs, not its death
    signal.signal(signal.SIGHUP, lambda signum, _: hups.append(signum))  # a list, not an Event: a signal handler takes no lock
    setup_logging(verbose)
    settings = load_settings(config)
    _logging(settings, verbose, log_format)
    from monitor.memory import map_large_blocks
    from monitor.prepare import daemon_matcher, preparing_pool  # the watchlist and what the parsers need, nothing more

    map_large_blocks()  # before the watchlist is compiled: its freed large blocks then leave no holes the parsers share
    matcher = daemon_matcher(settings)
    parsers = preparing_pool(matcher, settings.schedule.parse_workers)  # forked now: they share the matcher, not the store's pages
    write_behind()  # (after the fork) a standard error that takes nothing holds back no poll, delivery or job that logs
    _app(config, sends=True).run(parsers, matcher, lambda: bool(hups))


@app.command(epilog=_examples("monitor once", "monitor once --all --verbose"))
def once(
    config: ConfigOption = DEFAULT_CONFIG,
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="debug logging")] = False,
    all_feeds: Annotated[bool, typer.Option("--all", help="poll every feed, even those not due (Retry-After, backoff, suspension)")] = False,
    log_format: LogFormatOption = None,
) -> None:
    """One pass: poll the feeds that are due (and new ones), read new files, deliver what is due, then exit."""
    setup_logging(verbose)
    monitor = _app(config, sends=True)
    _logging(monitor.settings, verbose, log_format)
    # SIGTERM (cron's `timeout`, `systemctl stop`) stops it as Ctrl-C does: the fetches under way cancelled and their
    # claims given back, out of the store's registry; not ended on the spot with its feeds claimed until the lease ends
    signal.signal(signal.SIGTERM, signal.default_int_handler)
    monitor.once(all_feeds=all_feeds, forked=write_behind)  # (once its parsing processes are forked) as `monitor run`'s


@app.command(epilog=_examples("monitor match seeds/soleimani-strike-2020-01.txt",
                             "echo 'A US drone strike killed Qasem Soleimani.' | monitor match -",
                             "monitor match --json seeds/soleimani-strike-2020-01.txt",
                             "monitor match --replay 7d --watchlist config/watchlist.yaml", "monitor match --article 1"))
def match(
    file: Annotated[str | None, typer.Argument(metavar="FILE|-", help="an article file (.txt .md .html .json), or - for standard input")] = None,
    config: ConfigOption = DEFAULT_CONFIG,
    watchlist: Annotated[Path | None, typer.Option(parser=_path, help="a watchlist file or folder instead of the config's")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="print one JSON object (schema: docs/match-json.md)")] = False,
    replay_span: Annotated[str | None, typer.Option("--replay", help="re-match stored articles of a span (7d, 24h, 2020-01-01..2020-01-31) and list what would alert differently")] = None,
    article: Annotated[int | None, typer.Option("--article", min=1, max=ID_MAX, help="re-match a stored article by its number (the daemon's log names it: 'article 12 from wire: ...')")] = None,
) -> None:
    """Show what the watchlist matches in one article (a file, a stored one, or with --replay, stored ones), without storing or alerting."""
    monitor = _app(config)
    if sum(x is not None for x in (file, replay_span, article)) > 1:
        raise typer.BadParameter("give an article FILE, --article ID or --replay SPAN: one of them", param_hint="FILE")
    if replay_span and as_json:
        raise typer.BadParameter("--json is for one article: --replay prints a table", param_hint="--json")
    if replay_span:
        with _usage():
            _print_replay(monitor.replay(replay_span, watchlist))
        _say_no_store(monitor)
        return
    if file is None and article is None:
        raise typer.BadParameter("give an article FILE, - for standard input, --article ID or --replay SPAN", param_hint="FILE")
    if file is not None and not file.strip():
        raise typer.BadParameter("empty: give an article FILE, or - for standard input", param_hint="FILE")
    with _json_errors(as_json):
        if article is not None:
            stored, matched = monitor.match_stored(article, watchlist)
        else:
            matched = monitor.match(file or "-", sys.stdin.buffer if file == "-" else None, watchlist)
    if article is not None and not as_json:
        from monitor.text_norm import title_or_opening

        then = "it alerted" if stored.alerted else "another article of its story alerted" if stored.story_alerted else "it raised no alert"
        out.line(f"article {stored.id} from {stored.source}, fetched {stored.fetched_at:%Y-%m-%d %H:%M} UTC ({then}): {title_or_opening(stored.title, stored.text)}")
    if matched.mutes_unread:
        sys.stderr.write(f"monitor: warning: the store was not read ({shown(matched.mutes_unread)}): the decision is shown as if it held nothing "
                         "(no mute, no stored article or story)\n")
    if matched.result.regex_capped:
        from monitor.matching.compiled import REGEX_MATCHES_MAX
    for label in matched.result.regex_capped:
        sys.stderr.write(f"monitor: warning: watchlist {shown(label)} matched more than {REGEX_MATCHES_MAX} times: its first {REGEX_MATCHES_MAX} "
                         "matches are kept (a pattern that matches so often matches too much)\n")
    if as_json:
        from monitor.matching.report import result_json

        data = result_json(matched.result, matched.text, matched.rules, matched.muted) | {"why_no_alert": matched.why_no_alert or None,
                                                                                           "story": matched.story.as_json() if matched.story else None}
        sys.stdout.write(_json_text(data) + "\n")
        return
    _print_result(matched)


def _print_replay(r: Replay) -> None:
    from monitor.text_norm import title_or_opening

    out.line(f"re-matched {r.total} stored articles from {r.since:%Y-%m-%d %H:%M} to {r.until:%Y-%m-%d %H:%M} UTC")
    for heading, rows in (("would alert now, did not before", r.newly), ("alerted before, would not now", r.dropped)):
        if not rows:
            out.line(f"{heading}: none")
            continue
        table = _Table("article", "fetched (UTC)", "source", "title", "why", title=f"{heading}: {len(rows)}")
        for row in rows:
            table.add(str(row.article.id), f"{row.article.fetched_at:%Y-%m-%d %H:%M}", row.article.source, title_or_opening(row.article.title, row.article.text), row.why)
        out.table(table)


def _print_result(matched: Matched) -> None:
    from monitor.matching.report import actor_context, alias_of, explain, form_of, learned_text, muted_by, quoted, waits

    result, rules = matched.result, matched.rules
    table = _Table("kind", "matched", "alias", "found in text", "span", "score", "severity", title="Matches")
    for m in result.matches:
        how = f"learned: {m.learned.model}" if m.learned else form_of(m) if m.form else ""
        if m.context:
            how += ("; " if how else "") + f"near \u201c{m.context}\u201d{actor_context(m)}"
        table.add(m.kind, m.name, alias_of(m), f"{m.found} ({how})" if how else m.found, f"{m.start}-{m.end}", f"{m.score:g}", str(m.severity) if m.kind == "event" else "")
    out.table(table)
    for m in result.matches:
        if m.learned is not None:
            out.line(f"event {m.name!r} at {m.start}-{m.end}: {learned_text(m.learned)}")
    for m in result.dropped:
        if m.learned is not None:
            out.line(f"event {m.name!r} (found {m.found!r} at {m.start}-{m.end}): {learned_text(m.learned)}")
    waiting = {r.name: r.min_sources for r in rules if waits(r)}
    for h in result.hits:
        out.line(f"rule {h.rule!r} fired, severity {h.severity}: {explain(h)}")
        out.line(f"  {quoted(h.snippet)}")
        if h.rule in waiting:
            out.line(f"  {waits(next(r for r in rules if r.name == h.rule))}")
        if muted := muted_by(h, matched.muted):
            what = "rule" if muted == h.rule else "actor"
            out.line(f"  muted: {what} {muted!r} is muted until {matched.muted[muted]:%Y-%m-%d %H:%M} UTC: the daemon alerts nobody on it (monitor mute --off {shlex.quote(muted)})")
    live = [h for h in result.hits if not muted_by(h, matched.muted)]
    unmuted = f" ({max(h.severity for h in result.hits)} without the mutes)" if live and len(live) < len(result.hits) and max(h.severity for h in live) < result.severity else ""
    now = [h.severity for h in live if h.rule not in waiting]
    story = matched.story
    if not result.alert:
        out.line(f"decision: no alert: {matched.why_no_alert}" if matched.why_no_alert else "decision: no alert")
    elif story and story.stored_article is not None:
        out.line(f"decision: no alert: {story.why_no_alert}")
    elif story and story.severity is None:
        out.line(f"decision: no alert: a copy of story {story.story}, which the daemon would join: {story.why_no_alert}")
    elif story and story.alert:
        adds = f"adding {', '.join(story.news)}" if story.news else "at a higher severity than it had"
        out.line(f"decision: ALERT, severity {story.severity}: a follow-up of story {story.story} (alert {story.alert}), {adds}")
    elif story:
        out.line(f"decision: ALERT, severity {story.severity}: in story {story.story}, which the daemon would join and has not alerted on yet "
                 f"({counted(story.sources, 'source')} with this text, taken as from a source the story has not had)")
    elif not live:
        out.line("decision: no alert: every rule that fired is muted (the daemon stores the article and alerts nobody)")
    elif not now:
        fewest = min(waiting[h.rule] for h in live)
        out.line(f"decision: ALERT once {fewest} sources carry the story (one article alone: no alert), severity {max(h.severity for h in live)}{unmuted}")
    else:
        top = max(h.severity for h in live)
        later = f" ({top} once more sources carry the story)" if max(now) < top else ""
        out.line(f"decision: ALERT, severity {max(now)}{later}{unmuted}")


@app.command(name="eval", epilog=_examples("monitor eval tests/data/eval_cases.jsonl --worst 5"))
def evaluate_cases(
    cases: Annotated[Path, typer.Argument(parser=_path, metavar="CASES.jsonl", help="labelled cases, one JSON object per line (id, text, actors, events, alert; optional not: names that must not be reported)")],
    config: ConfigOption = DEFAULT_CONFIG,
    watchlist: Annotated[Path | None, typer.Option(parser=_path, help="a watchlist file or folder instead of the config's")] = None,
    worst: Annotated[int | None, typer.Option(min=0, help="explain the errors of only this many of the worst cases (default: all)")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="print one JSON object: the figures and every error with its cause")] = False,
) -> None:
    """Precision, recall and F1 of the watchlist on labelled cases, alert accuracy, and the cause of every error."""
    with _json_errors(as_json):
        report = _app(config).evaluate(cases, watchlist)
    if as_json:
        from monitor.matching.evaluation import report_json

        sys.stdout.write(_json_text(report_json(report)) + "\n")
        return
    table = _Table("", "precision", "recall", "F1", title=f"{counted(report.cases, 'case')} from {cases}")
    for name, scores in (("actors", report.actors), ("events", report.events)):
        table.add(name, f"{scores.precision:.3f}", f"{scores.recall:.3f}", f"{scores.f1:.3f}")
    out.table(table)
    out.line(f"alert accuracy: {report.alert_accuracy:.3f} ({report.alerts_right}/{report.cases})")
    out.line(f"alert-worthy texts missed: {report.alert_worthy_missed} of {report.alert_worthy}")
    out.line(f"labels that must not be reported, reported: {report.forbidden_reported}")
    shown = {m.id for m in report.misses[:worst]} if worst is not None else None
    for error in report.errors:
        if shown is None or error.case in shown:
            out.line(f"{error.case}: {error.kind}{'' if error.kind.startswith('alert') else ' ' + error.label}: {error.why}")


@app.command(epilog=_examples("monitor check", "monitor check --config config/monitor.toml"))
def check(config: ConfigOption = DEFAULT_CONFIG) -> None:
    """Validate config, watchlist and channel URLs; exit 1 naming the file and key when one is wrong."""
    report = _app(config, sends=True).check()
    for problem in report.problems:
        sys.stderr.write(f"monitor: {shown(problem)}\n")
    for line in report.lines:
        out.line(line)
    if report.problems:
        raise SystemExit(1)


def _pass_config(ctx: typer.Context, config: Path) -> None:
    """`monitor sources --config X retry 1`: the group's --config is the subcommand's default (it was
    ignored, and the subcommand changed the default config's store)."""
    ctx.default_map = {ctx.invoked_subcommand or "": {"config": str(config)}}


alerts_app = typer.Typer(cls=_Verbs, help="The latest alerts, failed deliveries, and re-queueing or dismissing them.", invoke_without_command=True,
                         epilog=_examples("monitor alerts -n 5", "monitor alerts --failed", "monitor alerts show 1", "monitor alerts retry 1",
                                          "monitor alerts dismiss 1"))
app.add_typer(alerts_app, name="alerts")


@alerts_app.callback()
def alerts(
    ctx: typer.Context,
    config: ConfigOption = DEFAULT_CONFIG,
    limit: Annotated[int, typer.Option("--limit", "-n", min=1, max=LIMIT_MAX, help="how many of the latest alerts")] = 20,
    failed: Annotated[bool, typer.Option("--failed", help="only alerts with a delivery that gave up")] = False,
) -> None:
    """The latest alerts from the database, with their delivery state per channel."""
    if ctx.invoked_subcommand is not None:
        _pass_config(ctx, config)
        return
    monitor = _app(config)
    rows = monitor.alerts(limit, failed_only=failed)
    table = _Table("id", "time (UTC)", "sev", "title", "source", "deliveries", title="Alerts with failed deliveries" if failed else "Latest alerts")
    for a in rows:
        table.add(str(a.id), a.created_at.strftime("%Y-%m-%d %H:%M:%S"), str(a.severity), a.title, a.source, [a.deliveries, *([a.last_error] if failed and a.last_error else [])])
    out.table(table)
    _say_no_store(monitor)


ALERT_REF = typer.Argument(metavar="ID", help="the alert's number (first column of `monitor alerts`) or its Alert id (in every alert)")
AlertRef = Annotated[str, ALERT_REF]
AlertRefOrFailed = Annotated[str | None, ALERT_REF]  # retry and dismiss: an alert, or --failed


@alerts_app.command("retry", epilog=_examples("monitor alerts retry 1", "monitor alerts retry --failed", "monitor alerts retry --failed --channel console"))
def alerts_retry(
    alert: AlertRefOrFailed = None,
    config: ConfigOption = DEFAULT_CONFIG,
    failed: Annotated[bool, typer.Option("--failed", help="every delivery that gave up (after an outage longer than the retries last), not one alert's")] = False,
    channel: Annotated[str | None, typer.Option(help="with --failed: only this channel's deliveries")] = None,
) -> None:
    """Re-queue an alert's failed (or dismissed) deliveries, or with --failed every failed one (of a channel): the daemon sends them at its next dispatch.

    An alert's deliveries waiting for a retry (failed, not given up) are made due now too, their attempts kept."""
    _alert_or_failed(alert, failed, channel, "re-queued")
    if failed:
        monitor = _app(config)
        _say_failed(monitor.retry_failed(channel), channel, "re-queued", "re-queue")
        _say_no_store(monitor)
        return
    assert alert is not None
    alert_id, count, left, waiting = _app(config).retry_alert(alert)
    parts = [f"{_failed_deliveries(count)} re-queued"] if count or left else [] if waiting else ["no failed delivery to re-queue"]
    if waiting:  # (failed, not given up: due now)
        parts.append(f"{waiting} deliver{'y' if waiting == 1 else 'ies'} waiting for a retry go{'es' if waiting == 1 else ''} at the next dispatch")
    parts += [f"1 to {channel} left failed: no channel {channel!r} in the config (put it back in the config first)" for channel in left]
    out.line(f"alert {alert_id}: " + "; ".join(parts))


@alerts_app.command("dismiss", epilog=_examples("monitor alerts dismiss 1", "monitor alerts dismiss --failed --channel oldpager"))
def alerts_dismiss(
    alert: AlertRefOrFailed = None,
    config: ConfigOption = DEFAULT_CONFIG,
    failed: Annotated[bool, typer.Option("--failed", help="every delivery that gave up, not one alert's")] = False,
    channel: Annotated[str | None, typer.Option(help="with --failed: only this channel's deliveries (one no longer in the config too)")] = None,
) -> None:
    """Dismiss an alert's failed deliveries, or with --failed every one (of a channel), once you have dealt with them.

    They leave `monitor alerts --failed` and `monitor status` and are not sent again; each keeps when it was dismissed and why it had failed (`monitor alerts show`), and `monitor alerts retry ID` re-queues it."""
    _alert_or_failed(alert, failed, channel, "dismissed")
    if failed:
        monitor = _app(config)
        _say_failed(monitor.dismiss_failed(channel), channel, "dismissed", "dismiss")
        _say_no_store(monitor)
        return
    assert alert is not None
    alert_id, count = _app(config).dismiss_alert(alert)
    out.line(f"alert {alert_id}: {_failed_deliveries(count)} dismissed (`monitor alerts retry {alert_id}` re-queues "
             f"{'it' if count == 1 else 'them'})" if count else f"alert {alert_id}: no failed delivery to dismiss")


def _alert_or_failed(alert: str | None, failed: bool, channel: str | None, done: str) -> None:
    """`alerts retry` and `alerts dismiss` take an ID or --failed, and --channel only with --failed."""
    if (alert is None) == (not failed):
        raise typer.BadParameter("give an alert's ID or --failed (every failed delivery), one of the two")
    if channel is not None and not failed:
        raise typer.BadParameter(f"--channel goes with --failed: an alert's failed deliveries are all {done}")


def _say_failed(count: int, channel: str | None, done: str, do: str) -> None:
    whose = f" to {channel}" if channel is not None else ""
    out.line(f"{_failed_deliveries(count)}{whose} {done}" if count else f"no failed delivery{whose} to {do}")


def _failed_deliveries(count: int) -> str:
    return f"{count} failed deliver{'y' if count == 1 else 'ies'}"


@alerts_app.command("show", epilog=_examples("monitor alerts show 1"))
def alerts_show(alert: AlertRef, config: ConfigOption = DEFAULT_CONFIG) -> None:
    """One alert in full: its message (what matched and why), its story's copies and every delivery with its state.

    Each channel of the config the alert did not go to is named, with why (it takes other tags, or came into the config after the alert)."""
    app = _app(config)
    a = app.alert(alert)
    out.line(f"alert {a.id} (Alert id {a.uid}), {a.created_at:%Y-%m-%d %H:%M:%S} UTC, severity {a.severity}, tags {a.tags or '-'}")
    out.line(f"title: {a.title}")
    links = [a.article.url] if a.article is not None and a.article.url else []  # its signature kept, as in the mail and the web view
    if a.article is None:
        out.line("no article: a spike or source-health alert of the trends job (its body says what was counted)")
    else:
        out.line(f"article {a.article.article_id} from {a.article.source}: {a.article.url or '(no link)'}", links)
    out.line("body:")
    for line in a.body.splitlines():
        out.line(f"  {line}", links)
    if a.article is not None:
        story = _Table("article", "fetched (UTC)", "source", "title", title=f"story {a.story_id}: {_articles(a.story_size, a.story_cut)}")
        for c in a.story:
            story.add(str(c.article_id), f"{c.fetched_at:%Y-%m-%d %H:%M}", c.source, c.title)
        out.table(story)
    deliveries = _Table("channel", "state", "attempts", "sent / next attempt (UTC)", "error", title="deliveries")
    for d in a.deliveries:
        state = f"{d.status} ({d.held_reason})" if d.held_reason and d.status == "held" else d.status
        deliveries.add(d.channel, state, str(d.attempts), _when(d.when), d.error or "")
    out.table(deliveries)
    for name, why in app.not_sent_to(a):
        out.line(f"not sent to {name}: {why}")


def _articles(size: int, cut: int) -> str:
    """How many articles a story has, and how many of its first are listed when not all (`cut`, 0: all)."""
    return f"{size} article{'s' if size != 1 else ''}" + (f", the first {cut} shown" if cut else "")


@app.command(epilog=_examples("monitor mute 'Qasem Soleimani' --for 2d", "monitor mute Iran --until 2099-01-01T08:00",
                             "monitor mute", "monitor mute --off Iran"))
def mute(
    name: Annotated[str | None, typer.Argument(metavar="NAME", help="an actor's, a rule's or a spike's name, as in the watchlist")] = None,
    config: ConfigOption = DEFAULT_CONFIG,
    for_: Annotated[str | None, typer.Option("--for", help="how long: 30m, 6h, 2d, 1w (default: 6h)", show_default=False)] = None,
    until_: Annotated[str | None, typer.Option("--until", help="or until a time: 2026-11-26T08:00 (UTC unless an offset is given)")] = None,
    off: Annotated[bool, typer.Option("--off", help="lift the mute now")] = False,
) -> None:
    """Mute an actor, a rule or a spike for a while (its articles are still stored), lift it, or list mutes."""
    if name is None and (off or for_ or until_):  # each would be ignored: `monitor mute` alone lists the mutes
        raise typer.BadParameter("give the NAME of the actor, rule or spike to mute or unmute (`monitor mute` alone lists the mutes)")
    if for_ and until_:
        raise typer.BadParameter("give --for or --until, not both")
    if off and (for_ or until_):
        raise typer.BadParameter("--off lifts a mute: give no --for or --until with it")
    monitor = _app(config)
    if name is None:
        listed = monitor.mutes()
        for muted, until in listed:
            out.line(f"{muted}: muted until {until:%Y-%m-%d %H:%M} UTC")
        if not listed:
            out.line("nothing is muted (`monitor mute NAME --for 6h` mutes an actor or a rule)")
        _say_no_store(monitor)
        return
    if off:
        name, lifted = monitor.unmute(name)
        out.line(f"{name}: {'unmuted' if lifted else 'was not muted'}")
        return
    with _usage():
        name, until, units = monitor.mute(name, for_ or "6h", until_)
    out.line(f"{name}: muted until {until:%Y-%m-%d %H:%M} UTC")
    if units:
        out.line(f"its units are not muted with it: {', '.join(units)} (mute each too, or the rule, to silence them)")


@app.command(epilog=_examples("monitor stories -n 5"))
def stories(
    config: ConfigOption = DEFAULT_CONFIG,
    limit: Annotated[int, typer.Option("--limit", "-n", min=1, max=LIMIT_MAX, help="how many of the latest stories")] = 20,
) -> None:
    """Recent stories: copies of one story from every source, with their size and highest severity."""
    table = _Table("id", "first seen (UTC)", "articles", "sources", "sev", "first title", title="Latest stories")
    monitor = _app(config)
    for st in monitor.stories(limit):
        table.add(str(st.id), st.created_at.strftime("%Y-%m-%d %H:%M:%S"), str(st.articles), str(st.sources), "-" if st.severity is None else str(st.severity), st.title)
    out.table(table)
    _say_no_store(monitor)


@app.command(name="watchlist", epilog=_examples("monitor watchlist", "monitor watchlist --json", "monitor watchlist --watchlist config/watchlist.yaml"))
def watchlist_list(
    config: ConfigOption = DEFAULT_CONFIG,
    watchlist: Annotated[Path | None, typer.Option(parser=_path, help="a watchlist file or folder instead of the config's")] = None,
    as_json: Annotated[bool, typer.Option("--json", help='print one JSON object: "actors", "events" and "rules" as the watchlist gives them, '
                                                         'an event\'s phrases apart from those the thesaurus adds (on an error, {"error": "..."} and exit 1)')] = False,
) -> None:
    """What is watched: the actors, the events and the rules, as the daemon loads them.

    The actors (kind, the actor each is a unit of, aliases, tags), the events (CAMEO code, severity, phrases, and how many more the built-in thesaurus adds) and the rules."""
    with _json_errors(as_json):
        wl = _app(config).watchlist(watchlist)
    if as_json:
        data = {"actors": [{"name": a.name, "kind": a.kind, "part_of": a.part_of or None, "aliases": [x for x in a.aliases if x != a.name],
                            "tags": list(a.tags), "units": list(wl.units(a.name))} for a in wl.actors],
                "events": [{"name": e.name, "cameo": e.cameo or None, "severity": e.severity, "phrases": [p for p in e.phrases if p not in e.thesaurus],
                            "thesaurus": list(e.thesaurus)} for e in wl.events],
                "rules": [{"name": r.name, "actors": list(r.actors), "events": list(r.events), "min_severity": r.min_severity, "within": r.within,
                           "severity": r.severity, "tags": list(r.tags), "min_sources": r.min_sources, "sources_within": r.sources_within} for r in wl.rules]}
        sys.stdout.write(_json_text(data) + "\n")
        return
    actors = _Table("actor", "kind", "unit of", "aliases", "tags", title=f"Actors ({len(wl.actors)})")
    for a in wl.actors:
        actors.add(a.name, a.kind, a.part_of or "-", ", ".join(x for x in a.aliases if x != a.name) or "-", ", ".join(a.tags) or "-")
    out.table(actors)
    events = _Table("event", "CAMEO", "severity", "phrases", title=f"Events ({len(wl.events)})")
    for e in wl.events:
        added = f" (+{len(e.thesaurus)} from the thesaurus)" if e.thesaurus else ""
        events.add(e.name, e.cameo or "-", str(e.severity), ", ".join(p for p in e.phrases if p not in e.thesaurus) + added)
    out.table(events)
    rules = _Table("rule", "actors", "events", "min severity", "within", "severity", "tags", "min sources", title=f"Rules ({len(wl.rules)})")
    for r in wl.rules:
        sources_within = f" within {r.sources_within:g} h" if r.sources_within is not None and r.min_sources > 1 else ""
        rules.add(r.name, ", ".join(r.actors) or "any actor", ", ".join(r.events) or "any event", str(r.min_severity),
                  "same sentence" if r.within is None else f"{r.within} words", "the event's" if r.severity is None else str(r.severity),
                  ", ".join(r.tags) or "-", f"{r.min_sources}{sources_within}")
    out.table(rules)


@app.command(epilog=_examples("monitor status", "monitor status --json"))
def status(
    config: ConfigOption = DEFAULT_CONFIG,
    as_json: Annotated[bool, typer.Option("--json", help='print one JSON object: the database, each daemon with its heartbeat and holdings, the deliveries not sent by channel and state (on an error, {"error": "..."} and exit 1)')] = False,
) -> None:
    """The daemons running on the store and what each holds; the channels failing now, and those with deliveries that gave up.

    The daemons (several may share a PostgreSQL store, one a SQLite file; a `monitor once` is listed while it runs, and said to be one): host, pid, start, last heartbeat and what each holds (feeds, deliveries and files claimed, hosts being polled); a daemon whose heartbeat is older than its lease is gone, and what it held has been given back; one of this host whose process is no longer running (SIGKILLed) is shown exited until then (exited? for an older monitor's, whose pid may be another container's), one whose process is stopped (SIGSTOP, Ctrl-Z) stopped, and one whose process runs without beating stalled. Then the channels failing now (deliveries waiting for a retry, the next one's time, the last error), those with deliveries that gave up, or waiting for a channel this config lacks."""
    monitor = _app(config)
    with _json_errors(as_json):
        st = monitor.status()
    _say_no_store(monitor)
    if as_json:
        sys.stdout.write(_json_text(st.as_json()) + "\n")
        return
    table = _Table("id", "host", "pid", "started (UTC)", "last heartbeat", "state", "feeds", "deliveries", "files", "hosts",
                   title=f"Daemons on {st.database} ({'shared: several may run' if st.shared else 'one at a time'})")
    for d in st.daemons:
        ago = (st.now - d.heartbeat_at).total_seconds()
        table.add(str(d.id), d.host, str(d.pid), _when(d.started_at), f"{max(0.0, ago):.0f} s ago", st.state(d),
                  str(d.holding.feeds), str(d.holding.deliveries), str(d.holding.files), str(st.hosts.get(d.id, 0)))
    out.table(table)
    if not st.daemons:
        out.line("no daemon is running on this store")
    for d in st.daemons:
        state, beat = st.state(d), f"{max(0.0, (st.now - d.heartbeat_at).total_seconds()):.0f} s"
        if state == "stopped":
            lock = "; it keeps the store's lock meanwhile: no other `monitor run` or `monitor once` starts on it" if not st.shared else ""
            given = f"it has not beaten for {beat}, past its lease of {d.lease_seconds:.0f} s: what it held has been given back; " if not d.alive(st.now) else ""
            out.line(f"{d.id} (pid {d.pid}) is stopped (SIGSTOP, Ctrl-Z): {given}`kill -CONT {d.pid}` resumes it, `kill {d.pid}` ends it{lock}")
        if state == "stalled":
            out.line(f"{d.id} (pid {d.pid}) runs but has not beaten for {beat}, past its lease of {d.lease_seconds:.0f} s: what it held has been given back "
                     "(a store that fails or hangs holds its heartbeat back: its log says so)")
        if state == "exited?":
            out.line(f"{d.id} is of an older monitor (its row says no pid namespace) and no process of {d.host} runs as pid {d.pid}: killed, unless it "
                     "runs in another container of the same host name; what it holds is taken as its own until its lease ends at "
                     f"{d.heartbeat_at + timedelta(seconds=d.lease_seconds):%H:%M:%S} UTC")
        if d.verb != "monitor run":
            out.line(f"{d.id} is a `{d.verb}`, not a daemon: it leaves the list as it ends")
    for channel, retry in st.retrying.items():  # (failing now: before they give up)
        out.line(f"channel {channel}: {_deliveries(retry.deliveries)} waiting for a retry (the next at {retry.next_attempt_at:%Y-%m-%d %H:%M:%S} UTC); "
                 f"the last error: {retry.last_error[:600]}")
    for channel, states in st.deliveries.items():
        if failed := states.get("failed", 0):
            it = "it" if failed == 1 else "them"
            back = "" if channel in st.channels else f"put {channel!r} back in the config, then "
            out.line(f"channel {channel}: {_deliveries(failed)} gave up: `monitor alerts --failed` lists {it}, "
                     f"{back}`monitor alerts retry --failed --channel {channel}` sends {it} again")
        if channel not in st.channels and (waiting := states.get("pending", 0) + states.get("held", 0)):
            out.line(f"channel {channel}: {_deliveries(waiting)} waiting, and this config has no channel {channel!r}: "
                     + ("a daemon whose config has it sends them; in none, they give up an hour after they were due "
                        "(held for a digest: once it has been in no running daemon's config for an hour)" if st.shared
                        else "they give up at the daemon's next dispatch"))


def _deliveries(count: int) -> str:
    return f"{count} deliver{'y' if count == 1 else 'ies'}"


sources_app = typer.Typer(cls=_Verbs, help="Feeds and folders with their health; add, import, export, retry, enable, disable, remove.", invoke_without_command=True,
                          epilog=_examples("monitor sources", "monitor sources add https://example.org/world/", "monitor sources retry 1"))
app.add_typer(sources_app, name="sources")


@sources_app.callback()
def sources_list(ctx: typer.Context, config: ConfigOption = DEFAULT_CONFIG) -> None:
    """Every source (from the config and added here) with its health: status, last success, fetch time, last error, next check."""
    if ctx.invoked_subcommand is not None:
        _pass_config(ctx, config)
        return
    table = _Table("id", "name", "kind", "status", "last success", "fetch", "next check", "errors", "new", "last error", title="Sources")
    monitor = _app(config)
    for h in monitor.sources():  # read-only: configured sources not stored yet have no id
        table.add(
            str(h.id or "-"), h.name, h.kind, h.status + (f", silent since {_when(h.silent_since)}" if h.silent_since else ""), _when(h.last_success_at),
            "-" if h.fetch_seconds is None else f"{h.fetch_seconds:.2f} s", _when(h.next_check_at) if h.kind == "feed" else "",
            str(h.error_count), str(h.last_new_items), h.last_error or (f"moved permanently to {h.moved_to}" if h.moved_to else ""),
        )
    out.table(table)
    _say_no_store(monitor)


def _when(value: datetime | None) -> str:
    return value.strftime("%Y-%m-%d %H:%M:%S") if value else "-"


def _source_changed(h: SourceHealth, verb: str) -> None:
    out.line(f"source {h.id} ({h.name}): {verb}, status {h.status}")


SourceId = Annotated[int, typer.Argument(min=1, max=ID_MAX, metavar="ID", help="the source's id (the first column of `monitor sources`)")]


@sources_app.command("retry", epilog=_examples("monitor sources retry 1"))
def sources_retry(source_id: SourceId, config: ConfigOption = DEFAULT_CONFIG) -> None:
    """Poll a source at the daemon's next tick, lifting a suspension."""
    _source_changed(_app(config).retry_source(source_id), "will be polled at the next tick")


@sources_app.command("enable", epilog=_examples("monitor sources enable 1"))
def sources_enable(source_id: SourceId, config: ConfigOption = DEFAULT_CONFIG) -> None:
    """Poll a disabled source again."""
    _source_changed(_app(config).enable_source(source_id), "enabled")


@sources_app.command("disable", epilog=_examples("monitor sources disable 1"))
def sources_disable(source_id: SourceId, config: ConfigOption = DEFAULT_CONFIG) -> None:
    """Stop polling a source (its articles and history stay)."""
    _source_changed(_app(config).disable_source(source_id), "disabled")


@sources_app.command("remove", epilog=_examples("monitor sources remove 3"))
def sources_remove(source_id: SourceId, config: ConfigOption = DEFAULT_CONFIG) -> None:
    """Remove a feed added with `sources add` or `import` (its articles and alerts stay; adding it again brings it back)."""
    removed = _app(config).remove_source(source_id)
    out.line(f"source {removed.id} ({removed.name}): removed (its articles and alerts stay; `monitor sources add URL` brings it back)")


@sources_app.command("add", epilog=_examples("monitor sources add https://example.org/world/rss.xml --name 'example wire'",
                                                   "monitor sources add https://example.org/world/ --every 600"))
def sources_add(
    url: Annotated[str, typer.Argument(metavar="URL", help="a feed URL, or a page that links to its feed")],
    config: ConfigOption = DEFAULT_CONFIG,
    name: Annotated[str | None, typer.Option(help="a name for the source (default: the feed's title)")] = None,
    every: Annotated[float | None, typer.Option(help="fixed seconds between polls (default: adaptive)")] = None,
    full_text: Annotated[bool, typer.Option("--full-text", help="fetch each new entry's page and match its main text")] = False,
) -> None:
    """Add a feed; an HTML page's <link rel="alternate"> feed is found and added instead."""
    if not url.strip():  # was ": no scheme: write it as https://"
        raise typer.BadParameter("empty: give a feed URL, or a page that links to its feed", param_hint="URL")
    with _usage():
        source_id, title, feed_url = _app(config).add_source(url, name, every, full_text)
    out.line(f"source {source_id} ({title}): {feed_url}")


@sources_app.command("import", epilog=_examples("monitor sources export > feeds.opml", "monitor sources import feeds.opml"))
def sources_import(
    opml: Annotated[Path, typer.Argument(parser=_path, metavar="FILE.opml", help="an OPML file exported by a feed reader")],
    config: ConfigOption = DEFAULT_CONFIG,
    every: Annotated[float | None, typer.Option(help="fixed seconds between polls (default: adaptive)")] = None,
) -> None:
    """Add every feed of an OPML file (feeds already known are skipped)."""
    with _usage():
        imported = _app(config).import_opml(opml, every)
    for url, reason in imported.skipped:
        out.line(f"skipped {url}: {reason}")
    out.line(f"{imported.added} of {counted(imported.total, 'feed')} added from {opml}")


@sources_app.command("export", epilog=_examples("monitor sources export > feeds.opml"))
def sources_export(config: ConfigOption = DEFAULT_CONFIG) -> None:
    """Print every feed (configured and added) as OPML, in the folders it was imported with.

    Secrets in URLs (`${ENV}` values, `token=`-like parameters) are masked as ****: put them back before importing elsewhere."""
    monitor = _app(config)
    sys.stdout.write(monitor.export_opml())
    _say_no_store(monitor)


db_app = typer.Typer(cls=_Verbs, help="The store's schema revision: show it, upgrade it.", epilog=_examples("monitor db current", "monitor db upgrade"))
app.add_typer(db_app, name="db")


@db_app.command("current", epilog=_examples("monitor db current --config config/monitor.toml"))
def db_current(config: ConfigOption = DEFAULT_CONFIG) -> None:
    """The store's schema revision and this monitor's newest, without changing the database.

    Where no SQLite store is (before the first run, or a mistyped [store] path) it says so in one line and exits 1."""
    r = _app(config).db_current()
    if r.revisions is None or not r.has_tables:
        out.line(f"database {r.database}: not created yet (the first run creates it at revision {r.head})")
    elif not r.revisions:
        out.line(f"database {r.database}: no revision (made before migrations); opening it checks its columns and stamps it at {r.first}")
    elif r.revisions == (r.head,):
        out.line(f"database {r.database}: revision {r.head} (head: up to date)")
    elif r.newer:
        out.line(f"database {r.database}: revision {', '.join(r.newer)} is newer than this monitor's newest, {r.head} (a newer monitor "
                 "upgraded it; downgrades are not offered): run that monitor, or restore the backup taken before the upgrade")
    else:
        out.line(f"database {r.database}: revision {', '.join(r.revisions)}; this monitor's newest is {r.head}: back it up, then run `monitor db upgrade --config {config}`")


@db_app.command("upgrade", epilog=_examples("monitor backup var/before-upgrade.db", "monitor db upgrade --config config/monitor.toml"))
def db_upgrade(
    config: ConfigOption = DEFAULT_CONFIG,
    create: Annotated[bool, typer.Option("--create", help="make a new, empty SQLite store at the head revision if none is at the config's store path (without it, a path with no store is refused: a mistyped path)")] = False,
) -> None:
    """Upgrade the store's schema to this monitor's newest revision.

    Stop the daemons and back it up first (`monitor backup`); refused while a daemon runs on the store, and where no store is (unless --create)."""
    before = _app(config, notes=False).db_upgrade(create)  # says it itself
    name, head = before.database, before.head
    if before.revisions is None or not before.has_tables:
        out.line(f"database {name}: created at revision {head}")
    elif before.revisions == (head,):
        out.line(f"database {name}: already at revision {head} (head)")
    else:
        out.line(f"database {name}: upgraded from revision {', '.join(before.revisions) or 'none (made before migrations)'} to {head}")
    if before.tightened:
        out.line(f"database {name}: {before.tightened}")


@app.command(epilog=_examples("monitor prune --days 90"))
def prune(
    config: ConfigOption = DEFAULT_CONFIG,
    days: Annotated[int | None, typer.Option("--days", min=1, max=36500, help="prune what is older than this many days (default: keep_days of the config's store table)")] = None,
) -> None:
    """Delete articles (and their matches) and sent deliveries older than keep_days; articles with an alert stay."""
    p = _app(config).prune(days)
    out.line(f"pruned {p.database} of what is older than {p.keep_days} day{'' if p.keep_days == 1 else 's'} (before {p.cutoff:%Y-%m-%d %H:%M} UTC): {p.pruned.describe()}")


@app.command(epilog=_examples("monitor backup var/monitor-copy.db", "monitor backup var/"))
def backup(
    path: Annotated[str, typer.Argument(metavar="PATH", help="a new file for the copy, or a folder to put monitor-<UTC time>.db in")],
    config: ConfigOption = DEFAULT_CONFIG,
) -> None:
    """Copy the SQLite store while the daemon runs (SQLite's online backup); PostgreSQL: use pg_dump."""
    if not path.strip():  # `monitor backup "$DIR"` with DIR unset: not the working folder
        raise typer.BadParameter("empty: give a new file for the copy, or a folder", param_hint="PATH")
    name, written = _app(config).backup(path)
    out.line(f"backed up {name} to {written} ({written.stat().st_size} bytes)")


def main() -> None:
    """Entry point: run the Typer app; a usage mistake is one line and exit 2, a MonitorError one line and exit 1."""
    try:
        code = app(standalone_mode=False)
    except typer.Exit as exc:
        raise SystemExit(exc.exit_code) from None
    except typer.Abort:
        raise SystemExit(130) from None
    except TyperException as exc:  # typer's (vendored) click errors: a wrong verb, option or argument
        sys.stderr.write(f"monitor: {usage_line(exc)}\n")
        raise SystemExit(exc.exit_code) from None  # 2 for every usage error (click's UsageError family)
    except MonitorError as exc:
        say_error(str(exc))
        raise SystemExit(1) from None
    except KeyboardInterrupt:
        raise SystemExit(130) from None
    raise SystemExit(code if isinstance(code, int) else 0)


def say_error(message: str) -> None:
    """The one line a MonitorError ends a verb with, on standard error after the log's lines still waiting there
    (`monitor run` writes them behind: logs.WriteBehind), so that it is the last line, as the docs and tests read it."""
    for handler in logging.getLogger().handlers:
        handler.flush()
    sys.stderr.write(f"monitor: error: {shown(message)}\n")


def usage_line(exc: TyperException) -> str:
    """A usage mistake in one line: what is wrong and the --help to read (a bare `monitor` lists the verbs)."""
    ctx = getattr(exc, "ctx", None)
    command = getattr(ctx, "command_path", "") or "monitor"
    if exc.format_message().startswith("Missing command"):
        verbs = ", ".join(sorted(getattr(getattr(ctx, "command", None), "commands", {}) or ()))
        return f"give a command{f' ({verbs})' if verbs else ''}; `{command} --help` says what each does"
    message = shown(exc.format_message()).rstrip(".")
    if message in ("No such option: --config", "No such option: -c") and ctx is not None and ctx.parent is None:  # `monitor --config X alerts`
        commands = getattr(ctx.command, "commands", {}) or {}
        verb = next((arg for arg in sys.argv[1:] if arg in commands), "VERB")
        message += f": give it after the verb, e.g. `monitor {verb} --config PATH`"
    return f"error: {message}; see `{command} --help`"


# `monitor web` (issue 20): the read-only site, on its own; `monitor run` serves it on [server] listen.
@app.command(epilog=_examples("monitor web", "monitor web --listen 127.0.0.1:8081"))
def web(
    config: ConfigOption = DEFAULT_CONFIG,
    listen: Annotated[str, typer.Option("--listen", help="HOST:PORT to serve on; not loopback: needs MONITOR_WEB_TOKEN or MONITOR_WEB_USER and MONITOR_WEB_PASSWORD")] = "127.0.0.1:8080",
) -> None:
    """Serve the read-only web view (alerts, stories, actors over time, sources) until Ctrl-C."""
    monitor = _app(config, notes=False)  # its log says an upgrade
    _logging(monitor.settings, False, None)  # its lines as the daemon's: one line each, UTC, secrets masked
    write_behind()  # (it forks nothing) a standard error that takes nothing holds back no page that logs
    with _usage():
        monitor.web(listen, lambda name, url: out.line(f"web view of {name} on {url}/ (Ctrl-C stops it)"))


# -- trends (issue 19): one self-contained block ------------------------------------------------
@app.command(epilog=_examples("monitor trends --days 90", "monitor trends 'Qasem Soleimani' 'drone strike'", "monitor trends --json"))
def trends(
    names: Annotated[list[str] | None, typer.Argument(metavar="NAME", help="actors or events (default: every one counted)")] = None,
    days: Annotated[int, typer.Option("--days", min=1, max=3650, help="days shown, up to today")] = 30,
    as_json: Annotated[bool, typer.Option("--json", help="one JSON document instead of the table")] = False,
    config: ConfigOption = DEFAULT_CONFIG,
) -> None:
    """Stories per day of actors, events and actor + event pairs, with a sparkline, the escalation score and the spikes marked (^)."""
    from datetime import timedelta

    from monitor.trends import marks, sparkline

    verbs = _app(config)
    with _json_errors(as_json):
        first, rows = verbs.trends(names or (), days)
    _say_no_store(verbs)
    if as_json:
        start = first.date()
        sys.stdout.write(_json_text({"from": start.isoformat(), "days": days, "series": [
            {"actor": r.actor, "event": r.event, "stories": r.stories, "score": [round(x, 3) for x in r.score], "max_severity": r.severity,
             "spikes": [(start + timedelta(days=i)).isoformat() for i in sorted(r.spikes)]} for r in rows]}) + "\n")
        for note in [*verbs.unknown_names(_not_listed(names or (), rows)), *verbs.unit_notes(names or ())]:  # beside the JSON, not in it
            sys.stderr.write(f"monitor: {shown(note)}\n")
        return
    table = _Table("actor + event", "stories", "score", "sev", f"per day, {first:%m-%d} to today (^ spike)", title=f"Trends, last {counted(days, 'day')}")
    spark = table.rich.columns[-1]  # (folded where it is wider than the terminal, as every cell: cut, it hid the latest days)
    spark.min_width = min(days, max(out.width - 41, 10))  # one line while the terminal has room: the labels wrap first
    for r in rows:
        table.add(r.label, str(sum(r.stories)), f"{sum(r.score):.1f}", str(r.severity), [sparkline(r.stories), marks(days, r.spikes)] if r.spikes else sparkline(r.stories))
    out.table(table)
    if not rows:
        out.line("no story counted in that time" + (f" for {', '.join(names)}" if names else ""))
    for note in [*verbs.unknown_names(_not_listed(names or (), rows)), *verbs.unit_notes(names or ())]:
        out.line(note)


def _not_listed(names: Sequence[str], rows: list[Series]) -> list[str]:
    """The NAMEs no series shown is of (an alias, a slip: `unknown_names` says which)."""
    listed = {n.casefold() for r in rows for n in (r.actor, r.event)}
    return [n for n in names if n.strip().casefold() not in listed]
