"""The verbs that check and try the configuration: `check`, `match` (one text, or a replay of stored
articles), `eval` (labelled cases)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from monitor.alerts.channels import Notifier, describe, route
from monitor.alerts.render import sample_context
from monitor.alerts.templates import template_problems
from monitor.app.core import Core
from monitor.errors import MonitorError
from monitor.matching.evaluation import Report, evaluate, parse_cases
from monitor.matching.examples import failed_examples, slow_patterns
from monitor.matching.matcher import Matcher
from monitor.matching.rules import match_text
from monitor.model import MatchResult
from monitor.replay import Replayed, parse_span, replay
from monitor.sources.folders import decode_text, read_document
from monitor.store import mutes
from monitor.store.db import database_file, database_name
from monitor.text_norm import cut_text
from monitor.watchlist import duplicate_aliases, load_watchlist


@dataclass
class CheckReport:
    """`monitor check`: problems (each one line; any of them fails the check) and what else it found, in order."""

    problems: list[str] = field(default_factory=list)
    lines: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Replay:
    """`monitor match --replay`: the span, how many articles, and those that would alert differently."""

    since: datetime
    until: datetime
    total: int
    newly: list[Replayed]
    dropped: list[Replayed]


class CheckVerbs(Core):
    """Verbs that check the config and watchlist or run the matcher without storing or alerting."""

    def check(self) -> CheckReport:
        """Validate config, watchlist, channel URLs and templates, the examples, and open the database."""
        settings = self.settings
        watchlist = load_watchlist(settings.watchlist)
        Notifier(settings.channels)
        matcher = Matcher(watchlist)
        report = CheckReport()
        report.problems += [f"example failed: {failure}" for failure in failed_examples(matcher, watchlist.examples)]
        report.lines += [f"warning: {warning}" for warning in slow_patterns(matcher, watchlist.examples)]
        report.problems += template_problems(settings.channels, sample_context(matcher))
        report.problems += [f"{self.config}: folders[{folder.label}].path: {folder.path} is not a folder (a [[folders]] path names a folder of article files)"
                            for folder in settings.folders if folder.path.exists() and not folder.path.is_dir()]
        if report.problems:
            return report
        report.lines.append(f"config {self.config}: ok ({len(settings.feeds)} feeds, {len(settings.folders)} folders)")
        report.lines.append(
            f"watchlist {settings.watchlist}: ok ({len(watchlist.actors)} actors, {len(watchlist.events)} events, "
            f"{len(watchlist.rules)} rules, {len(watchlist.examples)} examples hold)",
        )
        report.lines += [f"warning: {settings.watchlist}: {warning}" for warning in duplicate_aliases(watchlist)]
        if not (watchlist.rules or watchlist.spikes):
            report.lines.append(f"warning: {settings.watchlist}: no rules and no spikes: nothing will alert (docs/watchlist.md)")
        report.lines += [f"warning: rule {rule.name!r} routes to tags {', '.join(rule.tags)} but no channel has them: its alerts are stored, not sent"
                         for rule in watchlist.rules if not route(settings.channels, rule.tags)]
        report.lines += [f"channel {describe(channel)}" for channel in settings.channels]
        report.lines += [f"warning: folder {folder.path} does not exist yet" for folder in settings.folders if not folder.path.exists()]
        url = settings.store.sqlalchemy_url
        if not self.created():
            report.lines.append(f"database {database_file(url)}: not created yet (the first run creates it)")
        else:
            self.open_store().close()  # an older database's missing column, or an old revision with upgrade = manual, fails here in one line
            report.lines.append(f"database {database_name(url)}: ok")
        return report

    def matcher(self, watchlist: Path | None = None) -> Matcher:
        """The matcher of a watchlist file or folder, or of the config's."""
        return Matcher(load_watchlist(watchlist or self.settings.watchlist))

    def match(self, file: str, data: bytes | None = None, watchlist: Path | None = None) -> tuple[str, MatchResult]:
        """What the watchlist matches in an article file (or in `data`, read from standard input): (the text, the result).
        A binary or empty one is refused in one line, as the folder sources refuse it."""
        if data is None:
            doc = read_document(Path(file), file)
            text = f"{doc.title}\n\n{cut_text(doc.text)}" if doc.title else cut_text(doc.text)
        else:
            file = "standard input"
            text = cut_text(decode_text(data, Path(file), file))
        if not text.strip():
            raise MonitorError(f"{file}: empty: no text to match")
        return text, match_text(self.matcher(watchlist), text)

    def replay(self, span: str, watchlist: Path | None = None) -> Replay:
        """Re-match the stored articles of a span; those that would alert differently."""
        now = datetime.now(UTC)
        since, until = parse_span(span, now)
        db = self.stored()
        newly, dropped, total = replay(db, self.matcher(watchlist), since, until, set(mutes.active(db, now))) if db else ([], [], 0)
        return Replay(since, until, total, newly, dropped)

    def evaluate(self, cases: Path, watchlist: Path | None = None) -> Report:
        """Precision, recall and F1 of the watchlist on labelled cases, with every error's cause."""
        matcher = self.matcher(watchlist)
        try:
            labelled = parse_cases(cases.read_text(encoding="utf-8").splitlines(), str(cases))
        except OSError as exc:
            raise MonitorError(f"{cases}: cannot read cases: {exc.strerror}") from None
        except UnicodeDecodeError as exc:
            raise MonitorError(f"{cases}: not UTF-8 text (byte {exc.start}): labelled cases are JSON lines") from None
        except ValueError as exc:
            raise MonitorError(str(exc)) from None
        if not labelled:
            raise MonitorError(f"{cases}: no cases: one JSON object per line (id, text, actors, events, alert)")
        return evaluate(matcher, labelled)
