"""Issue 20: the web view over HTTP (no browser): the daemon's endpoint serving it beside /healthz and
/metrics, access off loopback, GET only, and the pure pieces (chart geometry, highlighting, credentials)."""

from __future__ import annotations

import base64
import logging
import os
import re
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from typing import Any
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from monitor import escalation
from monitor.model import Actor, Spike, Watchlist
from monitor.server import Endpoint, Health
from monitor.settings import Settings
from monitor.store import counts
from monitor.store.db import Database
from monitor.store.sources import add_feed
from monitor.web import app, chart, text
from monitor.trends import Mention
from monitor.web.auth import Access, access_for, is_loopback
from monitor.errors import ConfigError
from monitor.redact import redact
from tests.conftest import free_port, sqlite_only, store_url
from tests.web_seed import HOSTILE_TITLE, Seeded, seed, store_scope


def get(url: str, method: str = "GET", headers: dict[str, str] | None = None) -> tuple[int, str]:
    request = urllib.request.Request(url, method=method, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=10) as answer:
            return answer.status, answer.read().decode()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode()


@pytest.fixture(scope=store_scope)
def data(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Seeded]:
    seeded = seed(tmp_path_factory.mktemp("web"))
    yield seeded
    seeded.pipeline.db.engine.dispose()


def endpoint(data: Seeded, host: str = "127.0.0.1") -> Endpoint:
    return Endpoint(f"{host}:0", (host, 0), Health(data.pipeline.db, 900, 60), lambda: data.pipeline.ingest.matcher.watchlist)


def _healthz_served(**limits: float) -> Any:
    """The site's server (monitor.web.serve.Background) on a free loopback port, serving a /healthz that answers ok."""
    from starlette.applications import Starlette
    from starlette.responses import PlainTextResponse
    from starlette.routing import Route

    from monitor.web.serve import Background, bind

    return Background(Starlette(routes=[Route("/healthz", lambda request: PlainTextResponse("ok\n"))]), bind(("127.0.0.1", 0), str), **limits)


def _to_end(client: Any) -> bytes:
    """What a socket receives until the server closes it."""
    received = b""
    while chunk := client.recv(65536):
        received += chunk
    return received


def test_the_daemon_endpoint_serves_the_site_beside_healthz_and_metrics(data: Seeded, monkeypatch: pytest.MonkeyPatch) -> None:
    for key in ("MONITOR_WEB_TOKEN", "MONITOR_WEB_USER", "MONITOR_WEB_PASSWORD"):
        monkeypatch.delenv(key, raising=False)
    served = endpoint(data)
    try:
        base = f"http://127.0.0.1:{served.port}"
        assert get(base + "/healthz") == (200, "ok\n")
        assert "monitor_deliveries" in get(base + "/metrics")[1]
        status, page = get(base + "/alerts")
        assert status == 200 and "Kataeb Hezbollah" in page
        assert HOSTILE_TITLE not in page and "&lt;script&gt;window.__pwned = 1&lt;/script&gt;&lt;b&gt;bold&lt;/b&gt; {{ 7 * 7 }}" in page
        assert get(base + "/alerts", "POST")[0] == 405  # GET only: nothing to write
        assert get(base + "/alerts/999999")[0] == 404
        for huge in ("9" * 23, "9" * 5000):  # past SQLite's integers, past int()'s digits: a 500 and a traceback in the log
            assert get(base + f"/alerts/{huge}")[0] == get(base + f"/stories/{huge}")[0] == 404
        assert get(base + "/actor?name=nobody")[0] == 404
        assert get(base + "/alerts?actor=" + "a" * 5000)[0] == 200  # bounded
        assert get(base + "/alerts?severity=x&state=nonsense")[0] == 400  # said, not ignored
        add_feed(data.pipeline.db, "keyed feed", "https://feeds.example/rss?api_key=hunter2hunter2", None)
        status, page = get(base + "/sources")
        assert status == 200 and "keyed feed" in page and "hunter2hunter2" not in page and "api_key=****" in page  # secrets never in pages
    finally:
        served.close()


def test_the_open_loopback_site_answers_only_to_a_loopback_host_name(data: Seeded, monkeypatch: pytest.MonkeyPatch) -> None:
    """Regression (session 41): the site on loopback, open without credentials, answered whatever Host a request
    named, so a page of any web site visited on that machine could read every page through DNS rebinding (its own
    name resolved to 127.0.0.1: `Host: evil.example:PORT`, same origin to the browser). The open site now answers
    only requests naming a loopback host (localhost, 127.x, [::1]); another name gets one line, 403, and no data.
    With credentials (a reverse proxy's name, MONITOR_WEB_TOKEN) any Host is served as before."""
    from monitor.web.app import create_app
    from monitor.web.serve import Background, bind

    for key in ("MONITOR_WEB_TOKEN", "MONITOR_WEB_USER", "MONITOR_WEB_PASSWORD"):
        monkeypatch.delenv(key, raising=False)
    served = endpoint(data)
    try:
        base = f"http://127.0.0.1:{served.port}"
        for host in (f"evil.example:{served.port}", "evil.example", f"127.0.0.1.evil.example:{served.port}", f"localhost.evil.example:{served.port}"):
            for path in ("/alerts", "/alerts/1", "/sources", "/site.css"):
                status, page = get(base + path, headers={"Host": host})
                assert status == 403 and "Kataeb" not in page and page.count("\n") == 1, (host, path, page)
                assert "loopback" in page
        for host in (f"127.0.0.1:{served.port}", f"localhost:{served.port}", "localhost", f"127.0.0.2:{served.port}", f"[::1]:{served.port}", f"LOCALHOST:{served.port}"):
            assert get(base + "/alerts", headers={"Host": host})[0] == 200, host
        assert get(base + "/healthz", headers={"Host": "evil.example"})[0] == 200  # a probe names what it likes: health is no secret
    finally:
        served.close()
    token = "s3cret-token-41"
    guarded = Background(create_app(data.pipeline.db, lambda: data.pipeline.ingest.matcher.watchlist, Access(token=token)), bind(("127.0.0.1", 0), str))
    try:
        status, page = get(f"http://127.0.0.1:{guarded.port}/alerts", headers={"Host": "monitor.example.org", "Authorization": f"Bearer {token}"})
        assert status == 200 and "Kataeb" in page  # behind a reverse proxy, under its name
    finally:
        guarded.close()


def test_the_daemons_metrics_on_loopback_answer_only_a_loopback_host_name(data: Seeded, monkeypatch: pytest.MonkeyPatch) -> None:
    """Regression (session 41): on a loopback [server] listen, /metrics (source and channel names, counts) answered
    any Host, so a web page visited on the machine read it through DNS rebinding, as it could the open site. On a
    loopback address it now answers only a loopback Host (403 in one line else); /healthz answers all (a probe); on
    another address the metrics are served to that network, as the README says, whatever the Host."""
    for key in ("MONITOR_WEB_TOKEN", "MONITOR_WEB_USER", "MONITOR_WEB_PASSWORD"):
        monkeypatch.delenv(key, raising=False)
    served = endpoint(data)
    try:
        base = f"http://127.0.0.1:{served.port}"
        status, page = get(base + "/metrics", headers={"Host": f"evil.example:{served.port}"})
        assert status == 403 and "monitor_" not in page and page.count("\n") == 1
        assert get(base + "/healthz", headers={"Host": "evil.example"}) == (200, "ok\n")
        assert "monitor_deliveries" in get(base + "/metrics", headers={"Host": f"localhost:{served.port}"})[1]
    finally:
        served.close()
    served = endpoint(data, "0.0.0.0")
    try:
        assert "monitor_deliveries" in get(f"http://127.0.0.1:{served.port}/metrics", headers={"Host": "monitor.example.org"})[1]
    finally:
        served.close()


@pytest.mark.parametrize("query", ["/alerts?actor=a%00b", "/alerts?event=%00", "/alerts?tag=x%00", "/alerts?state=%00", "/actor?name=Iran%00",
                                   "/alerts?actor=%ED%A0%80", "/actor?name=%ED%A0%80"])
def test_a_nul_or_broken_utf8_in_a_filter_is_no_500(data: Seeded, query: str) -> None:
    """Regression (session 41): on PostgreSQL, `/alerts?actor=a%00b` (and event=, tag=) was a 500 with a traceback
    in the log: its text refuses NUL. A filter holding NUL, or bytes that are no UTF-8, is answered as any unknown
    name, on SQLite and PostgreSQL alike."""
    served = endpoint(data)
    try:
        status, _ = get(f"http://127.0.0.1:{served.port}{query}")
    finally:
        served.close()
    assert status == (404 if query.startswith("/actor?") else 400 if "state=" in query else 200)


@pytest.mark.parametrize("severity", ["\u00b2", "\u0661", "\uff13", "-1", "1.5", "4", "9" * 5000])
def test_a_severity_filter_of_other_digits_is_a_400_in_one_line_not_a_500(data: Seeded, severity: str) -> None:
    """Regression (session 41): `/alerts?severity=²` (a superscript two, which str.isdigit takes and int() refuses)
    was a 500 and a traceback in the log. Then it was ignored: every alert listed as if filtered (xhostile5, stop 45). A
    severity filter that is not one of the severities is a 400 saying what to give."""
    from urllib.parse import quote

    served = endpoint(data)
    try:
        status, page = get(f"http://127.0.0.1:{served.port}/alerts?severity={quote(severity)}")
        assert get(f"http://127.0.0.1:{served.port}/alerts?severity=%202")[0] == 200  # ' 2': blanks around a severity are no matter
    finally:
        served.close()
    assert status == 400 and "Kataeb Hezbollah" not in page
    assert "<p>severity: give 0, 1, 2, 3 (at least that severity) or nothing (any), not &#39;" in page and len(page) < 2000


