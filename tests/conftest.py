"""Shared fixtures: real local servers on 127.0.0.1 (HTTP, SMTP, PostgreSQL) and config files in tmp_path.

The store of every config that write_config makes is a SQLite file in tmp_path, or, with
MONITOR_TEST_STORE=postgresql (the second pass of `make test`), a database of its own on a PostgreSQL
server that this session starts (initdb + pg_ctl on a free port, stopped at the end).
"""

from __future__ import annotations

import json
import os
import glob
import pwd
import random
import resource
import shutil
import socket
import ssl
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from tests.matching_fixtures import matcher, plain, rules  # noqa: F401  (the default and the plain list compiled once: the matching pass tests' fixtures)

REPO = Path(__file__).resolve().parent.parent
SEED = REPO / "seeds" / "soleimani-strike-2020-01.txt"
DEFAULT_WATCHLIST = REPO / "config" / "watchlist.yaml"
STORE = os.environ.get("MONITOR_TEST_STORE", "sqlite")  # sqlite | postgresql: where write_config's stores are
ON_POSTGRES = STORE == "postgresql"
sqlite_only = pytest.mark.skipif(ON_POSTGRES, reason="SQLite only (a file, its pragmas or its lock file); this pass runs on PostgreSQL")
# Modules that never open a store (pure stages, parsing, HTTP, docs): the PostgreSQL pass does not run them
# again. A module not named here runs in both passes.
STORELESS = {"test_alert_plugins.py", "test_decide.py", "test_dependencies.py", "test_matching_forms.py", "test_bench_server.py", "test_dedup.py", "test_docs.py", "test_evaluation.py", "test_feeds.py",
             "test_http.py", "test_layout.py", "test_logs.py", "test_matching.py", "test_memory.py", "test_parsing.py", "test_schedule.py",
             "test_settings.py", "test_smoke_fixtures.py", "test_stories.py", "test_watchlist.py"}
CORPUS = Path(os.environ.get("MONITOR_CORPUS") or REPO.parent / "shared" / "corpora" / "feeds")  # the shared feed corpus

# A route answers a request: (status, headers, body) or a callable that writes to the handler itself.
Route = tuple[int, dict[str, str], bytes] | Callable[[BaseHTTPRequestHandler, bytes], None]


def pytest_ignore_collect(collection_path: Path, config: pytest.Config) -> bool | None:
    """In the PostgreSQL pass, leave out the modules that never open a store (they ran in the SQLite pass)."""
    return True if ON_POSTGRES and collection_path.name in STORELESS else None


@dataclass
class LocalHTTP:
    """A real threaded HTTP server on a loopback address whose routes a test sets."""

    port: int
    routes: dict[str, Route] = field(default_factory=dict)
    requests: list[tuple[str, str, dict[str, str], bytes]] = field(default_factory=list)
    host: str = "127.0.0.1"

    def url(self, path: str) -> str:
        return f"http://{self.host}:{self.port}{path}"


