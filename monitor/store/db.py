"""Engine and sessions: SQLite in WAL mode by default, any SQLAlchemy URL by config."""

from __future__ import annotations

import contextlib
import logging
import os
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from sqlalchemy import ColumnElement, Connection, create_engine, event, inspect, select, text, update
from sqlalchemy.engine import URL, Engine, make_url
from sqlalchemy.exc import ArgumentError, NoSuchModuleError, OperationalError, ProgrammingError, SQLAlchemyError
from sqlalchemy.orm import InstrumentedAttribute, Session, sessionmaker

from monitor.errors import SchemaChanged, StoreError
from monitor.owners import owner_and_mode, user_name
from monitor.redact import redact
from monitor.store import migrate
from monitor.store.tables import Base

if TYPE_CHECKING:
    from sqlalchemy.dialects import postgresql, sqlite

log = logging.getLogger("monitor")


def utcnow() -> datetime:
    return datetime.now(UTC)


def parse_url(url: str) -> URL:
    try:
        return make_url(url)
    except ArgumentError as exc:
        raise StoreError(f"bad database URL {redact(url)!r}: {exc}") from None


def database_file(url: str) -> Path | None:
    """The SQLite file of a database URL; None for an in-memory database or another engine."""
    parsed = parse_url(url)
    if parsed.get_backend_name() == "sqlite" and parsed.database not in (None, "", ":memory:"):
        return Path(parsed.database)
    return None


def folder_problem(path: Path) -> str | None:
    """Why the folder of a SQLite file cannot be made, in words, or None: a file stands where the path needs a folder."""
    for parent in path.parents:  # the nearest first
        if parent.exists():
            return None if parent.is_dir() else f"{parent} is a file, not a folder"
    return None


def access_problem(path: Path) -> str | None:
    """Why this user may not use a file of a SQLite store (the store, its lock) for its permissions or those of the
    folder it is (or would be) made in, with what to do: a verb run by another user than the daemon's, in another
    user's checkout; None when they let it."""
    me = user_name(os.geteuid())
    if path.exists():
        try:
            os.close(os.open(path, os.O_RDWR))
        except PermissionError:
            owner, mode = owner_and_mode(path)
            return f"{path} is {owner}'s (mode {mode}), and this user, {me}, may not read and write it: run monitor as {owner}, or give {me} access to it"
        except OSError:
            return None
        folder, why = path.parent, ", where SQLite makes the store's -wal and -shm files"
    else:
        folder, why = next((p for p in path.parents if p.exists()), Path(".")), ""
    folder = Path.cwd() if folder == Path(".") else folder
    if folder.is_dir() and not os.access(folder, os.W_OK | os.X_OK):
        owner, mode = owner_and_mode(folder)
        return f"this user, {me}, may not write in {folder} ({owner}'s, mode {mode}){why}: run monitor as {owner}, or give {me} access to it"
    return None


def make_folder(path: Path) -> None:
    """Make the folder of a SQLite file if missing; StoreError in one line when it cannot be made."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise StoreError(f"{path}: cannot make its folder: {folder_problem(path) or f'{path.parent}: {exc.strerror}'}; give another [store] path") from None


def make_private(path: Path) -> None:
    """A SQLite file not there yet made empty, readable by its owner only (SQLite gives its -wal and -shm its mode):
    a store holds the feeds' URLs as polled, their passwords and tokens; a file already there keeps its mode."""
    try:
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
    except OSError:  # there already; or not makeable, which SQLite then says in its words
        pass


def owner_only(path: Path) -> str | None:
    """A SQLite store made by an older monitor (with the umask's mode, 0644 as a rule), its -wal and -shm too, made
    readable by its owner only, as `make_private` makes new ones: what was done, as "mode 0644 to 0600"; None when the
    store was so already, or its mode cannot be changed (another user's file)."""
    try:
        mode = path.stat().st_mode & 0o777
        if not mode & 0o077:
            return None
        for file in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
            with contextlib.suppress(FileNotFoundError):
                file.chmod(mode & 0o700)
    except OSError:
        return None
    return f"mode {mode:04o} to {mode & 0o700:04o}"