@pytest.mark.parametrize("query, said", [
    ("/alerts?severity=1&severity=2", "severity: given 2 different values; give it once"),
    ("/alerts?state=sent&state=failed&state=held", "state: given 3 different values; give it once"),
    ("/alerts?state=bogus", "state: give pending, held, sent, failed, dismissed or nothing (any), not &#39;bogus&#39;"),
    ("/actor?name=Iran&name=Iraq", "name: given 2 different values; give it once"),
])
def test_a_filter_given_twice_or_out_of_its_values_is_a_400_in_one_line(data: Seeded, query: str, said: str) -> None:
    """xhostile5, stop 45: the web view behind a reverse proxy takes any query string; a parameter given twice with
    different values (the page took the last, silently) or a delivery state that is none is one clear 400. The same value
    twice, and parameters no page reads (`page`, `limit`, a proxy's or a campaign's), are no matter."""
    served = endpoint(data)
    try:
        base = f"http://127.0.0.1:{served.port}"
        status, page = get(base + query)
        assert get(base + "/alerts?severity=2&severity=2&page=-1&limit=99999999999999999999&utm_source=x")[0] == 200
    finally:
        served.close()
    assert status == 400 and f"<h1>Bad request</h1><p>{said}</p>" in page


def test_off_loopback_without_credentials_the_daemon_serves_health_and_metrics_only(data: Seeded, monkeypatch: pytest.MonkeyPatch,
                                                                                   caplog: pytest.LogCaptureFixture) -> None:
    for key in ("MONITOR_WEB_TOKEN", "MONITOR_WEB_USER", "MONITOR_WEB_PASSWORD"):
        monkeypatch.delenv(key, raising=False)
    served = endpoint(data, "0.0.0.0")
    try:
        base = f"http://127.0.0.1:{served.port}"
        assert get(base + "/healthz") == (200, "ok\n")
        assert get(base + "/alerts") == (404, "not found: try /healthz or /metrics\n")
        assert any("web view not served on 0.0.0.0" in r.getMessage() and "MONITOR_WEB_TOKEN" in r.getMessage() for r in caplog.records)
    finally:
        served.close()


@sqlite_only
def test_healthz_off_loopback_names_no_store_file_in_its_503(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture) -> None:
    """Regression (xweb4, session 44): on a [server] listen other than loopback, /healthz's 503 gave any probe of that
    network the store's reason in full: the database file's path (or a job's failure naming it). Off loopback it now
    says the kind of problem only, in one line; on loopback, to a request naming a loopback host, and in the log,
    the whole reason."""
    from monitor.daemon import Guarded
    from monitor.store import sources as stored

    for key in ("MONITOR_WEB_TOKEN", "MONITOR_WEB_USER", "MONITOR_WEB_PASSWORD"):
        monkeypatch.delenv(key, raising=False)
    path = tmp_path / "secret-place" / "monitor.db"
    path.parent.mkdir()
    db = Database(f"sqlite:///{path}")
    stored.ensure_source(db, "wire", "feed", "https://wire.example/rss")
    path.rename(tmp_path / "aside.db")  # the store fails: every read names the file
    job = Guarded("feeds", lambda: stored.ensure_source(db, "wire", "feed", "https://wire.example/rss"))
    job()
    assert "secret-place" in job.cause
    failing: list[list[tuple[str, str]]] = [[("feeds", job.cause)], []]  # a job failing on the store, then the store failing the probe itself
    for causes in failing:
        health = Health(db, 900, 60, causes.copy)
        wide = Endpoint("0.0.0.0:0", ("0.0.0.0", 0), health)
        near = Endpoint("127.0.0.1:0", ("127.0.0.1", 0), health)
        try:
            with caplog.at_level(logging.WARNING, logger="monitor"):
                status, said = get(f"http://127.0.0.1:{wide.port}/healthz")
                assert status == 503 and said.count("\n") == 1 and "secret-place" not in said and "monitor.db" not in said, said
                assert said.startswith("feeds job failing" if causes else "store unavailable"), said
                assert "loopback" in said and "log" in said  # where the whole reason is
                status, said = get(f"http://127.0.0.1:{near.port}/healthz")
                assert status == 503 and "secret-place" in said and said.count("\n") == 1, said
                status, said = get(f"http://127.0.0.1:{near.port}/healthz", headers={"Host": "evil.example"})  # DNS rebinding
                assert status == 503 and "secret-place" not in said, said
            logged = [r.getMessage() for r in caplog.records if r.getMessage().startswith("/healthz answers 503")]
            assert len(logged) == 2 and all("secret-place" in line for line in logged), logged  # once by each server, not per probe
        finally:
            wide.close()
            near.close()
        caplog.clear()
    db.close()


