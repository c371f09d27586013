"""What was said once of a folder's files (a link refused, an empty file, a file over `max_file_bytes`, ...), kept in
the store so that each cause of each file is said once across runs: `monitor once` run from cron says nothing twice,
and a new cause (the empty file grown too large) is said. A file gone from its folder is forgotten with what was said
of it, so the table follows the folders."""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime

from sqlalchemy import delete, select

from monitor.store.db import Database, upsert_insert
from monitor.store.tables import NoticeRow, column_length, fit_key, table_of

_SUBJECT_LENGTH = column_length(table_of(NoticeRow).c.subject)
Notice = tuple[str, str]  # (subject, cause)


def _stored(subject: str) -> str:
    """A path as the table keeps it: a name that is not UTF-8 (its bytes as surrogates) with those bytes written out
    (`\\xff`), as a database takes no surrogate; too long, its prefix and hash (fit_key)."""
    return fit_key(subject.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace"), _SUBJECT_LENGTH)


def said(db: Database, source_id: int, present: Collection[str]) -> set[Notice]:
    """What was said of the source's files that are `present` (its listing's paths); what was said of the others
    (gone) is forgotten."""
    asked = {_stored(p): p for p in present}
    with db.session() as s:
        rows = s.execute(select(NoticeRow.id, NoticeRow.subject, NoticeRow.cause).where(NoticeRow.source_id == source_id)).all()
        gone = [row_id for row_id, subject, _ in rows if subject not in asked]
        for i in range(0, len(gone), 500):
            s.execute(delete(NoticeRow).where(NoticeRow.id.in_(gone[i : i + 500])))
    return {(asked[subject], cause) for _, subject, cause in rows if subject in asked}  # (a cause past its column: its key; `say` knows it)


def say(db: Database, source_id: int, subject: str, cause: str, now: datetime) -> bool:
    """Record that this was said of this file: True if it had not been (then say it), in one statement, so that
    two daemons never both say it."""
    insert = upsert_insert("sqlite" if db.sqlite else "postgresql", NoticeRow).values(
        source_id=source_id, subject=_stored(subject), cause=cause, said_at=now)
    with db.session() as s:
        return s.execute(insert.on_conflict_do_nothing().returning(NoticeRow.id)).first() is not None


def forget(db: Database, source_id: int, subjects: Collection[str]) -> None:
    """Forget what was said of these files (gone from the folder: one made again under the name is new)."""
    fitted = sorted({_stored(s) for s in subjects})
    with db.session() as s:
        for i in range(0, len(fitted), 500):
            s.execute(delete(NoticeRow).where(NoticeRow.source_id == source_id, NoticeRow.subject.in_(fitted[i : i + 500])))