def open_to_others(path: Path) -> str:
    """A SQLite store's mode when others than its owner may read or write it ("mode 0644"), else "": what a verb that
    only reads says of it, changing nothing."""
    with contextlib.suppress(OSError):
        if (mode := path.stat().st_mode & 0o777) & 0o077:
            return f"mode {mode:04o}"
    return ""


def made_owner_only(path: Path) -> str:
    """`owner_only` of a SQLite store as opening it does, in one line logged and returned; "" when nothing was done."""
    if (done := owner_only(path)) is None:
        return ""
    said = f"made readable by its owner only ({done}), as monitor makes new stores: it holds the feeds' URLs with their tokens"
    log.info("%s: %s", path, said)
    return said


def _identity(path: Path) -> tuple[int, int]:
    """The device and inode of a file: which file a path leads to (OSError when none)."""
    st = path.stat()
    return st.st_dev, st.st_ino


def database_name(url: str) -> str:
    """How messages name a database: its file, or its URL with the password masked."""
    path = database_file(url)
    return str(path) if path else redact(parse_url(url).render_as_string(hide_password=True))


OPEN_ATTEMPTS = 5  # tries at opening a SQLite file that another process is creating or upgrading


SCHEMA_LOOK_EVERY = 5.0  # seconds a session may go on the schema revision read before, without reading it again


def _clock() -> float:
    """Seconds, counting the time the machine was suspended (CLOCK_BOOTTIME; `time.monotonic` stops meanwhile, so a
    laptop that slept past the daemon's lease would not have read the revision again)."""
    return time.clock_gettime(time.CLOCK_BOOTTIME) if hasattr(time, "CLOCK_BOOTTIME") else time.monotonic()

SCHEMA_LOCK_KEY = 0x6D6F6E736368656D  # "monschem": a PostgreSQL transaction lock around creating or upgrading the schema