@sqlite_only
def test_the_web_views_503_off_loopback_names_no_store_file(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    """Regression (left by the last stop, fixed by helper xops5): a store failure under the web view was a 503 page
    saying the whole reason, the database file's path with it, to any visitor: on a site served beyond loopback (with its
    token) a detail for the operator only, as /healthz's 503 keeps it there. Off loopback it says the kind only, the
    whole reason in the log (once while it lasts); on loopback, the operator's machine, the whole reason still."""
    from monitor.web.app import create_app
    from monitor.web.serve import Background, bind

    path = tmp_path / "secret-place" / "monitor.db"
    path.parent.mkdir()
    db = Database(f"sqlite:///{path}")
    path.rename(tmp_path / "aside.db")  # the store fails: every read names the file
    token, watchlist = Access(token="t0k"), Watchlist()
    wide, near = (Background(create_app(db, lambda: watchlist, access), bind(("127.0.0.1", 0), str)) for access in (token, Access()))
    try:
        with caplog.at_level(logging.WARNING, logger="monitor"):
            for _ in range(2):
                status, said = get(f"http://127.0.0.1:{wide.port}/alerts", headers={"Authorization": "Bearer t0k"})
                assert status == 503 and said == "store unavailable (in full: the log of the monitor serving this site)\n", said
            status, said = get(f"http://127.0.0.1:{near.port}/alerts")
            assert status == 503 and said.startswith("store unavailable: ") and "secret-place" in said and said.count("\n") == 1, said
        logged = [r.getMessage() for r in caplog.records if r.getMessage().startswith("web view answers 503")]
        assert len(logged) == 1 and "secret-place" in logged[0], logged  # once, not per request
    finally:
        wide.close()
        near.close()
        db.engine.dispose()


def answer_headers(url: str, method: str = "GET") -> tuple[int, dict[str, str]]:
    request = urllib.request.Request(url, method=method)
    try:
        with urllib.request.urlopen(request, timeout=10) as answer:
            return answer.status, {name.lower(): value for name, value in answer.headers.items()}
    except urllib.error.HTTPError as exc:
        return exc.code, {name.lower(): value for name, value in exc.headers.items()}


@pytest.mark.parametrize("host", ["127.0.0.1", "0.0.0.0"])
def test_every_answer_of_the_daemons_server_carries_the_sites_headers_and_no_store(data: Seeded, monkeypatch: pytest.MonkeyPatch, host: str) -> None:
    """Regression: a 405 (a POST to a page) came without the site's security headers (its CSP, nosniff, no
    referrer), and /metrics and /healthz without `Cache-Control`: a proxy or a browser could keep a scrape or a health
    answer. Every answer carries them now, with the site served (loopback) or not (another address, no credentials)."""
    for key in ("MONITOR_WEB_TOKEN", "MONITOR_WEB_USER", "MONITOR_WEB_PASSWORD"):
        monkeypatch.delenv(key, raising=False)
    served = endpoint(data, host)
    try:
        base = f"http://127.0.0.1:{served.port}"
        asked = [(base + "/healthz", "GET", 200), (base + "/metrics", "GET", 200), (base + "/nowhere", "GET", 404)]
        asked += [(base + "/alerts", "POST", 405), (base + "/alerts", "GET", 200)] if host == "127.0.0.1" else []
        for url, method, expected in asked:
            status, headers = answer_headers(url, method)
            assert status == expected, (url, method, status)
            assert headers.get("cache-control") == "no-store" and headers.get("x-content-type-options") == "nosniff", (url, method, headers)
            assert headers.get("content-security-policy", "").startswith("default-src 'none'"), (url, method, headers)
            assert headers.get("referrer-policy") == "no-referrer", (url, method, headers)
    finally:
        served.close()


def test_off_loopback_with_basic_credentials_the_site_asks_for_them(data: Seeded, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("MONITOR_WEB_TOKEN", raising=False)
    monkeypatch.setenv("MONITOR_WEB_USER", "analyst")
    monkeypatch.setenv("MONITOR_WEB_PASSWORD", "pa:ss")
    served = endpoint(data, "0.0.0.0")
    try:
        base = f"http://127.0.0.1:{served.port}"
        assert get(base + "/healthz") == (200, "ok\n")  # probes need no credentials
        assert get(base + "/sources")[0] == 401
        assert get(base + "/favicon.ico") == (204, "") and get(base + "/site.css")[0] == 200  # no secret: no 401 for the browser to log
        good = base64.b64encode(b"analyst:pa:ss").decode()
        assert get(base + "/sources", headers={"Authorization": f"Basic {good}"})[0] == 200
        bad = base64.b64encode(b"analyst:wrong").decode()
        assert get(base + "/sources", headers={"Authorization": f"Basic {bad}"})[0] == 401
        assert "pa:ss" not in get(base + "/sources", headers={"Authorization": f"Basic {good}"})[1]
    finally:
        served.close()


@pytest.mark.parametrize("env, said", [({"MONITOR_WEB_USER": "analyst"}, "MONITOR_WEB_USER is set but MONITOR_WEB_PASSWORD is not"),
                                        ({"MONITOR_WEB_PASSWORD": "pw"}, "MONITOR_WEB_PASSWORD is set but MONITOR_WEB_USER is not"),
                                        ({"MONITOR_WEB_USER": "a:b", "MONITOR_WEB_PASSWORD": "pw"}, "MONITOR_WEB_USER holds ':'")])
def test_half_set_or_unusable_basic_credentials_are_refused_not_ignored(data: Seeded, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture,
                                                                     env: dict[str, str], said: str) -> None:
    """Regression (xweb4, session 44): MONITOR_WEB_USER set and MONITOR_WEB_PASSWORD not (an unset variable expanded
    empty), or the reverse, was ignored in silence: on loopback the site was served open to every local user, who
    had meant it closed; and a user name holding ':', which basic auth cannot carry, made every login a 401. `monitor
    web` refuses to start in one line naming the variable; the daemon serves /healthz and /metrics without the site
    and says why."""
    from tests.test_cli import monitor, one_line_error

    for key in ("MONITOR_WEB_TOKEN", "MONITOR_WEB_USER", "MONITOR_WEB_PASSWORD"):
        monkeypatch.delenv(key, raising=False)
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    with caplog.at_level(logging.WARNING, logger="monitor"):
        served = endpoint(data)
    try:
        base = f"http://127.0.0.1:{served.port}"
        assert get(base + "/healthz") == (200, "ok\n")
        assert get(base + "/alerts") == (404, "not found: try /healthz or /metrics\n")
    finally:
        served.close()
    assert any(said in r.getMessage() and "web view not served" in r.getMessage() for r in caplog.records), caplog.records
    refused = one_line_error(monitor("web", "--config", str(data.pipeline.settings.path), "--listen", f"127.0.0.1:{free_port()}"))
    assert said in refused, refused
    token = f"tok-{len(said)}-{said[-3:]}-xweb4-refused"  # a token set beside them is still masked in the log
    with pytest.raises(ConfigError):
        access_for("127.0.0.1", {**env, "MONITOR_WEB_TOKEN": token})
    assert token not in redact(f"token {token}")


@pytest.mark.parametrize("listen, url", [("::1:{port}", "http://[::1]:{port}/"), ("[::1]:{port}", "http://[::1]:{port}/"),
                                         (" 127.0.0.1:{port} ", "http://127.0.0.1:{port}/")])
def test_the_address_monitor_web_says_it_serves_is_one_a_browser_opens(data: Seeded, listen: str, url: str) -> None:
    """Regression (xweb4, session 44): `monitor web --listen ::1:8080` served, and said so as "http://::1:8080/", no
    address a browser opens (an IPv6 host goes in brackets); a --listen with a space around it was said with the
    space ("http://127.0.0.1:8080 /"). The daemon's line said [server] listen as it was written too."""
    import subprocess
    import sys

    from monitor.settings import ServerSettings

    port = free_port()
    web = subprocess.Popen([sys.executable, "-m", "monitor", "web", "--config", str(data.pipeline.settings.path), "--listen", listen.format(port=port)],
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert web.stdout is not None
        said = web.stdout.readline()
    finally:
        web.terminate()
        web.wait(30)
    assert said.startswith("web view of ") and f" on {url.format(port=port)} (Ctrl-C stops it)" in said, said
    assert ServerSettings(listen=listen.format(port=9464)).url == url.format(port=9464).rstrip("/")


def test_access_rules() -> None:
    assert is_loopback("127.0.0.1") and is_loopback("::1") and is_loopback("localhost") and not is_loopback("0.0.0.0")
    assert access_for("0.0.0.0", {}) is None
    assert access_for("127.0.0.1", {}) == Access()
    token = Access(token="t0k")
    assert token.allows("Bearer t0k", "") and token.allows("", "t0k")
    assert not token.allows("Bearer t0", "") and not token.allows("", "") and not token.allows("Basic !!!", "")
    assert not Access(basic=("u", "p")).allows("Basic not-base64!", "")


def test_the_actor_chart_marks_the_day_a_spike_alert_fired(tmp_path: Path) -> None:
    kh = Actor("Kataeb Hezbollah", "group", ("Kataeb Hezbollah",), ("militia",))
    watchlist = Watchlist(actors=(kh,), spikes=(Spike("militia", (kh.name,), window=24, min_count=3, significance=0.001),))
    db = Database(store_url(tmp_path))
    now = datetime.now(UTC)
    quiet = [([Mention("actor", kh.name)], now - timedelta(days=d, hours=3)) for d in (9, 16, 23)]  # one story a week
    spike = [([Mention("actor", kh.name)], now - timedelta(minutes=m)) for m in (10, 20, 30, 40, 50, 55)]  # six in an hour
    counts.count_stories(db, quiet + spike)
    assert escalation.check_spikes(db, Settings.model_validate({}), watchlist, now) == 1
    served = Endpoint("127.0.0.1:0", ("127.0.0.1", 0), Health(db, 900, 60), lambda: watchlist)
    try:
        status, page = get(f"http://127.0.0.1:{served.port}/actor?name=Kataeb+Hezbollah")
        alert_status, alert_page = get(f"http://127.0.0.1:{served.port}/alerts/1")
    finally:
        served.close()
        db.close()
    assert status == 200 and page.count('<line class="spike"') == 1 and f"<title>spike {now:%Y-%m-%d}</title>" in page
    assert alert_status == 200 and "No article: a spike or source-health alert" in alert_page  # as `monitor alerts show` says
    assert "No rule recorded" not in alert_page and "0 articles" not in alert_page  # it said so, as if an article's rules had been lost


def test_a_titles_control_characters_are_written_out_on_the_pages_and_its_lines_kept() -> None:
    """Regression: a feed title's bidi override (U+202E), ANSI and OSC escapes reached the pages raw: the browser
    reordered the title ("evil" shown as "live"), and a page read in a terminal obeyed the escapes."""
    page = app._env().from_string("<h1>{{ title }}</h1><pre>{{ body }}</pre>").render(
        title="Strike \u202eevil\x1b]8;;http://x\x07 <b>", body="line one\nline\ttwo\x1b[31m")
    assert page == "<h1>Strike \\u202eevil\\x1b]8;;http://x\\x07 &lt;b&gt;</h1><pre>line one\nline\ttwo\\x1b[31m</pre>"


def test_a_titles_invisible_characters_are_written_out_on_the_pages() -> None:
    """Regression (xweb4, session 44): zero-width and invisible format characters (U+200B-U+200D, U+2060-U+2064,
    U+FEFF) in a feed's text reached the pages as they came, unseen: 'Kataeb\u200bHezbollah' read as the watched
    name, and an alert's title looked like another's. They are written out as the bidi controls are."""
    invisible = "Kataeb\u200bHezbollah\u200c\u200d\u2060\u2063\ufeff"
    page = app._env().from_string("<h1>{{ title }}</h1><pre>{{ body }}</pre>").render(title=invisible, body=invisible + "\nline two")
    assert page == ("<h1>Kataeb\\u200bHezbollah\\u200c\\u200d\\u2060\\u2063\\ufeff</h1>"
                    "<pre>Kataeb\\u200bHezbollah\\u200c\\u200d\\u2060\\u2063\\ufeff\nline two</pre>")


def test_a_titles_selectors_and_tag_characters_are_written_out_on_the_pages_but_where_they_work() -> None:
    """Regression (xhostile5, stop 45): a variation selector inside a name ('Hez\ufe0fbollah', which the matcher does not
    read as the watched name) and tag characters after a title (a message in characters no one sees) reached the pages
    unseen. They are written out; a soft hyphen inside a word, an emoji's selector and England's flag are kept."""
    title = "Hez\ufe0fbollah\U000e0049\U000e0047 Bundes\xadregierung \u2764\ufe0f \U0001f3f4\U000e0067\U000e0062\U000e0065\U000e006e\U000e0067\U000e007f"
    page = app._env().from_string("<h1>{{ title }}</h1>").render(title=title)
    assert page == ("<h1>Hez\\ufe0fbollah\\U000e0049\\U000e0047 Bundes\xadregierung \u2764\ufe0f "
                    "\U0001f3f4\U000e0067\U000e0062\U000e0065\U000e006e\U000e0067\U000e007f</h1>")


def test_an_actors_page_lists_its_other_names_not_its_own(data: Seeded) -> None:
    served = endpoint(data)
    try:
        status, page = get(f"http://127.0.0.1:{served.port}/actor?name=Kataeb+Hezbollah")
    finally:
        served.close()
    assert status == 200
    [also] = [line for line in page.splitlines() if "; also " in line]
    assert "Kataeb Hezbollah" not in also.partition("; also ")[2], also  # it said "group; also Kataeb Hezbollah, KH, ..."


def test_pieces_mark_the_actor_and_the_event_and_keep_the_rest_as_it_was() -> None:
    pieces = text.pieces("Kataeb Hezbollah <b>fired rockets</b> at KATAEB HEZBOLLAH", [("Kataeb Hezbollah", "actor"), ("fired rockets", "event")])
    assert pieces == [("Kataeb Hezbollah", "actor"), (" <b>", ""), ("fired rockets", "event"), ("</b> at ", ""), ("KATAEB HEZBOLLAH", "actor")]
    assert "".join(p for p, _ in text.pieces("ß and ss", [("ss", "actor")])) == "ß and ss"
    assert text.spans("abc def", [(4, 7)]) == [("abc ", ""), ("def", "actor")]


def test_the_chart_places_each_day_and_count() -> None:
    last = date(2026, 12, 2)
    drawn = chart.build({(last, "strike"): 2, (last - timedelta(days=89), "strike"): 1, (last - timedelta(days=90), "strike"): 5,
                         (last, "kidnapping"): 1}, last, 90, spikes=[last - timedelta(days=3)])
    strike = next(s for s in drawn.series if s.event == "strike")
    assert [(p.day, p.count) for p in strike.points] == [(last - timedelta(days=89), 1), (last, 2)]  # the 91st day back is out
    assert strike.points[0].x == chart.LEFT and strike.points[1].x == chart.WIDTH - chart.RIGHT
    assert strike.points[1].y == chart.TOP and strike.points[0].y > strike.points[1].y
    assert len(strike.line.split()) == 90 and drawn.spikes and drawn.top == 2
    many = chart.build({(last, f"event {i}"): 1 for i in range(15)}, last)
    assert len(many.series) == chart.MAX_SERIES and many.series[-1].event == "other events" and many.series[-1].total == 6


def test_web_verb_refuses_a_bad_listen_in_one_line(tmp_path: Path) -> None:
    import subprocess
    import sys

    from tests.conftest import REPO, write_config
    config = write_config(tmp_path, folders=[tmp_path])
    run = subprocess.run([sys.executable, "-m", "monitor", "web", "--config", str(config), "--listen", "nonsense"],
                         capture_output=True, text=True, cwd=REPO, timeout=60)
    assert run.returncode == 2 and run.stderr.strip() == 'monitor: error: Invalid value: --listen "nonsense": must look like 127.0.0.1:8080; see `python -m monitor web --help`'


def test_a_sentence_is_cut_at_its_own_bounds() -> None:
    from monitor.store.views import _sentence
    body = "Title line\n\nFirst one. Kataeb Hezbollah fired rockets! Next."
    lo, hi = _sentence(body, body.index("Kataeb"), body.index("Kataeb") + 16)
    assert body[lo:hi] == "Kataeb Hezbollah fired rockets!"
    lo, hi = _sentence(body, 0, 5)
    assert body[lo:hi] == "Title line\n"


def test_a_running_daemon_serves_the_site_on_its_server_address(tmp_path: Path) -> None:
    import signal

    from tests.conftest import SEED, free_port, wait_for, write_config
    from tests.e2e.test_daemon import monitor_run
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    port = free_port()
    config = write_config(tmp_path, folders=[inbox], settings={"server": {"listen": f"127.0.0.1:{port}"}})
    env_free = {k: os.environ.pop(k) for k in ("MONITOR_WEB_TOKEN", "MONITOR_WEB_USER", "MONITOR_WEB_PASSWORD") if k in os.environ}
    proc, log = monitor_run(config)
    try:
        base = f"http://127.0.0.1:{port}"
        assert wait_for(lambda: get_or_none(base + "/healthz"), timeout=20) == (200, "ok\n")
        (inbox / "seed.txt").write_text(SEED.read_text())
        page = wait_for(lambda: (answer := get_or_none(base + "/alerts")) and 'class="alert' in answer[1] and answer[1], timeout=30)
        assert "/alerts/1" in page
        assert get(base + "/alerts/1")[0] == 200 and get(base + "/sources")[0] == 200
    finally:
        os.environ.update(env_free)
        if proc.poll() is None:
            proc.send_signal(signal.SIGINT)
        assert proc.wait(timeout=30) == 0, "".join(log)
    assert not any("Traceback" in line for line in log), "".join(log)


def get_or_none(url: str) -> tuple[int, str] | None:
    try:
        return get(url)
    except OSError:
        return None  # not listening yet


def test_the_sources_page_says_silent_only_of_a_source_alerted_as_silent_and_the_alerts_page_says_when_it_cut(tmp_path: Path) -> None:
    """As `monitor sources`: "silent since" only in the status of a source alerted as silent; the newest article
    of every source has its own column. The alerts page says "the newest 100 shown" only when it held back some."""
    from monitor.store import signals

    db = Database(store_url(tmp_path))
    quiet, busy = add_feed(db, "quiet wire", "http://127.0.0.1:9/quiet.xml", None), add_feed(db, "busy wire", "http://127.0.0.1:9/busy.xml", None)
    since = datetime(2026, 11, 30, 8, 15, tzinfo=UTC)
    assert signals.went_silent(db, quiet, since, None, since + timedelta(hours=12))
    served = Endpoint("127.0.0.1:0", ("127.0.0.1", 0), Health(db, 900, 60), lambda: Watchlist())
    try:
        _, page = get(f"http://127.0.0.1:{served.port}/sources")
        _, alerts_page = get(f"http://127.0.0.1:{served.port}/alerts")
    finally:
        served.close()
        db.close()
    rows = {name: row for row in page.split("<tr")[1:] for name in ("quiet wire", "busy wire") if name in row}
    assert "silent since 2026-11-30 08:15" in rows["quiet wire"] and "silent since" not in rows["busy wire"]
    assert "<th>Newest article</th>" in page and "Silent since" not in page
    assert busy != quiet and "No alerts" in alerts_page and "newest 100 shown" not in alerts_page


def test_the_alerts_page_lists_spike_alerts_as_monitor_alerts_does(tmp_path: Path) -> None:
    """Regression (found by helper xdesk): the alerts page joined every alert to its article, so a spike or
    source-health alert (no article) was never listed: the page said "No alerts." while `monitor alerts` listed it."""
    kh = Actor("Kataeb Hezbollah", "group", ("Kataeb Hezbollah",), ("militia",))
    watchlist = Watchlist(actors=(kh,), spikes=(Spike("militia", (kh.name,), window=24, min_count=3, significance=0.001),))
    db = Database(store_url(tmp_path))
    now = datetime.now(UTC)
    quiet = [([Mention("actor", kh.name)], now - timedelta(days=d, hours=3)) for d in (9, 16, 23)]
    spike = [([Mention("actor", kh.name)], now - timedelta(minutes=m)) for m in (10, 20, 30, 40, 50, 55)]
    counts.count_stories(db, quiet + spike)
    assert escalation.check_spikes(db, Settings.model_validate({}), watchlist, now) == 1
    served = Endpoint("127.0.0.1:0", ("127.0.0.1", 0), Health(db, 900, 60), lambda: watchlist)
    try:
        base = f"http://127.0.0.1:{served.port}"
        _, listed = get(base + "/alerts")
        _, by_actor = get(base + "/alerts?actor=Kataeb+Hezbollah")
        _, by_other = get(base + "/alerts?actor=Iran")
        status, page = get(base + "/alerts/1")
    finally:
        served.close()
        db.close()
    assert "No alerts" not in listed and '<a href="/alerts/1">Spike: Kataeb Hezbollah' in listed and "(trends)" in listed
    assert '<a href="/alerts/1">' in by_actor and '<a href="/alerts/1">' not in by_other  # the spike's actor filters it
    assert status == 200 and "Spike: Kataeb Hezbollah" in page


def _a_story_of(db: Database, copies: int) -> None:
    """One story of `copies` articles of one source, each of 20,000 characters, the newest alerted."""
    from monitor.store.tables import AlertRow, ArticleRow, StoryRow

    source = add_feed(db, "wire", "http://127.0.0.1:9/wire.xml", None)
    now = datetime.now(UTC)
    with db.session() as s:
        story = StoryRow(created_at=now, severity=2)
        s.add(story)
        s.flush()
        rows = [ArticleRow(source_id=source, title=f"Copy {i}", text="word " * 4000, url=f"https://news.example/{i}", canonical_url=f"https://news.example/{i}",
                           guid=f"g{i}", content_hash=f"{i:064d}", fetched_at=now + timedelta(seconds=i), story_id=story.id) for i in range(copies)]
        s.add_all(rows)
        s.flush()
        s.add(AlertRow(uid="0123456789abcdef", article_id=rows[-1].id, severity=2, tags="default", title="[medium] the last copy", body="b",
                       context="{}", created_at=now))


def test_a_story_of_many_copies_keeps_the_alert_page_bounded_and_counts_them_all(tmp_path: Path) -> None:
    """Regression (found by helper xdesk): a story of 10,000 copies made its alert's page 2.2 MB (every copy listed, each
    article read whole, text included), and so `monitor alerts show`; the story page showed 500 and said "500 copies"."""
    from tests.conftest import write_config
    from tests.test_cli import monitor

    config = write_config(tmp_path)
    db = Database(store_url(tmp_path))
    _a_story_of(db, 700)
    served = Endpoint("127.0.0.1:0", ("127.0.0.1", 0), Health(db, 900, 60), lambda: Watchlist())
    try:
        _, alert_page = get(f"http://127.0.0.1:{served.port}/alerts/1")
        _, story_page = get(f"http://127.0.0.1:{served.port}/stories/1")
    finally:
        served.close()
        db.close()
    assert len(alert_page) < 60_000 and "700 articles" in alert_page and "the first 100 shown" in alert_page
    assert '<tr class="this"><td>' in alert_page and "Copy 699" in alert_page  # the alert's own copy, the newest, is still there
    assert "700 copies from 1 source" in story_page and "the first 500 shown" in story_page
    shown = monitor("alerts", "show", "1", "--config", str(config))
    assert shown.returncode == 0, shown.stderr
    assert "story 1: 700 articles, the first 100 shown" in shown.stdout and "Copy 699" in shown.stdout and len(shown.stdout) < 60_000


def test_the_alert_page_lists_each_name_found_once_with_how_often(tmp_path: Path) -> None:
    """Regression (found by helper xdesk): the alert page listed every match of the article, so an article naming
    Iran 1,667 times listed 'actor Iran as “Iran”' 1,667 times (5,000 lines, 280 KB for three names)."""
    import time

    from monitor.pipeline import build_pipeline
    from monitor.settings import load_settings
    from tests.conftest import write_config

    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (inbox / "a.txt").write_text("Iran drone strike near Erbil. " * 300 + "Tehran launched a drone strike.")
    os.utime(inbox / "a.txt", (time.time() - 60, time.time() - 60))
    pipeline = build_pipeline(load_settings(write_config(tmp_path, folders=[inbox])))
    pipeline.run_once()
    served = Endpoint("127.0.0.1:0", ("127.0.0.1", 0), Health(pipeline.db, 900, 60), lambda: pipeline.ingest.matcher.watchlist)
    try:
        _, page = get(f"http://127.0.0.1:{served.port}/alerts/1")
    finally:
        served.close()
        pipeline.db.engine.dispose()
    found = page.split("<h2>Found</h2>")[1].split("</ul>")[0]
    assert found.count("<li>") == 4 and len(page) < 20_000
    assert "<li>actor <strong>Iran</strong> as “Iran” (300 times)</li>" in found and "<li>actor <strong>Iran</strong> as “Tehran”</li>" in found


def test_an_alert_or_story_number_past_the_stores_integers_is_not_found(data: Seeded) -> None:
    """Regression (found by helper xdesk): /alerts/99999999999999999999 was a 500 with an OverflowError traceback in
    the log (SQLite's integers are 64-bit; PostgreSQL's integer keys 32-bit: 2147483648 was a 500 there); any other
    unknown number is a 404 page."""
    served = endpoint(data)
    try:
        answers = [get(f"http://127.0.0.1:{served.port}{path}") for path in
                   ("/alerts/99999999999999999999", "/stories/9223372036854775808", "/alerts/9223372036854775807", "/stories/2147483648")]
    finally:
        served.close()
    assert [status for status, _ in answers] == [404, 404, 404, 404]
    assert all("No such" in page for _, page in answers)


def test_a_base64_token_given_as_token_in_the_address_lets_the_reader_in(data: Seeded) -> None:
    """Regression (found by helper xdesk): a token made as the docs' tools make them (`openssl rand -base64 24`) often
    holds '+', which an address's query reads as a space: `/alerts?token=<the token>` answered 401 to the right token."""
    from monitor.web.app import COOKIE, create_app
    from monitor.web.serve import Background, bind

    token = "q1+Zb/0kT+vW9xLm3pQ2sR4u="
    served = Background(create_app(data.pipeline.db, lambda: data.pipeline.ingest.matcher.watchlist, Access(token=token)), bind(("127.0.0.1", 0), str))
    try:
        base = f"http://127.0.0.1:{served.port}"
        status, page = get(f"{base}/alerts?token={token}")
        encoded, _ = get(f"{base}/alerts?token={token.replace('+', '%2B').replace('/', '%2F').replace('=', '%3D')}")
        wrong, _ = get(f"{base}/alerts?token={token.replace('+', '%20')}")
        cookie, _ = get(f"{base}/sources", headers={"Cookie": f"{COOKIE}={token}"})
    finally:
        served.close()
    assert (status, encoded, wrong, cookie) == (200, 200, 401, 200) and "<h1>Alerts</h1>" in page


def test_a_story_nothing_alerted_on_shows_no_severity(tmp_path: Path) -> None:
    """Regression (found by helper xdesk): every story of an article that matched nothing was listed with severity
    'info' on the web view (and 0 by `monitor stories`), and its page said 'highest severity alerted info', as if an
    info alert had gone out; only stories with an alert have a severity alerted."""
    import time

    from monitor.pipeline import build_pipeline
    from monitor.settings import load_settings
    from tests.conftest import write_config
    from tests.test_cli import monitor

    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (inbox / "a.txt").write_text("The weather in Paris was mild on Sunday, with light rain expected later in the week across northern France.")
    (inbox / "b.txt").write_text("Kataeb Hezbollah fired rockets at a base near Qaim on Sunday, officials said.")
    for name in ("a.txt", "b.txt"):
        os.utime(inbox / name, (time.time() - 60, time.time() - 60))
    config = write_config(tmp_path, folders=[inbox])
    pipeline = build_pipeline(load_settings(config))
    pipeline.run_once()
    served = Endpoint("127.0.0.1:0", ("127.0.0.1", 0), Health(pipeline.db, 900, 60), lambda: pipeline.ingest.matcher.watchlist)
    try:
        _, listing = get(f"http://127.0.0.1:{served.port}/stories")
        pages = {title: get(f"http://127.0.0.1:{served.port}/stories/{n}")[1] for n, title in ((1, "weather"), (2, "rockets"))}
    finally:
        served.close()
        pipeline.db.engine.dispose()
    rows = {title: row for row in listing.split("<tr>")[1:] for title in ("weather", "rockets") if title in row}
    assert "<td>—</td>" in rows["weather"] and "info" not in rows["weather"] and "<td>medium</td>" in rows["rockets"]
    assert "no alert" in pages["weather"] and "highest severity" not in pages["weather"]
    assert "highest severity alerted medium" in pages["rockets"]
    listed = {line.split("│")[1].strip(): line.split("│")[5].strip() for line in monitor("stories", "--config", str(config)).stdout.splitlines()
              if line.startswith("│ ") and line.split("│")[1].strip()}
    assert listed == {"1": "-", "2": "2"}


def test_the_stories_page_says_it_cut_the_list_only_when_it_did(data: Seeded) -> None:
    """Regression (found by helper xdesk): the stories page said "The newest 50 shown." under a list of 12 stories
    (the alerts page says its "newest 100 shown" only when it held some back)."""
    served = endpoint(data)
    try:
        _, page = get(f"http://127.0.0.1:{served.port}/stories")
    finally:
        served.close()
    assert 0 < page.count('<tr><td><a href="/stories/') < 50 and "newest 50 shown" not in page


def test_an_article_without_a_title_is_shown_by_its_opening_words_and_its_story_link_can_be_clicked(tmp_path: Path) -> None:
    """Regression (found by helper xdesk): a folder's .txt file has no title, so the actor page linked its story with
    an empty <a></a> (nothing to click), and the alert page's, the story page's and `monitor alerts show`'s story
    tables had an empty title; alerts and the stories list showed its opening words."""
    import time

    from monitor.pipeline import build_pipeline
    from monitor.settings import load_settings
    from tests.conftest import write_config
    from tests.test_cli import monitor

    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (inbox / "b.txt").write_text("Kataeb Hezbollah fired rockets at a base near Qaim on Sunday, officials said.")
    os.utime(inbox / "b.txt", (time.time() - 60, time.time() - 60))
    config = write_config(tmp_path, folders=[inbox])
    pipeline = build_pipeline(load_settings(config))
    pipeline.run_once()
    served = Endpoint("127.0.0.1:0", ("127.0.0.1", 0), Health(pipeline.db, 900, 60), lambda: pipeline.ingest.matcher.watchlist)
    try:
        pages = [get(f"http://127.0.0.1:{served.port}{path}")[1] for path in ("/actor?name=Kataeb+Hezbollah", "/alerts/1", "/stories/1")]
    finally:
        served.close()
        pipeline.db.engine.dispose()
    opening = "Kataeb Hezbollah fired rockets at a base near Qaim on Sunday, officials said."
    assert f'<a href="/stories/1">{opening}</a>' in pages[0]
    assert f'<td class="title">{opening}</td>' in pages[1] and f'<td class="title">{opening}</td>' in pages[2]
    shown = monitor("alerts", "show", "1", "--config", str(config)).stdout
    assert "Kataeb Hezbollah fired" in shown.split("story 1:")[1]


@pytest.mark.parametrize("token", ["tok\u20acn-secret", "semi;colon token"])
def test_any_token_given_once_in_the_address_keeps_the_links_working(data: Seeded, token: str) -> None:
    """Regression (found by helper xdesk): the ?token= cookie was written as the token is, so a token with a
    character outside Latin-1 made the page a 500 (UnicodeEncodeError, a traceback in the log), and one with a ';'
    or a space a cookie that the next page did not read back (401 on every link)."""
    import http.cookiejar
    from urllib.parse import quote

    from monitor.web.app import create_app
    from monitor.web.serve import Background, bind

    served = Background(create_app(data.pipeline.db, lambda: data.pipeline.ingest.matcher.watchlist, Access(token=token)), bind(("127.0.0.1", 0), str))
    browser = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))
    try:
        base = f"http://127.0.0.1:{served.port}"
        with browser.open(f"{base}/alerts?token={quote(token)}", timeout=10) as first:
            assert first.status == 200
        with browser.open(f"{base}/sources", timeout=10) as link:  # a link of the page: the cookie alone
            assert link.status == 200 and "<h1>Sources</h1>" in link.read().decode()
    finally:
        served.close()


def test_monitor_web_shows_the_watchlist_as_saved_while_it_runs(tmp_path: Path) -> None:
    """Regression (found by helper xdesk): `monitor web` read the watchlist once, at its start; an actor the analysts
    added (the daemon alerting on it within seconds) was missing from its actors page and filters, and its page said
    'No such watched actor' until `monitor web` was restarted. A broken edit keeps the watchlist shown."""
    import shutil
    import subprocess
    import sys

    from tests.conftest import DEFAULT_WATCHLIST, REPO, free_port, wait_for, write_config

    watchlist = tmp_path / "watchlist.yaml"
    shutil.copy(DEFAULT_WATCHLIST, watchlist)
    config = write_config(tmp_path, watchlist=watchlist)
    Database(store_url(tmp_path)).close()  # the daemon's store (`monitor web` makes none)
    port = free_port()
    web = subprocess.Popen([sys.executable, "-m", "monitor", "web", "--config", str(config), "--listen", f"127.0.0.1:{port}"],
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=REPO)
    try:
        base = f"http://127.0.0.1:{port}"
        assert wait_for(lambda: get_or_none(base + "/actors"), timeout=60)[0] == 200
        assert get(base + "/actor?name=Wagner+Group")[0] == 404
        text = watchlist.read_text()
        watchlist.write_text(text.replace("actors:\n", "actors:\n  - name: Wagner Group\n    kind: group\n    aliases: [Wagner Group, Wagner PMC]\n", 1))
        assert "Wagner Group" in wait_for(lambda: (page := get(base + "/actors")[1]) and "Wagner Group" in page and page, timeout=10)
        assert get(base + "/actor?name=Wagner+Group")[0] == 200 and "<option>Wagner Group</option>" in get(base + "/alerts")[1]
        watchlist.write_text("actors: [\n")  # broken: the last good one stays
        assert get(base + "/actor?name=Wagner+Group")[0] == 200
    finally:
        web.terminate()
        web.wait(30)
    # Regression (session 41): `monitor web` set up no logging, so its lines came as Python's last resort (no time, a
    # traceback over many lines, no secrets filter), and a broken edit was kept silently. Now one line says it.
    said = [line for line in web.stderr.read().splitlines() if line]
    assert len(said) == 1 and re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ WARNING watchlist not reloaded, the previous one stays in use: "
                                           + re.escape(str(watchlist)) + r":\d+.*", said[0]), said


