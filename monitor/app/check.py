"""The verbs that check and try the configuration: `check`, `match` (one text, or a replay of stored
articles), `eval` (labelled cases)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, BinaryIO

from monitor.alerts.channels import Notifier, describe, route
from monitor.alerts.render import articleless_samples, sample_contexts
from monitor.alerts.templates import template_problems
from monitor.app.core import Core
from monitor.errors import MonitorError, StoreError
from monitor.escalation import HEALTH_TAGS
from monitor.matching.evaluation import Report, evaluate, parse_cases, why_no_alert
from monitor.matching.examples import failed_examples, slow_patterns
from monitor.matching.matcher import Matcher
from monitor.matching.rules import match_text
from monitor.model import MatchResult, Rule, Watchlist
from monitor.replay import Replayed, parse_span, replay
from monitor.sources.folders import MAX_FILE_BYTES, decode_text, read_document
from monitor.pipeline import source_specs
from monitor.settings import Channel
from monitor.store import mutes, sources
from monitor.store.articles import StoredArticle, stored_article
from monitor.store.db import database_file, database_name, folder_problem
from monitor.text_norm import cut_text
from monitor.watchlist import duplicate_aliases, load_watchlist


@dataclass
class CheckReport:
    """`monitor check`: problems (each one line; any of them fails the check) and what else it found, in order."""

    problems: list[str] = field(default_factory=list)
    lines: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Matched:
    """`monitor match FILE`: the text matched, the result, the watchlist's rules (what a rule waits for before it
    alerts is theirs) and the mutes in force (actor and rule names, each with its end), as the daemon would apply them."""

    text: str
    result: MatchResult
    rules: tuple[Rule, ...]
    muted: dict[str, datetime]
    mutes_unread: str = ""  # why the store's mutes could not be read ("" when they were, or there is no store yet)
    why_no_alert: str = ""  # when no rule fired: the rule that came nearest and what it lacked (as `monitor eval` says it)


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
        report.problems += template_problems(settings.channels, self._samples_of(watchlist, sample_contexts(matcher)))
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
        report.lines += [f"warning: {kind} {name!r} " + (f"routes to tags {', '.join(tags)} but no channel has them: its alerts are stored, not sent"
                                                         if tags else "has no tags (tags: []): no channel takes its alerts: they are stored, not sent")
                         for kind, name, tags in [*(("rule", r.name, r.tags) for r in watchlist.rules), *(("spike", x.name, x.tags) for x in watchlist.spikes)]
                         if not route(settings.channels, tags)]
        report.lines += [f"channel {describe(channel)}" for channel in settings.channels]
        report.lines += [f"warning: folder {folder.path} does not exist yet" for folder in settings.folders if not folder.path.exists()]
        url = settings.store.sqlalchemy_url
        if not self.created():
            if (path := database_file(url)) and (problem := folder_problem(path)):
                raise StoreError(f"{self.config}: store.path: {path}: cannot make its folder: {problem}; give another [store] path")
            report.lines.append(f"database {database_file(url)}: not created yet (the first run creates it)")
        else:
            db = self.open_store()  # an older database's missing column, or an old revision with upgrade = manual, fails here in one line
            try:
                specs = [spec for kind in source_specs(settings) for spec in kind]
                report.problems += [f"{self.config}: {why}" for why in sources.taken_names(db, specs)]
                report.lines += [f"warning: {self.config}: {twin}" for twin in sources.added_twins(db, specs)]
            finally:
                db.close()
            report.lines.append(f"database {database_name(url)}: ok")
        return report

    @staticmethod
    def _samples_of(watchlist: Watchlist, articles: list[tuple[str, dict[str, Any]]]) -> Callable[[Channel], list[tuple[str, dict[str, Any]]]]:
        """The sample alerts each channel gets: an article's where a rule routes to it, a spike's where a
        spike does, a source-health alert's where it takes `ops`; an article's where none does."""
        others = articleless_samples()

        def samples(channel: Channel) -> list[tuple[str, dict[str, Any]]]:
            got = [*(articles if any(route([channel], r.tags) for r in watchlist.rules) else []),
                   *([others["spike"]] if any(route([channel], s.tags) for s in watchlist.spikes) else []),
                   *([others["health"]] if route([channel], HEALTH_TAGS) else [])]
            return got or articles
        return samples

    def watchlist(self, watchlist: Path | None = None) -> Watchlist:
        """`monitor watchlist`: the watchlist file or folder (or the config's) as the daemon loads it, thesaurus included."""
        return load_watchlist(watchlist or self.settings.watchlist)

    def matcher(self, watchlist: Path | None = None) -> Matcher:
        """The matcher of a watchlist file or folder, or of the config's."""
        return Matcher(load_watchlist(watchlist or self.settings.watchlist))

    def match(self, file: str, stdin: BinaryIO | None = None, watchlist: Path | None = None) -> Matched:
        """What the watchlist matches in an article file (or read from `stdin`), with the mutes in force (read, never
        made: no store, no mutes; a store that cannot be opened is said, and the match shown without them).
        A binary, empty or oversized one (over 5 MiB, as a file) is refused in one line, as the folder sources refuse it."""
        if stdin is None:
            doc = read_document(Path(file), file)
            text = f"{doc.title}\n\n{cut_text(doc.text)}" if doc.title else cut_text(doc.text)
        else:
            file = "standard input"
            data = stdin.read(MAX_FILE_BYTES + 1)  # an endless pipe is not read whole
            if len(data) > MAX_FILE_BYTES:
                raise MonitorError(f"{file}: larger than {MAX_FILE_BYTES} bytes, not read: give at most 5 MiB (the first part of the article)")
            text = cut_text(decode_text(data, Path(file), file))
        if not text.strip():
            raise MonitorError(f"{file}: empty: no text to match")
        return self._matched(text, watchlist)

    def match_stored(self, article_id: int, watchlist: Path | None = None) -> tuple[StoredArticle, Matched]:
        """A stored article (by its number) re-matched as `match` matches a file, with the mutes in force now."""
        article = stored_article(db, article_id) if (db := self.stored()) else None
        if article is None:
            raise MonitorError(f"no article {article_id} in the store (the daemon's log names each article's number)")
        return article, self._matched(article.body, watchlist)

    def _matched(self, text: str, watchlist: Path | None) -> Matched:
        matcher = self.matcher(watchlist)
        result = match_text(matcher, text)
        if not result.alert:
            return Matched(text, result, matcher.watchlist.rules, {}, why_no_alert=why_no_alert(matcher, text, result))
        muted: dict[str, datetime] = {}
        unread = ""
        try:
            db = self.stored()
            muted = mutes.active(db, datetime.now(UTC)) if db else {}
        except StoreError as exc:
            unread = str(exc)
        return Matched(text, result, matcher.watchlist.rules, muted, unread)

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