class Database:
    """One engine and its session factory, on a database at the newest schema revision.

    Opening brings the schema to the head revision (migrations: monitor/store/migrations): a new database
    gets every table and is stamped at the head; a database made before migrations whose tables have the
    first revision's columns is stamped at the first; an older revision is upgraded when `upgrade` is
    "auto", refused in one line naming `monitor db upgrade` when it is "manual" (or "never": a verb that only reads). A failure of the database
    under a session (locked, read-only, disk full, unreachable) is raised as a StoreError with the
    driver's short reason, not SQLAlchemy's. `config` only names the config file in messages. `reading`: for
    a verb that only reads, a SQLite file that cannot be opened for want of space is read as it stands
    (`as_it_stands`; `frozen`, with a warning line), not refused. `before_upgrade(revisions)` is called
    before an upgrade, and refuses it by raising.
    """

    engine: Engine
    frozen = False  # read as the file stands (`as_it_stands`): nothing can be written through it
    upgraded_from: tuple[str, ...] = ()  # the revision(s) opening upgraded the schema from; () when it did not
    changed = ""  # why nothing more is written: the schema revision changed under this monitor (SchemaChanged); "" while it did not
    tightened = ""  # what opening did to a SQLite file readable by others than its owner, in one line; "" when nothing
    loose = ""  # opened `reading`: the mode of a SQLite file others than its owner may read ("mode 0644"), left as it is

    def __init__(self, url: str, *, busy_timeout: float = 30.0, upgrade: str = "auto", config: Path | str | None = None, reading: bool = False,
                 before_upgrade: Callable[[tuple[str, ...]], None] | None = None) -> None:
        parsed = parse_url(url)
        self.name = database_name(url)
        self.sqlite = parsed.get_backend_name() == "sqlite"
        self._before_upgrade = before_upgrade
        if path := database_file(url):
            make_folder(path)
            make_private(path)
        try:
            problem = self._start(parsed, busy_timeout, upgrade, config)
        except (SQLAlchemyError, ImportError) as exc:
            if hasattr(self, "engine"):
                self.engine.dispose()
            frozen = as_it_stands(parsed, exc) if reading else None
            if frozen is None:
                raise StoreError(f"cannot open database {self.name}: {open_failure(parsed, exc)}") from None
            try:  # a verb that only reads, on a full file system: the file as it stands
                problem = self._start(frozen, busy_timeout, upgrade, config)
            except (SQLAlchemyError, ImportError):
                self.engine.dispose()
                raise StoreError(f"cannot open database {self.name}: {open_failure(parsed, exc)}") from None
            self.frozen = True
            log.warning("%s: %s", self.name, FROZEN)
        except StoreError:
            self.engine.dispose()
            raise
        if problem:
            self.engine.dispose()
            raise StoreError(
                f"{self.name}: {problem}: this database is from an older monitor; back it up and move it aside "
                "(monitor then starts a new one), or run the older monitor on it: `monitor db upgrade` upgrades only "
                "databases made by a monitor with migrations, or with every column of the first revision"
            )
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)
        self._schema_read = _clock()  # when the schema revision was last read: just now, at the head
        self._file = database_file(url)
        if self._file and reading:  # a verb that only reads changes no file's mode: it says so
            self.loose = open_to_others(self._file)
        elif self._file:  # a store made before stores were made private (upgraded now, or at the head already), or copied in so
            self.tightened = made_owner_only(self._file)
        try:
            self._identity: tuple[int, int] | None = _identity(self._file) if self._file else None
        except OSError:
            self._identity = None

    def _start(self, url: URL, busy_timeout: float, upgrade: str, config: Path | str | None) -> str | None:
        """The engine on `url`, and the schema brought to the head (`_open`)."""
        self.engine = create_engine(url, **_engine_options(url, busy_timeout))
        if self.sqlite:
            event.listen(self.engine, "connect", partial(_sqlite_pragmas, busy_timeout))
        return self._open(upgrade, config)

    def _check_file(self) -> None:
        """On SQLite, the file at the store's path must still be the one opened: removed (or replaced by a
        restored copy) under a running daemon, it took every write into a file no one opens again, and the
        next start began an empty store that alerted on every article once more."""
        if self._file is None or self._identity is None:
            return
        try:
            now = _identity(self._file)
        except FileNotFoundError:
            now = None
        except OSError:
            return  # cannot tell (a folder made unreadable): the writes say what is wrong
        if now != self._identity:
            raise StoreError(f"{self.name}: the database file was removed or replaced while monitor had it open: "
                             "put it back (or restore a backup), then restart the daemon")

    def _open(self, upgrade: str, config: Path | str | None) -> str | None:
        """Bring the schema to the head, trying again a few times when SQLite answers "locked" at once: a
        connection whose WAL snapshot went stale while others created the file is refused without waiting
        for the busy timeout (seen when several processes open one new file together)."""
        for attempt in range(1, OPEN_ATTEMPTS + 1):
            try:
                with self.engine.begin() as connection:
                    return self._bring_to_head(connection, upgrade, config)
            except OperationalError as exc:
                if not (self.sqlite and "locked" in str(exc.orig) and attempt < OPEN_ATTEMPTS):
                    raise
                time.sleep(0.05 * attempt)
        return None  # not reached: the last attempt returns or raises

    def _bring_to_head(self, connection: Connection, upgrade: str, config: Path | str | None) -> str | None:
        """Create, stamp or upgrade the schema (see the class); a schema problem in words, or None."""
        if migrate.current(connection) != (migrate.head(),):
            # DDL runs in a transaction: one process creates or upgrades, the others wait here, then find it done
            # (on PostgreSQL, daemons sharing a database start together: issue 18)
            if self.sqlite:
                connection.exec_driver_sql("BEGIN IMMEDIATE")
            else:
                connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": SCHEMA_LOCK_KEY})
        if not inspect(connection).get_table_names():  # a new database: create_all and stamp the head (Alembic's cookbook)
            Base.metadata.create_all(connection)
            migrate.stamp(connection, migrate.head())
            return None
        revisions = migrate.current(connection)
        if not revisions:  # made by create_all before migrations
            if problem := migrate.first_revision_problem(connection):
                return problem
            migrate.create_first_tables(connection)
            migrate.stamp(connection, migrate.FIRST)
            revisions = (migrate.FIRST,)
        head = migrate.head()
        if revisions != (head,):
            if unknown := [r for r in revisions if not migrate.known(r)]:
                raise StoreError(f"{self.name}: schema revision {unknown[0]} is unknown to this monitor (its newest is {head}): a newer monitor upgraded it; run that one")
            command = f"monitor db upgrade --config {config}" if config else "monitor db upgrade"
            if upgrade == "never":  # a verb that only reads (rolled back: a store made before migrations is not stamped either)
                raise StoreError(f"{self.name}: schema revision {', '.join(revisions)} is older than this monitor's {head}, and a verb that only reads "
                                 f"leaves it as it is (the older monitor can still open it): start the daemon with this monitor (it upgrades the store "
                                 f"as it starts), or back the store up and run `{command}`; then run this again")
            if upgrade != "auto":
                raise StoreError(f"{self.name}: schema revision {', '.join(revisions)} is older than this monitor's {head} and [store] upgrade is manual: back it up, then run `{command}`")
            if self._before_upgrade is not None:
                self._before_upgrade(revisions)  # raises to refuse (a daemon of the older monitor runs on it)
            try:
                migrate.upgrade(connection)
            except (OperationalError, ProgrammingError) as exc:  # rolled back whole with the transaction
                if "already exists" not in (reason := str(exc.orig).strip().split("\n")[0]):
                    raise
                raise StoreError(f"{self.name}: schema revision {', '.join(revisions)} cannot be upgraded to {head}: {redact(reason)}: the store "
                                 "holds tables of a later revision than its own (a backup restored over an upgraded database keeps them): "
                                 "restore the backup into a new database (docs/operations.md, Backup); nothing was changed") from None
            self.upgraded_from = revisions
            log.info("%s: schema upgraded from revision %s to %s", self.name, ", ".join(revisions), head)
        return schema_problem(connection)

    def _check_schema(self, connection: Connection) -> None:
        """The schema revision must still be this monitor's head: a newer monitor may upgrade the store under a daemon
        taken as gone (stopped, suspended or cut off from the store longer than its lease), which, resumed, wrote on
        with the older monitor's idea of the tables. Read again when SCHEMA_LOOK_EVERY seconds have passed since the
        last read (so always after such a stall); once changed, every session is refused (SchemaChanged). Called as a
        transaction begins and again before it commits: a stall inside the block (after a fresh read let it begin) is
        then read too, inside the transaction, and its work rolled back. (On SQLite a transaction that wrote before the
        stall held the lock an upgrade needs; on PostgreSQL the upgrade's DDL waits for the tables the block wrote.)"""
        if not self.changed and _clock() - self._schema_read >= SCHEMA_LOOK_EVERY:
            if (revisions := migrate.current(connection)) != (migrate.head(),):
                self.changed = schema_changed(self.name, revisions)
            self._schema_read = _clock()  # after `changed`: a session finding the read fresh finds what it found
        if self.changed:
            raise SchemaChanged(self.changed)

    @contextmanager
    def session(self) -> Iterator[Session]:
        """A session whose work is committed together, or not at all."""
        self._check_file()
        try:
            with self._sessions() as session, session.begin():
                self._check_schema(session.connection())
                yield session
                self._check_schema(session.connection())  # before the commit (see _check_schema)
        except OperationalError as exc:  # the database, not the statement: locked, read-only, disk full, gone
            raise StoreError(f"{self.name}: {FROZEN if self.frozen else unavailable_reason(exc)}") from exc

    @contextmanager
    def transaction(self) -> Iterator[Connection]:
        """A Core connection in one transaction, committed when the block ends or rolled back whole if it
        raises, like `session` but without an ORM session's bookkeeping: for the storing thread's statements
        (the known keys of a feed, its new articles), where that bookkeeping cost more than the SQL."""
        self._check_file()
        try:
            with self.engine.begin() as connection:
                self._check_schema(connection)
                yield connection
                self._check_schema(connection)  # before the commit (see _check_schema)
        except OperationalError as exc:  # as in `session`
            raise StoreError(f"{self.name}: {FROZEN if self.frozen else unavailable_reason(exc)}") from exc

    def close(self) -> None:
        self.engine.dispose()