def test_slow_clients_cannot_hold_the_servers_connections(tmp_path: Path) -> None:
    """Regression (xweb, session 40): uvicorn has no deadline on a request's arrival (its keep-alive timer stops at
    the first byte) and no cap on connections, so clients sending a request's head a byte now and then (or nothing)
    held a file descriptor of the daemon each, for ever. Now a request must arrive whole within `head_seconds` of
    the connection (or of the last answer on it), and a connection past `connections` is answered 503 and closed."""
    import socket
    import time


    served = _healthz_served(head_seconds=1.0, connections=5)

    def connect() -> socket.socket:
        client = socket.create_connection(("127.0.0.1", served.port), timeout=5)
        return client

    try:
        silent = connect()  # connects, says nothing
        served_once = connect()  # a request answered, then the head of the next one, never finished
        served_once.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
        assert b"200 OK" in served_once.recv(65536)
        trickling = [connect() for _ in range(3)]
        started = time.monotonic()
        for client in trickling:
            client.sendall(b"GET /healthz HTTP/1.1\r\n")
        one_too_many = [connect() for _ in range(2)]
        turned_away = [_to_end(client) for client in one_too_many]  # five open: the sixth and seventh are refused at once
        assert turned_away[0].startswith(b"HTTP/1.1 503 ") and b"too many connections" in turned_away[0] and turned_away[0] == turned_away[1]
        assert time.monotonic() - started < 1.0
        served_once.sendall(b"GET /healthz HTTP/1.1\r\nHo")
        while time.monotonic() - started < 4.0 and any(client.fileno() >= 0 for client in trickling):
            for client in trickling:
                if client.fileno() >= 0:
                    try:
                        client.sendall(b"X-Slow: 1\r\n")  # a header line every 0.2 s: never idle, never done
                    except OSError:
                        client.close()
            time.sleep(0.2)
        assert all(client.fileno() < 0 for client in trickling), "a trickling client was still connected after 4 s"
        silent.settimeout(3)
        served_once.settimeout(3)
        assert _to_end(silent) == b"" and _to_end(served_once) == b""  # closed by the server
        fresh = connect()
        fresh.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        assert b"200 OK" in _to_end(fresh)  # the slots came back
    finally:
        served.close()


