"""The verbs that check and try the configuration: `check`, `match` (one text, or a replay of stored
articles), `eval` (labelled cases)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, BinaryIO

from monitor.alerts.channels import Notifier, describe, dropped_parameters, route, unwritable_files
from monitor.alerts.decide import ChannelPolicy, decide, why_silent
from monitor.alerts.render import articleless_samples, sample_contexts
from monitor.alerts.templates import template_problems
from monitor.app.core import Core
from monitor.errors import MonitorError, StoreError
from monitor.limits import NotUtf8, read_at_most, utf8_text
from monitor.logs import counted
from monitor.escalation import HEALTH_TAGS
from monitor.matching.evaluation import Report, evaluate, parse_cases, why_no_alert
from monitor.matching.examples import failed_examples, slow_patterns
from monitor.matching.matcher import Matcher
from monitor.matching.rules import match_text
from monitor.dedup import to_article
from monitor.model import Article, MatchResult, Rule, Watchlist
from monitor.replay import Replayed, parse_span, replay
from monitor.sources.folders import MAX_FILE_BYTES, decode_text, parse_document, read_document
from monitor.pipeline import routes, source_specs
from monitor.settings import Channel
from monitor.store import articles, mutes, sources
from monitor.store import stories as story_store
from monitor.store.articles import StoredArticle, stored_article
from monitor.store import migrate
from monitor.store.db import access_problem, database_file, database_name, folder_problem, schema_revision, unstamped_problem
from monitor.stories import StoryIndex, article_time, sketch_normalised
from monitor.text_norm import cut_text
from monitor.watchlist import duplicate_aliases, load_watchlist, unmatchable_aliases


CASES_FILE_BYTES = 50 * 2**20  # a labelled set is read at most (700 cases are some 240 KB; `eval /dev/zero` read for ever)


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
    mutes_unread: str = ""  # why the store (its mutes, stored texts, stories) could not be read ("" when it was, or there is no store yet)
    why_no_alert: str = ""  # when no rule fired: the rule that came nearest and what it lacked (as `monitor eval` says it)
    story: StoryCheck | None = None  # a file's text whose rules fired: the stored story or article that changes the decision


@dataclass(frozen=True)
class StoryCheck:
    """`monitor match FILE`: what the store changes in the daemon's decision on the text (its rules fired): the article
    stored already (the daemon would skip it), or the stored story it would join (a copy alerts only when it escalates)."""

    story: int | None = None  # the story the daemon would join it to
    alert: str | None = None  # that story's latest alert (its uid)
    stored_article: int | None = None  # a stored article with this text or URL
    severity: int | None = None  # the follow-up's severity (None: no alert)
    news: tuple[str, ...] = ()  # what a follow-up adds to the story
    sources: int = 0  # the story's sources with this text's, taken as from a source it has not had
    why_no_alert: str = ""

    def as_json(self) -> dict[str, Any]:
        return {"id": self.story, "alert": self.alert, "stored_article": self.stored_article, "severity": self.severity, "news": list(self.news),
                "why_no_alert": self.why_no_alert or None}


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
        report.problems += [problem for channel in settings.channels for problem in unwritable_files(channel)]
        report.problems += [f"{self.config}: folders[{folder.label}].path: {folder.path} is not a folder (a [[folders]] path names a folder of article files)"
                            for folder in settings.folders if folder.path.exists() and not folder.path.is_dir()]
        if report.problems:
            return report
        report.lines.append(f"config {self.config}: ok ({counted(len(settings.feeds), 'feed')}, {counted(len(settings.folders), 'folder')})")
        report.lines.append(
            f"watchlist {settings.watchlist}: ok ({counted(len(watchlist.actors), 'actor')}, {counted(len(watchlist.events), 'event')}, "
            f"{counted(len(watchlist.rules), 'rule')}, {counted(len(watchlist.examples), 'example')} hold{'s' if len(watchlist.examples) == 1 else ''})",
        )
        report.lines += [f"warning: {settings.watchlist}: {warning}" for warning in [*duplicate_aliases(watchlist), *unmatchable_aliases(watchlist)]]
        if not (watchlist.rules or watchlist.spikes):
            report.lines.append(f"warning: {settings.watchlist}: no rules and no spikes: nothing will alert (docs/watchlist.md)")
        report.lines += [f"warning: {kind} {name!r} " + (f"routes to tags {', '.join(tags)} but no channel has them: its alerts are stored, not sent"
                                                         if tags else "has no tags (tags: []): no channel takes its alerts: they are stored, not sent")
                         for kind, name, tags in [*(("rule", r.name, r.tags) for r in watchlist.rules), *(("spike", x.name, x.tags) for x in watchlist.spikes)]
                         if not route(settings.channels, tags)]
        report.lines += [f"channel {describe(channel)}" for channel in settings.channels]
        report.lines += [f"warning: {dropped}" for channel in settings.channels for dropped in dropped_parameters(channel)]
        report.lines += [f"warning: {blank}" for blank in settings.blank_variables]
        report.lines += [f"warning: folder {folder.path} does not exist yet" for folder in settings.folders if not folder.path.exists()]
        url = settings.store.sqlalchemy_url
        if not self.created():
            if (path := database_file(url)) and (problem := folder_problem(path)):
                raise StoreError(f"{self.config}: store.path: {path}: cannot make its folder: {problem}; give another [store] path")
            if path and (problem := access_problem(path)):
                raise StoreError(f"{self.config}: store.path: {path}: cannot be made: {problem} (or give another [store] path)")
            report.lines.append(f"database {database_file(url)}: not created yet (the first run creates it)")
        elif due := self._upgrade_due():  # a check writes nothing: the store stays as the running (older) monitor has it
            report.lines.append(due)
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

    def _upgrade_due(self) -> str | None:
        """The line `check` says of a store older than this monitor that the daemon will upgrade as it starts
        ([store] upgrade = "auto"), which `check` does not do; None for a store at the head, and for one that opening
        refuses in one line without writing (a newer monitor's; any older one with upgrade = "manual")."""
        url = self.settings.store.sqlalchemy_url
        state = schema_revision(url)
        if self.settings.store.upgrade != "auto" or state is None or not state[1] or state[0] == (migrate.head(),):
            return None
        revisions = state[0]
        if (revisions and not all(migrate.known(r) for r in revisions)) or (not revisions and unstamped_problem(url)):
            return None
        said = ", ".join(revisions) or f"none (made before migrations: taken as {migrate.FIRST} if it has every column of it)"
        return (f"database {database_name(url)}: revision {said}, older than this monitor's {migrate.head()}: not upgraded by check; the daemon "
                "upgrades it as it starts ([store] upgrade = \"auto\"; downgrades are not offered): back it up first "
                f"({'monitor backup' if database_file(url) else 'pg_dump'}), or upgrade it now: monitor db upgrade --config {self.config}")

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
            doc = parse_document(data, Path(f"{file}.txt"), file)  # as a folder's .txt file (its first line a title)
        if not text.strip():
            raise MonitorError(f"{file}: empty: no text to match")
        matched = self._matched(text, watchlist)
        if not matched.result.alert or matched.mutes_unread:
            return matched
        try:
            return replace(matched, story=self._story_check(to_article(doc), matched))
        except StoreError as exc:
            return replace(matched, mutes_unread=str(exc))

    def _story_check(self, article: Article, matched: Matched) -> StoryCheck | None:
        """The daemon's decision on `article` where the store changes it: stored already, or a copy of a stored story
        (found as the daemon finds it: the store's latest `[stories] window` sketches, `join_within`); None: a new story."""
        if (db := self.stored()) is None:
            return None
        if (same := articles.article_with(db, article.canonical_url, article.content_hash)) is not None:
            return StoryCheck(stored_article=same, why_no_alert=f"article {same} has this text already (the daemon would not store it again)")
        index, now = StoryIndex(), datetime.now(UTC)
        index.extend((a, st, sig, n, article_time(published, fetched)) for a, st, sig, n, published, fetched in
                     story_store.recent_sketches(db, self.settings.stories.window))
        signature, size = sketch_normalised(article.normalised)
        found = index.find(signature, size, article_time(article.published, now), timedelta(hours=self.settings.stories.join_within))
        with db.transaction() as connection:
            story = story_store.state(connection, found, 0)  # from a source the story has not had
        if story is None:
            return None
        policy, muted = ChannelPolicy(routes(self.settings), matched.rules), set(matched.muted)
        decision = decide(matched.result, story, muted, policy, now)
        if decision is None:
            return StoryCheck(story.id, story.last_alert_uid, why_no_alert=why_silent(matched.result, story, muted, policy, now, story.last_alert_uid))
        return StoryCheck(story.id, story.last_alert_uid, severity=decision.result.severity, news=decision.news, sources=story.sources)

    def match_stored(self, article_id: int, watchlist: Path | None = None) -> tuple[StoredArticle, Matched]:
        """A stored article (by its number) re-matched as `match` matches a file, with the mutes in force now."""
        db = self.required_store()
        article = stored_article(db, article_id)
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
            if (data := read_at_most(cases, CASES_FILE_BYTES)) is None:
                raise MonitorError(f"{cases}: larger than {CASES_FILE_BYTES // 2**20} MiB, not read: labelled cases are JSON lines (is it the right file?)")
            # each text matched as the daemon matches an article: its first TEXT_CHARS characters
            labelled = [replace(case, text=cut_text(case.text)) for case in parse_cases(utf8_text(data).splitlines(), str(cases))]
        except OSError as exc:
            raise MonitorError(f"{cases}: cannot read cases: {exc.strerror}") from None
        except NotUtf8 as exc:
            raise MonitorError(exc.where(cases)) from None
        except ValueError as exc:
            raise MonitorError(str(exc)) from None
        if not labelled:
            raise MonitorError(f"{cases}: no cases: one JSON object per line (id, text, actors, events, alert)")
        return evaluate(matcher, labelled)