def schema_changed(name: str, revisions: tuple[str, ...]) -> str:
    """What a monitor says, and does, when its store's schema revision is no longer its own."""
    said, head = ", ".join(revisions) or "none", migrate.head()
    if revisions and all(migrate.known(r) for r in revisions):  # an older one: a backup restored under it
        return (f"{name}: schema revision {said} is not this monitor's {head}: the store was changed while this monitor had it open (an older "
                "backup restored into it?): this monitor writes nothing more to it; restart it (it upgrades the store as it starts)")
    return (f"{name}: schema revision {said} is not this monitor's {head}: a newer monitor upgraded the store while this one had it open (this "
            "daemon was stalled or cut off from the store longer than its lease): this monitor writes nothing more to it; run the newer monitor instead")


def move_back(db: Database, when: InstrumentedAttribute[datetime | None], now: datetime, by: timedelta, *where: ColumnElement[bool]) -> int:
    """The wall clock stepped back by `by`: the times of the column `when` (of the rows `where` holds) set later than
    `now` were set by the clock ahead, and are moved back by the step, never before now. How many moved.
    (A feed's next check, a pending delivery's retry: `sources.clock_stepped_back`, `outbox.clock_stepped_back`.)"""
    table = when.class_
    with db.session() as s:
        rows = s.execute(select(table.id, when).where(when > now, *where)).all()
        for row_id, due in rows:
            s.execute(update(table).where(table.id == row_id).values({when.key: max(now, due - by)}))
        return len(rows)