def test_one_address_cannot_take_every_connection_of_the_server(tmp_path: Path) -> None:
    """Regression (session 41): the bound on connections was the server's alone, so one client reopening
    `CONNECTIONS` silent connections every `HEAD_SECONDS` kept the web view, /healthz and /metrics from everyone
    else (a 503 each). One address now holds at most `PER_ADDRESS` of them (its next is answered 503 and closed),
    and another address is served meanwhile. Real sockets on 127.0.0.1, the other client from 127.0.0.2."""
    import socket

    from monitor.web import serve
    from monitor.web.serve import CONNECTIONS

    served = _healthz_served()

    hog: list[socket.socket] = []
    try:
        for _ in range(CONNECTIONS + 1):  # every connection the server takes, saying nothing on any
            hog.append(socket.create_connection(("127.0.0.1", served.port), timeout=5))
        hog[-1].settimeout(5)
        turned_away = _to_end(hog[-1])
        assert turned_away.startswith(b"HTTP/1.1 503 ") and b"too many connections from your address" in turned_away
        other = socket.create_connection(("127.0.0.1", served.port), timeout=5, source_address=("127.0.0.2", 0))
        other.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        assert _to_end(other).startswith(b"HTTP/1.1 200 "), "another address was turned away"
        other.close()
        for client in hog:
            client.setblocking(False)
        held = 0
        for client in hog:
            try:
                client.recv(1)  # a 503, or the end: turned away
            except BlockingIOError:  # nothing said and still open: a connection the server holds for it
                held += 1
        assert held == serve.PER_ADDRESS
    finally:
        for client in hog:
            client.close()
        served.close()