def _handler(server: LocalHTTP) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        disable_nagle_algorithm = True  # headers and body go out at once (no 40 ms delayed-ACK stall)

        def log_message(self, *args: Any) -> None:
            pass

        def _serve(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            server.requests.append((self.command, self.path, dict(self.headers), body))
            route = server.routes.get(self.path.split("?")[0])
            if route is None:
                self.send_response(404)
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            if callable(route):
                route(self, body)
                return
            status, headers, payload = route
            self.send_response(status)
            for k, v in headers.items():
                self.send_header(k, v)
            if "Content-Length" not in headers:
                self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        do_GET = do_POST = _serve

    return Handler


@contextmanager
def serve_http(host: str = "127.0.0.1", tls: ssl.SSLContext | None = None) -> Iterator[LocalHTTP]:
    """Run a LocalHTTP server in a thread for the duration of the block (any of 127/8 on Linux); behind
    TLS with `tls`'s certificate when given."""
    state = LocalHTTP(port=0, host=host)
    httpd = ThreadingHTTPServer((host, 0), _handler(state))
    if tls is not None:
        httpd.socket = tls.wrap_socket(httpd.socket, server_side=True)
    httpd.daemon_threads = True
    state.port = httpd.server_address[1]
    threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
    try:
        yield state
    finally:
        httpd.shutdown()
        httpd.server_close()


@pytest.fixture
def http_server() -> Iterator[LocalHTTP]:
    with serve_http() as state:
        yield state


@dataclass
class JsonReceiver:
    """A local endpoint for Apprise's json://: keeps accepted messages; `fail` makes it answer 500,
    `hang` makes it keep the request unanswered until `release` is set (then it drops it)."""

    http: LocalHTTP
    fail: bool = False
    hang: bool = False
    messages: list[dict[str, Any]] = field(default_factory=list)
    rejected: int = 0
    hung: int = 0
    release: threading.Event = field(default_factory=threading.Event)

    def __post_init__(self) -> None:
        def route(handler: BaseHTTPRequestHandler, body: bytes) -> None:
            if self.hang:
                self.hung += 1
                self.release.wait(30)
                handler.close_connection = True
                return
            if self.fail:
                self.rejected += 1
            else:
                self.messages.append(json.loads(body))
            handler.send_response(500 if self.fail else 200)
            handler.send_header("Content-Length", "0")
            handler.end_headers()

        self.http.routes["/alerts"] = route

    @property
    def url(self) -> str:
        return f"json://127.0.0.1:{self.http.port}/alerts"


@pytest.fixture
def json_receiver() -> Iterator[JsonReceiver]:
    with serve_http() as state:
        yield JsonReceiver(state)


@dataclass
class SmtpSink:
    """A real aiosmtpd server on 127.0.0.1 that keeps every message."""

    port: int
    messages: list[Any] = field(default_factory=list)


@pytest.fixture
def smtp_server() -> Iterator[SmtpSink]:
    from aiosmtpd.controller import Controller
    from aiosmtpd.handlers import Message

    sink = SmtpSink(port=free_port())

    class Keep(Message):
        def handle_message(self, message: Any) -> None:
            sink.messages.append(message)

    controller = Controller(Keep(), hostname="127.0.0.1", port=sink.port)
    controller.start()
    yield sink
    controller.stop()


@contextmanager
def smtp_answering(answer: Callable[[str, Any], str | None]) -> Iterator[tuple[int, list[list[str]]]]:
    """A real aiosmtpd server on 127.0.0.1 whose answer to each RCPT is `answer(address, server)` (None: the address is
    taken, 250). Yields its port and the recipients of each message it took."""
    from aiosmtpd.controller import Controller

    taken: list[list[str]] = []

    class Answering:
        async def handle_RCPT(self, server: Any, session: Any, envelope: Any, address: str, options: list[str]) -> str:
            if (refusal := answer(address, server)) is not None:
                return refusal
            envelope.rcpt_tos.append(address)
            return "250 OK"

        async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
            taken.append(list(envelope.rcpt_tos))
            return "250 OK"

    port = free_port()
    controller = Controller(Answering(), hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield port, taken
    finally:
        controller.stop()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_for(predicate: Callable[[], Any], timeout: float = 10.0, interval: float = 0.05) -> Any:
    """Poll until predicate() is truthy (an event we cannot await directly); fail after timeout."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    raise AssertionError(f"condition not met within {timeout}s")


def served_pages(pipeline: Any, *paths: str) -> list[str]:
    """The bodies of paths as the pipeline's web view serves them over HTTP on a free local port; the store is
    closed after (a test's last look at it)."""
    import urllib.request

    from monitor.server import Endpoint, Health

    served = Endpoint("127.0.0.1:0", ("127.0.0.1", 0), Health(pipeline.db, 900, 60), lambda: pipeline.ingest.matcher.watchlist)
    try:
        return [urllib.request.urlopen(f"http://127.0.0.1:{served.port}{path}", timeout=10).read().decode() for path in paths]
    finally:
        served.close()
        pipeline.db.engine.dispose()


def write_config(tmp_path: Path, *, feeds: list[dict[str, Any]] | None = None, folders: list[Path] | None = None,
                 channels: list[dict[str, Any]] | None = None, watchlist: Path = DEFAULT_WATCHLIST,
                 settings: dict[str, dict[str, Any]] | None = None) -> Path:
    """A monitor.toml in tmp_path with absolute paths, the test's store (store_url) and the given sources and channels.

    Test defaults are fast (short intervals and backoff) and allow loopback under [http], since every
    test server is on 127.0.0.1; `settings` overrides or adds keys per table.
    """
    tables: dict[str, dict[str, Any]] = {
        "http": {"allow_networks": ["127.0.0.0/8"]},
        "store": {"url": store_url(tmp_path)} if ON_POSTGRES else {"path": str(tmp_path / "monitor.db")},
        "schedule": {"feeds_every": 0.5, "folders_every": 1, "dispatch_every": 0.5, "watchlist_every": 0.3},
        "delivery": {"backoff_seconds": 0.5, "backoff_max_seconds": 1, "max_attempts": 3, "lease_seconds": 120},
        "server": {"listen": ""},  # no health endpoint unless a test asks: daemons of parallel tests would share its port
    }
    for table, values in (settings or {}).items():
        tables.setdefault(table, {}).update(values)
    lines = [f"watchlist = {json.dumps(str(watchlist))}"]
    for table, values in tables.items():
        lines += [f"[{table}]"] + [f"{k} = {json.dumps(v)}" for k, v in values.items()]
    for feed in feeds or []:
        lines += ["[[feeds]]"] + [f"{k} = {json.dumps(v)}" for k, v in feed.items()]
    for folder in folders or []:
        lines += ["[[folders]]", f'path = "{folder}"', "settle_seconds = 0.2"]
    for channel in channels if channels is not None else [{"name": "file", "url": f"console://local?file={tmp_path / 'alerts.jsonl'}"}]:
        lines += ["[[channels]]"] + [f"{k} = {json.dumps(v)}" for k, v in channel.items()]
    path = tmp_path / "monitor.toml"
    path.write_text("\n".join(lines) + "\n")
    return path


DISTINCT_STORIES = [  # five matching articles that are different stories, not copies of one
    "Kataeb Hezbollah fired rockets at a remote outpost near the Syrian border on Sunday.",
    "A drone strike hit a convoy of the Popular Mobilization Forces outside Baghdad overnight.",
    "Tehran launched ballistic missiles at a base in western Iraq before dawn, officials said.",
    "Qassem Suleimani was killed in a US strike near the airport, the ministry confirmed.",
    "Abu Mahdi al-Muhandis was among those killed in the attack on the two-car convoy.",
]


def inbox_with(tmp_path: Path, texts: list[str]) -> Path:
    """An inbox folder holding one settled file per text (written a minute ago, as if long finished)."""
    inbox = tmp_path / "inbox"
    inbox.mkdir(exist_ok=True)
    for i, text in enumerate(texts):
        path = inbox / f"{i}.txt"
        path.write_text(text)
        os.utime(path, (time.time() - 60, time.time() - 60))
    return inbox


@contextmanager
def memory_ceiling(extra: int = 1 << 30) -> Iterator[None]:
    """Cap this process's address space at what it has now plus `extra` bytes for the block, so that
    hostile input which would take the machine's memory raises MemoryError instead."""
    soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    size = int(Path("/proc/self/statm").read_text().split()[0]) * resource.getpagesize()
    resource.setrlimit(resource.RLIMIT_AS, (size + extra if hard == resource.RLIM_INFINITY else min(size + extra, hard), hard))
    try:
        yield
    finally:
        resource.setrlimit(resource.RLIMIT_AS, (soft, hard))


def long_word(length: int) -> str:
    """One word of `length` letters whose skeleton is as long (no doubled letters, no vowels)."""
    letters = random.Random(length).choices("bdfgklmnprstvz", k=length)
    return "".join(a for a, b in zip(letters, letters[1:] + [""]) if a != b)[:length].ljust(length, "x")


def run_at_once(tmp_path: Path, argvs: dict[str, list[str]], go: Path) -> None:
    """Start a Python process per name (`python -c ...` arguments), wait until each has written
    tmp_path/ready-<name>, touch `go` so that they go on together, and assert that each exits 0."""
    procs = [subprocess.Popen([sys.executable, *argv], cwd=REPO) for argv in argvs.values()]
    try:
        wait_for(lambda: all((tmp_path / f"ready-{n}").exists() for n in argvs) or any(p.poll() is not None for p in procs), timeout=120)
        go.touch()
        assert [p.wait(timeout=300) for p in procs] == [0] * len(procs)
    finally:
        for p in procs:
            if p.poll() is None:
                p.kill()


PG_PASSWORD = "pg-secret-Pw1"  # the server's superuser password: tests check that messages mask it


@dataclass
class PostgresServer:
    """A throwaway PostgreSQL cluster on 127.0.0.1 (password auth over TCP), run as a non-root user."""

    root: Path
    port: int
    bin: Path
    user: str | None  # the system user the server runs as when this process is root
    databases: dict[Path, str] = field(default_factory=dict)  # the databases of the test under way, by its tmp_path
    made: int = 0

    def url(self, database: str = "postgres", password: str = PG_PASSWORD, port: int | None = None) -> str:
        return f"postgresql+psycopg://postgres:{password}@127.0.0.1:{port or self.port}/{database}"

    def sql(self, statement: str, database: str = "postgres") -> list[tuple[Any, ...]]:
        """Run one statement in autocommit; the rows it returned (none: [])."""
        import psycopg

        with psycopg.connect(host="127.0.0.1", port=self.port, user="postgres", password=PG_PASSWORD, dbname=database, autocommit=True) as conn:
            cursor = conn.execute(statement)  # type: ignore[arg-type]
            return list(cursor.fetchall()) if cursor.description else []

    def new_database(self, key: Path) -> str:
        """An empty database of its own for `key` (a test's tmp_path), the same one when asked again."""
        if key not in self.databases:
            self.made += 1
            name = f"t{self.made}"
            self.sql(f"CREATE DATABASE {name} TEMPLATE template0 STRATEGY FILE_COPY")
            self.databases[key] = name
        return self.url(self.databases[key])

    def drop_databases(self) -> None:
        """Drop the test's databases (their clients, if any are left, disconnected)."""
        while self.databases:
            self.sql(f"DROP DATABASE IF EXISTS {self.databases.popitem()[1]} WITH (FORCE)")

    def run(self, *args: str) -> None:
        prefix = ["runuser", "-u", self.user, "--"] if self.user else []
        done = subprocess.run(prefix + [str(self.bin / args[0]), *args[1:]], capture_output=True, text=True, timeout=120)
        if done.returncode != 0:
            raise RuntimeError(f"{args[0]} failed ({done.returncode}): {(done.stderr or done.stdout).strip()}")


def postgres_bin() -> Path | None:
    """The directory of initdb and pg_ctl: on PATH, or Debian's /usr/lib/postgresql/<version>/bin."""
    if found := shutil.which("initdb"):
        return Path(found).parent
    versions = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=lambda p: int(p.split("/")[4]) if p.split("/")[4].isdigit() else 0)
    return Path(versions[-1]).parent if versions else None


def start_postgres() -> PostgresServer:
    binaries = postgres_bin()
    if binaries is None:
        raise RuntimeError("PostgreSQL's initdb is not installed (Debian: apt-get install postgresql; .ci/run does it)")
    user = None
    root = Path(tempfile.mkdtemp(prefix="monitor-pg-"))
    if os.geteuid() == 0:  # initdb refuses root
        user = next(u for u in ("postgres", "nobody") if _has_user(u))
        os.chown(root, pwd.getpwnam(user).pw_uid, -1)
    server = PostgresServer(root=root, port=free_port(), bin=binaries, user=user)
    (root / "pw").write_text(PG_PASSWORD)
    os.chmod(root / "pw", 0o644)
    server.run("initdb", "-D", str(root / "data"), "-U", "postgres", "--pwfile", str(root / "pw"), "-E", "UTF8",
               "--auth-local=trust", "--auth-host=scram-sha-256", "--no-sync", "--no-instructions")
    options = f"-p {server.port} -k {root} -c listen_addresses=127.0.0.1 -c fsync=off -c full_page_writes=off -c synchronous_commit=off -c max_connections=200"
    server.run("pg_ctl", "-D", str(root / "data"), "-l", str(root / "log"), "-o", options, "-w", "start")
    return server


def stop_postgres(server: PostgresServer) -> None:
    try:
        server.run("pg_ctl", "-D", str(server.root / "data"), "-m", "immediate", "-w", "stop")
    finally:
        shutil.rmtree(server.root, ignore_errors=True)


def _has_user(name: str) -> bool:
    try:
        pwd.getpwnam(name)
    except KeyError:
        return False
    return True


_POSTGRES: list[PostgresServer] = []  # the session's server, started by the first test that needs one


def postgres() -> PostgresServer:
    """The session's PostgreSQL server, started on first use (stopped by the postgres_session fixture)."""
    if not _POSTGRES:
        _POSTGRES.append(start_postgres())
    return _POSTGRES[0]


@pytest.fixture(scope="session", autouse=True)
def postgres_session() -> Iterator[None]:
    """Stops the session's PostgreSQL server, if a test started one, at the end of the session."""
    yield
    while _POSTGRES:
        stop_postgres(_POSTGRES.pop())


@pytest.fixture(autouse=True)
def _drop_test_databases() -> Iterator[None]:
    """Each test's PostgreSQL databases go at its end: hundreds of them would fill the disk."""
    yield
    if _POSTGRES:
        _POSTGRES[0].drop_databases()


@pytest.fixture
def pg_server() -> PostgresServer:
    """The session's real PostgreSQL server (started on first use, in either pass of the suite)."""
    return postgres()


def store_url(tmp_path: Path) -> str:
    """The test's store: a SQLite file in tmp_path, or (MONITOR_TEST_STORE=postgresql) a database of its own."""
    return postgres().new_database(tmp_path) if ON_POSTGRES else f"sqlite:///{tmp_path / 'monitor.db'}"


def query(tmp_path: Path, sql: str) -> list[tuple[Any, ...]]:
    """Rows of one SQL statement on the test's store (either backend), on a connection of its own."""
    from sqlalchemy import create_engine, text
    from sqlalchemy.pool import NullPool

    engine = create_engine(store_url(tmp_path), poolclass=NullPool)
    try:
        with engine.connect() as conn:
            return [tuple(row) for row in conn.execute(text(sql))]
    finally:
        engine.dispose()