def alive_daemons(url: str, now: datetime) -> list[tuple[str, int, str | None, datetime, float]]:
    """(host, pid, pid space: None before revision 0010, heartbeat, lease seconds) of the daemons whose heartbeat is within their lease in
    the store's registry (none before revision 0006 made it), read without opening the store as a Database
    (`monitor db upgrade`: an older schema)."""
    parsed = parse_url(url)
    try:
        with _looking_at(parsed) as connection:
            if not inspect(connection).has_table("daemons"):
                return []
            space = "pid_space" if any(c["name"] == "pid_space" for c in inspect(connection).get_columns("daemons")) else "NULL"
            rows = connection.execute(text(f"SELECT host, pid, {space}, heartbeat_at, lease_seconds FROM daemons")).all()
    except (SQLAlchemyError, ImportError) as exc:
        raise StoreError(f"cannot open database {database_name(url)}: {open_failure(parsed, exc)}") from None
    return [(host, pid, space, beat.replace(tzinfo=UTC), lease) for host, pid, space, beat, lease in rows
            if now - beat.replace(tzinfo=UTC) <= timedelta(seconds=lease)]


def schema_revision(url: str) -> tuple[tuple[str, ...], bool] | None:
    """The database's revision(s) and whether it has tables, without changing it; None if the SQLite file
    does not exist yet. (A database made before migrations: no revision, tables.) On a full file system,
    the SQLite file as it stands (`as_it_stands`)."""
    path = database_file(url)
    if path is not None and not path.exists():
        return None
    parsed = parse_url(url)
    try:
        return _revision(parsed)
    except (SQLAlchemyError, ImportError) as exc:
        if (frozen := as_it_stands(parsed, exc)) is not None:
            with contextlib.suppress(SQLAlchemyError):
                revision = _revision(frozen)
                log.warning("%s: %s", database_name(url), FROZEN)
                return revision
        raise StoreError(f"cannot open database {database_name(url)}: {open_failure(parsed, exc)}") from None