def test_a_few_addresses_together_cannot_take_every_connection_of_the_server(tmp_path: Path) -> None:
    """Regression: one address held at most `PER_ADDRESS` (20) connections, but five of them held all `CONNECTIONS`
    (100): everyone else, /healthz and /metrics too, got a 503. Now the last fifth of the connections go only to an
    address holding fewer than 3: five addresses hold 82 at most, and a sixth is served. Real sockets on 127.0.0.1,
    the clients from 127.0.0.2 to 127.0.0.7."""
    import socket

    from monitor.web.serve import CONNECTIONS, PER_ADDRESS

    served = _healthz_served()

    hogs: dict[str, list[socket.socket]] = {f"127.0.0.{n}": [] for n in range(2, 7)}
    try:
        for address, held in hogs.items():  # each as many silent connections as one address may hold
            for _ in range(PER_ADDRESS):
                held.append(socket.create_connection(("127.0.0.1", served.port), timeout=5, source_address=(address, 0)))
        other = socket.create_connection(("127.0.0.1", served.port), timeout=5, source_address=("127.0.0.7", 0))
        other.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        assert _to_end(other).startswith(b"HTTP/1.1 200 "), "a sixth address was turned away"
        other.close()
        kept = {}
        for address, held in hogs.items():
            kept[address] = 0
            for client in held:
                client.setblocking(False)
                try:
                    client.recv(1)  # a 503, or the end: turned away
                except BlockingIOError:  # nothing said and still open: a connection the server holds for it
                    kept[address] += 1
        assert list(kept.values()) == [PER_ADDRESS] * 4 + [2] and CONNECTIONS - sum(kept.values()) == 18
    finally:
        for held in hogs.values():
            for client in held:
                client.close()
        served.close()


def test_an_address_sending_requests_faster_than_a_person_is_answered_429_and_the_others_are_served(tmp_path: Path) -> None:
    """Regression: nothing bounded the requests of one address but its 20 connections: a client asking again as soon as
    it was answered kept the server's thread pool and the store busy at its will. Now an address may make `BURST`
    requests at once and `RATE` a second after: one more is answered 429 (Retry-After, the connection closed), and
    another address is served meanwhile. Real sockets on 127.0.0.1."""
    import socket

    from monitor.web.serve import BURST, RATE

    served = _healthz_served()

    def get(source: str) -> bytes:
        with socket.create_connection(("127.0.0.1", served.port), timeout=5, source_address=(source, 0)) as client:
            client.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
            return _to_end(client)

    try:
        started = time.monotonic()
        answers = [get("127.0.0.2") for _ in range(BURST + 20)]
        took = time.monotonic() - started
        statuses = [a.split(b" ", 2)[1] for a in answers]
        assert statuses[:BURST] == [b"200"] * BURST
        assert statuses.count(b"429") >= 20 - int(took * RATE) - 1 > 0, (took, statuses)
        refused = answers[statuses.index(b"429")]
        assert b"\r\nretry-after: 1\r\n" in refused.lower() and refused.endswith(b"\r\n\r\ntoo many requests from your address\n")
        assert get("127.0.0.3").startswith(b"HTTP/1.1 200 ")
        time.sleep(2 / RATE)
        assert get("127.0.0.2").startswith(b"HTTP/1.1 200 ")
    finally:
        served.close()


@pytest.mark.parametrize("name", ["A" * 200, "حزب الله " * 22 + "حز", "x+y&z=1 % é" * 18 + "ab", "𝐀" * 200])
def test_an_actor_of_the_longest_name_the_watchlist_takes_is_found_by_its_own_link(tmp_path: Path, name: str) -> None:
    """Checked for the note's "an actor name over 200 characters gets a 404 from its own /actor link" (xweb, session
    40): the watchlist refuses a name over MAX_PHRASE (200) characters, and /actor keeps PARAM_MAX (200) of the
    name asked for, so every name a watchlist can hold, in any script, with '+', '&', '%' or astral characters,
    is found by the link of the actors page. Held here so that the two bounds cannot drift apart. (A name needs a letter
    or digit, so the astral characters are mathematical letters.)"""
    import html

    from monitor.watchlist import MAX_PHRASE, load_watchlist
    from monitor.web.app import PARAM_MAX, create_app
    from monitor.web.serve import Background, bind

    assert len(name) == MAX_PHRASE <= PARAM_MAX
    (tmp_path / "watchlist.yaml").write_text(f'actors:\n  - name: "{name}"\n    kind: group\n    aliases: [Foo Bar Group]\n'
                                             "events:\n  - name: strike\n    severity: 3\n    phrases: [drone strike]\n", encoding="utf-8")
    watchlist = load_watchlist(tmp_path / "watchlist.yaml")
    db = Database(store_url(tmp_path))
    served = Background(create_app(db, lambda: watchlist, Access()), bind(("127.0.0.1", 0), str))
    try:
        base = f"http://127.0.0.1:{served.port}"
        link = html.unescape(get(base + "/actors")[1].split('<ul id="actors"><li><a href="')[1].split('"')[0])
        status, page = get(base + link)
    finally:
        served.close()
        db.engine.dispose()
    assert status == 200 and f"<h1>{html.escape(name, quote=False)}</h1>" in page


def test_an_actors_page_lists_its_latest_articles_however_often_the_newest_names_it(tmp_path: Path) -> None:
    """Regression (xweb, session 40): the actor page's latest sentences read the actor's newest 40 matches and kept
    one per article, so an article naming the actor 40 times or more (a long analysis of Iran) was the only one
    listed: the other latest articles naming it were missing from the page. It lists the 10 latest articles."""
    import time

    from monitor.pipeline import build_pipeline
    from monitor.settings import load_settings
    from tests.conftest import write_config

    inbox = tmp_path / "inbox"
    inbox.mkdir()
    config = write_config(tmp_path, folders=[inbox])
    pipeline = build_pipeline(load_settings(config))
    places = ["Qaim", "Baghdad", "Basra", "Mosul", "Erbil", "Kirkuk", "Najaf", "Karbala", "Tikrit", "Ramadi", "Fallujah"]
    for i, place in enumerate(places):
        (inbox / f"{i:02}.txt").write_text(f"Kataeb Hezbollah fighters paraded in {place} on day {i}, residents said; {'no one was hurt. ' * i}")
    os.utime(inbox, None)
    for path in inbox.iterdir():
        os.utime(path, (time.time() - 60, time.time() - 60))
    pipeline.run_once()
    (inbox / "long.txt").write_text(" ".join(f"In {place} {n}, Kataeb Hezbollah said it had met again." for n in range(5) for place in places))
    os.utime(inbox / "long.txt", (time.time() - 60, time.time() - 60))
    pipeline.run_once()
    served = Endpoint("127.0.0.1:0", ("127.0.0.1", 0), Health(pipeline.db, 900, 60), lambda: pipeline.ingest.matcher.watchlist)
    try:
        status, page = get(f"http://127.0.0.1:{served.port}/actor?name=Kataeb+Hezbollah")
    finally:
        served.close()
        pipeline.db.engine.dispose()
    listed = page.split('<ul id="sentences">')[1].split("</ul>")[0]
    assert status == 200 and listed.count("<li>") == 10, listed
    assert listed.count("</mark> fighters paraded in") == 9 and "In Qaim 0, <mark" in listed.split("<li>")[1]  # the newest first, at its first mention


def test_a_client_that_never_reads_its_answer_is_dropped(tmp_path: Path) -> None:
    """Regression (xweb, session 40): a client asking for a page and never reading it held its connection for ever
    (the answer waiting on a full socket), one of the server's 100: a hundred of them kept every page, /healthz and
    /metrics away. A connection whose answer has not moved for a whole `head_seconds` period is dropped."""
    import socket
    import time

    from starlette.applications import Starlette
    from starlette.responses import PlainTextResponse
    from starlette.routing import Route

    from monitor.web.serve import Background, bind

    size = 64 * 1024 * 1024
    site = Starlette(routes=[Route("/big", lambda request: PlainTextResponse("x" * size))])
    served = Background(site, bind(("127.0.0.1", 0), str), head_seconds=1.0, connections=5)
    try:
        client = socket.create_connection(("127.0.0.1", served.port), timeout=10)
        client.sendall(b"GET /big HTTP/1.1\r\nHost: x\r\n\r\n")
        time.sleep(3.5)  # reads nothing for over two periods
        received = 0
        try:
            while chunk := client.recv(1 << 20):
                received += len(chunk)
        except ConnectionResetError:
            pass
        client.close()
    finally:
        served.close()
    assert received < size, "the whole answer came: the connection was kept"


def _head_of(answer: bytes) -> tuple[int, dict[str, str]]:
    """A raw HTTP answer's status and headers (names lowered)."""
    lines = answer.split(b"\r\n\r\n", 1)[0].decode("latin-1").split("\r\n")
    return int(lines[0].split(" ")[1]), {name.strip().lower(): value.strip() for name, _, value in (line.partition(":") for line in lines[1:])}