def unstamped_problem(url: str) -> str | None:
    """How a database made before migrations differs from the first revision (`migrate.first_revision_problem`),
    read without changing it; None when it has every column (opening stamps it)."""
    parsed = parse_url(url)
    try:
        engine = create_engine(parsed, **_engine_options(parsed, 30.0))
        try:
            with engine.connect() as connection:
                return migrate.first_revision_problem(connection)
        finally:
            engine.dispose()
    except (SQLAlchemyError, ImportError) as exc:
        raise StoreError(f"cannot open database {database_name(url)}: {open_failure(parsed, exc)}") from None


def _revision(url: URL) -> tuple[tuple[str, ...], bool]:
    with _looking_at(url) as connection:
        return migrate.current(connection), bool(inspect(connection).get_table_names())


@contextmanager
def _looking_at(url: URL) -> Iterator[Connection]:
    """A connection on an engine of its own, disposed after: a look at a database without opening it as a Database."""
    engine = create_engine(url, **_engine_options(url, 30.0))
    try:
        with engine.connect() as connection:
            yield connection
    finally:
        engine.dispose()


FROZEN = "its file system is full: read as the file stands (nothing can be written to it): free space on it"


def as_it_stands(url: URL, exc: SQLAlchemyError | ImportError) -> URL | None:
    """The URL that reads a SQLite file as it stands, when it could not be opened for want of space: in WAL
    mode even a reader makes the -shm file (and -wal) beside it, which a full file system refuses. SQLite's
    `immutable` open reads the file alone, which holds every commit when its -wal is empty or gone (no
    process has it open, or one was killed after its checkpoint): for a verb that only reads (nothing can
    be written through it). None when that does not hold: another cause, or commits left in the -wal."""
    path = database_file(url.render_as_string(hide_password=False))
    reason = str(getattr(exc, "orig", exc)).strip()
    if path is None or reason not in ("disk I/O error", "database or disk is full"):
        return None
    free = free_bytes(path.parent)
    wal = path.with_name(path.name + "-wal")
    if free is None or free >= FULL_BELOW or (wal.exists() and wal.stat().st_size > 0):
        return None
    return URL.create("sqlite", database=f"file:{quote(str(path.resolve()))}", query={"immutable": "1", "uri": "true"})


# What an operator does about SQLite's answers (a lock held past the busy timeout needs nothing: it ends).
REMEDIES = {
    "database or disk is full": "free space on its file system",
    "attempt to write a readonly database": "make the file, its -wal and -shm files and their folder writable by the daemon's user",
    "disk I/O error": "check its file system (a read-only mount, an immutable file, a file-size limit, a failing disk)",
    "unable to open database file": "check that its folder exists and the daemon's user may write there",
}


def unavailable_reason(exc: OperationalError) -> str:
    """The driver's own first line ("database is locked", "database or disk is full",
    "attempt to write a readonly database", "disk I/O error", ...), without SQL or parameters, and
    what to do about it when that is known."""
    lines = str(exc.orig).strip().splitlines()
    if not lines:
        return exc.orig.__class__.__name__
    remedy = REMEDIES.get(lines[0].strip())
    return redact(lines[0]) + (f": {remedy}" if remedy else "")


def schema_problem(connection: Connection) -> str | None:
    """The first table column this version needs that the live database lacks, said in words; None if none."""
    return migrate.lacking(connection, Base.metadata)


def open_failure(url: URL, exc: SQLAlchemyError | ImportError) -> str:
    """Why a database could not be opened, in one line without the password: a driver that is missing
    or unknown, a refused connection, a wrong password, ..."""
    if isinstance(exc, ImportError):
        module = (exc.name or "").split(".")[0] or "the driver"
        if module == "psycopg":
            return "psycopg is not installed: pip install 'monitor[postgres]'"
        return f"{module} is not installed (the driver of {url.drivername}): install it, or use postgresql+psycopg:// or sqlite:///"
    if isinstance(exc, NoSuchModuleError):
        return f"no driver {url.drivername!r} in SQLAlchemy: use sqlite:///PATH or postgresql+psycopg://USER:PASSWORD@HOST/DATABASE"
    orig = getattr(exc, "orig", None)
    lines = str(orig if orig is not None else exc).strip().splitlines()
    reason = lines[0] if lines else exc.__class__.__name__
    if url.password:
        reason = reason.replace(str(url.password), "****")
    if url.get_backend_name() == "sqlite" and url.database and reason.strip() in ("disk I/O error", "database or disk is full"):
        if (free := free_bytes(Path(url.database).parent)) is not None and free < FULL_BELOW:  # SQLite could not make its -wal, -shm files
            return f"{reason}: its file system is full ({free // 1024} KiB free): free space on it"
    if url.get_backend_name() == "sqlite" and url.database and reason.strip() in ("unable to open database file", "attempt to write a readonly database"):
        if (problem := access_problem(Path(url.database))) is not None:  # another user's store
            return f"{redact(reason)}: {problem}"
    if url.get_backend_name() == "sqlite" and (remedy := REMEDIES.get(reason.strip())):  # a write refused while opening: an upgrade's
        return f"{redact(reason)}: {remedy}"
    if url.get_backend_name() == "postgresql" and url.database and reason.endswith(f'database "{url.database}" does not exist'):
        where = " ".join(f"{flag} {value}" for flag, value in (("-h", url.host), ("-p", url.port), ("-U", url.username)) if value)
        reason += f": create it (createdb {where} {url.database}, or CREATE DATABASE {url.database}), or give [store] url an existing one"
    return redact(reason)


FULL_BELOW = 1 << 20  # bytes free under which a SQLite store's file system is said to be full


def free_bytes(folder: Path) -> int | None:
    """The bytes an unprivileged user may still write on the file system of `folder`; None if it cannot be told."""
    try:
        info = os.statvfs(folder)
    except OSError:
        return None
    return info.f_bavail * info.f_frsize


def _engine_options(url: URL, busy_timeout: float) -> dict[str, Any]:
    if url.get_backend_name() == "sqlite":
        return {"connect_args": {"timeout": busy_timeout, "check_same_thread": False}}
    # a server: a connection dropped while idle (a restart) is replaced rather than failing a poll
    return {"pool_pre_ping": True, "connect_args": {"connect_timeout": max(1, int(busy_timeout))} if url.get_driver_name() in ("psycopg", "psycopg2") else {}}


SQLITE_CACHE_KIB = 256  # each connection's page cache (SQLite's default 2,000 KiB): the OS caches the file too, and a
# daemon keeps several connections; 3 MB less peak PSS, ingest and the web view's pages as fast (docs/benchmarks.md)


def _sqlite_pragmas(busy_timeout: float, dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    if cursor.execute("PRAGMA page_count").fetchone()[0] == 0:  # a new database only: on one with pages the pragma does
        cursor.execute("PRAGMA auto_vacuum=INCREMENTAL")  # nothing but write the header (a listing would write); `monitor prune` vacuums
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute(f"PRAGMA cache_size=-{SQLITE_CACHE_KIB}")
    cursor.execute(f"PRAGMA busy_timeout={int(busy_timeout * 1000)}")
    cursor.close()


def upsert_insert(dialect: str, table: Any) -> sqlite.Insert | postgresql.Insert:
    """An INSERT into `table` that takes ON CONFLICT clauses, in the dialect named ("sqlite" or "postgresql").
    Each dialect's module is imported when first asked for: a daemon on SQLite never loads PostgreSQL's
    (22 modules, ≈ 2 MB)."""
    if dialect == "sqlite":
        from sqlalchemy.dialects.sqlite import insert
        return insert(table)
    from sqlalchemy.dialects.postgresql import insert as pg_insert
    return pg_insert(table)