def test_the_servers_own_refusals_carry_the_sites_headers_and_no_store(data: Seeded, monkeypatch: pytest.MonkeyPatch) -> None:
    """Regression (xweb3, session 43): the answers the server writes itself, not the site, came without the site's
    security headers and `Cache-Control: no-store`: the 429 to an address asking too fast, the 503 to a connection
    past the bounds, uvicorn's 400 to a request that is not HTTP. Every answer carries them now. Real sockets on
    127.0.0.1 against the daemon's endpoint, each kind of client from an address of its own."""
    import socket

    from monitor.web.serve import BURST, PER_ADDRESS

    for key in ("MONITOR_WEB_TOKEN", "MONITOR_WEB_USER", "MONITOR_WEB_PASSWORD"):
        monkeypatch.delenv(key, raising=False)
    served = endpoint(data)

    def ask(source: str, request: bytes) -> bytes:
        with socket.create_connection(("127.0.0.1", served.port), timeout=5, source_address=(source, 0)) as client:
            client.sendall(request)
            return _to_end(client)

    hog: list[socket.socket] = []
    try:
        answers = {}
        for _ in range(BURST + 20):
            status, headers = _head_of(ask("127.0.0.2", b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"))
            answers.setdefault(status, headers)
        for _ in range(PER_ADDRESS + 1):
            hog.append(socket.create_connection(("127.0.0.1", served.port), timeout=5, source_address=("127.0.0.3", 0)))
        busy = _head_of(_to_end(hog[-1]))
        answers[busy[0]] = busy[1]
        invalid = _head_of(ask("127.0.0.4", b"NOT HTTP AT ALL\r\n\r\n"))
        answers[invalid[0]] = invalid[1]
        assert sorted(answers) == [200, 400, 429, 503], sorted(answers)
        for status, headers in answers.items():
            assert headers.get("cache-control") == "no-store" and headers.get("x-content-type-options") == "nosniff", (status, headers)
            assert headers.get("content-security-policy", "").startswith("default-src 'none'"), (status, headers)
            assert headers.get("referrer-policy") == "no-referrer", (status, headers)
            assert list(headers).count("cache-control") <= 1
    finally:
        for client in hog:
            client.close()
        served.close()


@pytest.mark.parametrize("host", ["127.0.0.1", "0.0.0.0"])
def test_a_wrong_method_on_healthz_or_metrics_is_405_with_allow_not_404(data: Seeded, monkeypatch: pytest.MonkeyPatch, host: str) -> None:
    """Regression (xweb3, session 43): `POST /healthz` (or PUT, DELETE, OPTIONS; on /metrics too) answered 404, as if
    there were no /healthz: the catch-all behind the two routes (the site, or the daemon's "try /healthz" page) took
    the request Starlette's router had matched only in part. Now it is 405 with `Allow: GET, HEAD` in one line, with
    the site served (loopback) or not (another address, no credentials); GET and HEAD are answered as before."""
    for key in ("MONITOR_WEB_TOKEN", "MONITOR_WEB_USER", "MONITOR_WEB_PASSWORD"):
        monkeypatch.delenv(key, raising=False)
    served = endpoint(data, host)
    try:
        base = f"http://127.0.0.1:{served.port}"
        for path in ("/healthz", "/metrics"):
            for method in ("POST", "PUT", "DELETE", "OPTIONS", "PATCH"):
                status, headers = answer_headers(base + path, method)
                assert status == 405 and headers.get("allow") == "GET, HEAD", (path, method, status, headers)
                assert get(base + path, method)[1].count("\n") == 1
            assert answer_headers(base + path, "HEAD")[0] == 200 and get(base + path)[0] == 200
    finally:
        served.close()


def test_basic_credentials_of_other_than_ascii_are_refused_with_401_not_a_500(data: Seeded, monkeypatch: pytest.MonkeyPatch,
                                                                               caplog: pytest.LogCaptureFixture) -> None:
    """Regression (xweb3, session 43): on a site asking for basic-auth credentials, `Authorization: Basic é` (a byte
    past ASCII where base64 was due) raised ValueError, not the binascii.Error the check caught: a 500 and a traceback
    in the log for any client that sent it. It is a 401 like any other wrong credentials. Real sockets on 127.0.0.1."""
    import socket

    monkeypatch.delenv("MONITOR_WEB_TOKEN", raising=False)
    monkeypatch.setenv("MONITOR_WEB_USER", "analyst")
    monkeypatch.setenv("MONITOR_WEB_PASSWORD", "pa:ss")
    served = endpoint(data, "0.0.0.0")
    try:
        for credentials in (b"\xe9\xe9", b"YW5hbHlzdDpwYTpzcw\xff=", "analyst:pa:ss".encode("latin-1")):
            with socket.create_connection(("127.0.0.1", served.port), timeout=5) as client:
                client.sendall(b"GET /sources HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Basic %s\r\nConnection: close\r\n\r\n" % credentials)
                answer = _to_end(client)
            assert answer.startswith(b"HTTP/1.1 401 ") and answer.endswith(b"\r\n\r\nauthentication required: a bearer token (or ?token=) or basic-auth credentials\n"), answer
        assert not [r for r in caplog.records if r.levelname == "ERROR"], caplog.text
    finally:
        served.close()


def test_a_websocket_upgrade_is_answered_as_the_plain_get_it_also_is(data: Seeded, monkeypatch: pytest.MonkeyPatch) -> None:
    """Regression (xweb3, session 43): uvicorn took a WebSocket upgrade to any path (wsproto is installed) past the site's
    rate bound, and its WebSocket protocol answered a bare `403` with none of the security headers. The server speaks no
    WebSocket now: the request is the GET it also is, answered as any other. Real sockets on 127.0.0.1."""
    import socket

    for key in ("MONITOR_WEB_TOKEN", "MONITOR_WEB_USER", "MONITOR_WEB_PASSWORD"):
        monkeypatch.delenv(key, raising=False)
    served = endpoint(data)
    try:
        for path, status in ((b"/alerts", 200), (b"/healthz", 200), (b"/nowhere", 404)):
            with socket.create_connection(("127.0.0.1", served.port), timeout=5) as client:
                client.sendall(b"GET %s HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                               b"Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n" % path)
                client.settimeout(5)
                got, headers = _head_of(client.recv(65536))
            assert got == status and headers.get("cache-control") == "no-store" and "content-security-policy" in headers, (path, got, headers)
    finally:
        served.close()


def test_what_a_client_sends_writes_nothing_in_the_log_but_a_failure_of_the_server_does(capsys: pytest.CaptureFixture[str]) -> None:
    """Regression (xweb3, session 43): uvicorn logged a warning at each request that was not HTTP ("Invalid HTTP
    request received.") or named an Upgrade ("Unsupported upgrade request." and, the server speaking no WebSocket,
    "No supported WebSocket library detected. Please use pip install ..."), before any bound of the site's: any client
    wrote the daemon's log at its will, lines naming no one and one asking the operator to install a library. They
    are not logged now; a failure of the server's own (an exception in a page) still is. Real sockets on 127.0.0.1,
    the log as `setup_logging` writes it."""
    import logging
    import socket

    from starlette.applications import Starlette
    from starlette.responses import PlainTextResponse
    from starlette.routing import Route

    from monitor.logs import setup_logging
    from monitor.web.serve import Background, bind

    def broken(request: Any) -> Any:
        raise RuntimeError("a page's own failure")

    def ask(request: bytes) -> bytes:
        with socket.create_connection(("127.0.0.1", served.port), timeout=5) as client:
            client.sendall(request)
            return _to_end(client)

    root = logging.getLogger()
    saved, level = root.handlers[:], root.level
    setup_logging()  # its handler writes to the captured standard error
    served = Background(Starlette(routes=[Route("/healthz", lambda request: PlainTextResponse("ok\n")), Route("/broken", broken)]), bind(("127.0.0.1", 0), str))
    try:
        for _ in range(5):
            assert ask(b"\x16\x03\x01 not http\r\n\r\n").startswith(b"HTTP/1.1 400 ")
            for upgrade in (b"h2c", b"websocket"):
                assert ask(b"GET /healthz HTTP/1.1\r\nHost: x\r\nUpgrade: %s\r\nConnection: Upgrade, close\r\n\r\n" % upgrade).startswith(b"HTTP/1.1 200 ")
        assert capsys.readouterr().err == ""
        assert ask(b"GET /broken HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n").startswith(b"HTTP/1.1 500 ")
    finally:
        served.close()
        root.handlers[:], root.level = saved, level
    logged = capsys.readouterr().err.splitlines()
    assert len(logged) == 1 and " ERROR Exception in ASGI application" in logged[0] and "a page's own failure" in logged[0], logged


def test_an_address_that_cannot_be_had_says_why_and_what_to_do(tmp_path: Path) -> None:
    """Regression (xweb3, session 43): every address `bind` could not have was said to be in use ("stop what uses it
    or pick another address"), an address of another machine too (`--listen 192.0.2.1:8080`, "Cannot assign requested
    address"): there was nothing to stop. Each cause now names its own remedy; a port in use still says to stop what
    uses it."""
    import socket
    import subprocess
    import sys

    from monitor.errors import ConfigError
    from monitor.web.serve import bind
    from tests.conftest import REPO, write_config

    config = write_config(tmp_path, folders=[tmp_path])
    Database(store_url(tmp_path)).engine.dispose()  # a store to show
    env = {k: v for k, v in os.environ.items() if not k.startswith("MONITOR_WEB_")} | {"MONITOR_WEB_TOKEN": "t0ken-for-the-test"}
    run = subprocess.run([sys.executable, "-m", "monitor", "web", "--config", str(config), "--listen", "192.0.2.1:8080"],
                         capture_output=True, text=True, cwd=REPO, timeout=60, env=env)
    assert run.returncode == 1 and run.stderr.strip() == ('monitor: error: --listen "192.0.2.1:8080": cannot listen there (Cannot assign requested '
                                                          'address: not an address of this machine; listen on one it has, 127.0.0.1 or 0.0.0.0 for all)'), run.stderr
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        with pytest.raises(ConfigError, match=r"^x \(Address already in use: stop what uses it or pick another port\)$"):
            bind(taken.getsockname(), lambda why: f"x ({why})")


@pytest.mark.parametrize("field", ["actor", "event"])
def test_a_filter_on_a_name_the_watchlist_no_longer_has_is_shown_as_chosen_not_as_any(data: Seeded, field: str) -> None:
    """Regression (xweb3, session 43): `/alerts?actor=NAME` for a name not in the watchlist (renamed or removed since the
    address was kept; its alerts are still stored) filtered the list, but the select showed "any": the page said it
    listed every alert while it listed that name's only (or, "No alerts match these filters", none). The name is now
    an option of its own, chosen."""
    from html import unescape

    served = endpoint(data)
    try:
        status, page = get(f"http://127.0.0.1:{served.port}/alerts?{field}=Gone%20%3Cb%3E")
    finally:
        served.close()
    chosen = re.findall(r"<option[^>]* selected>([^<]*)</option>", page.split(f'name="{field}"')[1].split("</select>")[0])
    assert status == 200 and [unescape(c) for c in chosen] == ["Gone <b>"], chosen


def test_the_alert_page_gives_no_next_attempt_for_a_delivery_that_gave_up_or_waits_for_its_digest(tmp_path: Path) -> None:
    """Regression (left by helper xdeliver4, who fixed `monitor alerts show`): the page showed a delivery that gave up
    the backoff of an attempt that never comes, and one held for its channel's digest the time it was first due (in
    the past). Neither is an attempt to come: "—", as the CLI says "-"; a pending one keeps its next attempt."""
    from tests.test_cli import an_alert_given_up_pending_and_held

    an_alert_given_up_pending_and_held(tmp_path)
    db = Database(store_url(tmp_path))
    served = Endpoint("127.0.0.1:0", ("127.0.0.1", 0), Health(db, 900, 60), lambda: Watchlist())
    try:
        status, page = get(f"http://127.0.0.1:{served.port}/alerts/1")
    finally:
        served.close()
        db.close()
    table = page.split('<table id="deliveries">', 1)[1].split("</table>", 1)[0]
    rows = {cells[0]: cells[1:4] for row in table.split("<tr>")[2:] if (cells := [re.sub(r"<[^>]+>", "", c).strip() for c in row.split("</td>")[:-1]])}
    assert status == 200 and rows == {"down": ["failed", "1", "—"], "later": ["pending", "1", "2099-01-01 00:00"], "daily": ["held (low severity)", "0", "—"]}, table


def test_a_request_head_too_large_is_a_431_saying_so_not_a_bad_request() -> None:
    """xhostile5, stop 45: behind a reverse proxy, a request whose head passes h11's 16 KiB (a browser's cookies for the
    whole domain, say) was answered 'bad request: not a valid HTTP/1.1 request', which sent its user looking for a broken
    client. It is a 431 saying the head is too large and what the bound is; a head within it is served."""
    import socket

    served = _healthz_served()
    try:
        with socket.create_connection(("127.0.0.1", served.port), timeout=5) as client:
            client.sendall(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nCookie: " + b"a=b; " * 4000)  # 20 kB, and still coming
            answer = _to_end(client)
        with socket.create_connection(("127.0.0.1", served.port), timeout=5) as client:
            client.sendall(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nCookie: " + b"a=b; " * 2000 + b"\r\nConnection: close\r\n\r\n")
            within = _to_end(client)
    finally:
        served.close()
    head, _, body = answer.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 431 Request Header Fields Too Large\r\n") and b"content-security-policy" in head
    assert body == b"request head too large: its line and headers must come within 16 KiB (cookies?)\n"
    assert within.startswith(b"HTTP/1.1 200 OK\r\n") and within.endswith(b"ok\n")
