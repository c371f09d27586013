"""Settings: the example config, errors that name file and key, ${ENV} secrets and their redaction."""

from __future__ import annotations

import io
import logging
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from pydantic import ValidationError
from tests.conftest import REPO

from monitor import redact as redact_module
from monitor.errors import ConfigError
from monitor.redact import MASK, RedactingFilter, redact, register_secret
from monitor.settings import Settings, load_settings


@pytest.fixture(autouse=True)
def fresh_secrets() -> Iterator[None]:
    """Each test starts with no registered secrets and leaves none behind."""
    saved = set(redact_module._SECRETS)
    redact_module._SECRETS.clear()
    yield
    redact_module._SECRETS.clear()
    redact_module._SECRETS.update(saved)


def toml(tmp_path: Path, text: str, name: str = "cfg.toml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def config_error(path: Path) -> ConfigError:
    with pytest.raises(ConfigError) as exc:
        load_settings(path)
    assert str(exc.value).startswith(f"{path}: ")
    assert "\n" not in str(exc.value)
    assert exc.value.path == str(path)
    return exc.value


def test_example_config_loads() -> None:
    path = REPO / "config" / "monitor.toml"
    settings = load_settings(path)
    assert isinstance(settings, Settings)
    assert settings.path == path
    assert settings.watchlist == Path("config/watchlist.yaml")
    assert settings.store.sqlalchemy_url == "sqlite:///var/monitor.db"
    assert settings.http.timeout == 10 and settings.http.max_redirects == 5
    assert [(f.label, f.path, f.settle_seconds) for f in settings.folders] == [("seeds", Path("seeds"), 0.3), ("inbox", Path("inbox"), 5)]
    assert settings.feeds == []
    assert [(c.name, c.tags) for c in settings.channels] == [("console", ["default"])]


def test_empty_file_gives_defaults(tmp_path: Path) -> None:
    settings = load_settings(toml(tmp_path, ""))
    assert settings.schedule.feeds_every == 30
    assert settings.delivery.max_attempts == 60
    assert settings.channels == [] and settings.folders == []


def test_settings_are_frozen() -> None:
    settings = load_settings(REPO / "config" / "monitor.toml")
    with pytest.raises(ValidationError, match="frozen"):
        settings.http.timeout = 1  # type: ignore[misc]


@pytest.mark.parametrize(("text", "key", "hint"), [
    ("[http]\ntimout = 5\n", "http.timout", "did you mean 'timeout'?"),
    ("watchlst = 'x.yaml'\n", "watchlst", "did you mean 'watchlist'?"),
    ("[[feeds]]\nurl = 'https://example.org/rss'\nevery_seconds = 60\n", "feeds[0].every_seconds", "this section takes name, url, every, full_text"),
    ("[[channels]]\nname = 'a'\nurl = 'json://x'\n[[channels]]\nname = 'b'\nurll = 'json://y'\n", "channels[1].urll", "did you mean 'url'?"),
    ("[http]\nzzzz = 5\n", "http.zzzz", "this section takes timeout, deadline, max_body_bytes, max_redirects, allow_networks"),
    # a key of another table (it suggested 'delivery' for feeds_every written above every table)
    ("feeds_every = 30\n[schedule]\n", "feeds_every", "unknown key here: it belongs in [schedule]"),
    ("[schedule]\ntimeout = 5\n", "schedule.timeout", "unknown key here: it belongs in [http]"),
    ("[[feeds]]\nurl = 'https://example.org/rss'\nsettle_seconds = 1\n", "feeds[0].settle_seconds", "unknown key here: it belongs in [[folders]]"),
    ("url = 'json://x'\n", "url", "unknown key here: it belongs in [store] or [[feeds]] or [[channels]]"),
    # the fields the load sets itself were taken from the file in silence (a top-level `path` was then ignored)
    ("path = 'var/monitor.db'\n", "path", "unknown key here: it belongs in [store] or [[folders]]"),
    ("blank_variables = ['x']\n", "blank_variables", "this section takes watchlist, store"),
])
def test_typo_names_file_and_key(tmp_path: Path, text: str, key: str, hint: str) -> None:
    """Issue 14.20: the key nearest a typo is named (or, with none near, the keys the section takes)."""
    path = toml(tmp_path, text)
    error = config_error(path)
    assert str(error).startswith(f"{path}: {key}: unknown key") and hint in str(error)
    assert error.key == key


@pytest.mark.parametrize(("text", "key"), [
    ("[[feeds]]\nurl = 'https://example.org/rss'\nevery = true\n", "feeds[0].every"),
    ("[store]\nkeep_days = true\n", "store.keep_days"),
    ("[http]\ntimeout = false\n", "http.timeout"),
])
def test_true_or_false_where_a_number_is_asked_is_refused(tmp_path: Path, text: str, key: str) -> None:
    """Regression (found by helper xuser): `every = true` read as a poll every second, `keep_days = true` as one day."""
    error = config_error(toml(tmp_path, text))
    assert error.key == key and "should be a number, not true or false" in str(error)


@pytest.mark.parametrize(("text", "key", "says"), [
    ("[http]\ndeadline = inf\ntimeout = inf\n", "http.timeout", "should be a finite number"),
    ("[delivery]\nbackoff_seconds = 1e300\nbackoff_max_seconds = 1e300\n", "delivery.backoff_seconds", "at most 1,000,000,000"),
    ("[schedule]\nmin_interval = nan\n", "schedule.min_interval", "should be a finite number"),
    ("[[feeds]]\nurl = 'https://example.org/rss'\nevery = 1e12\n", "feeds[0].every", "at most 1,000,000,000"),
    ("[store]\nkeep_days = 1000000\n", "store.keep_days", "should be at most 36,500, not 1,000,000"),
    ("[http]\nhost_gap = 1e9\n", "http.host_gap", "should be at most 600, not 1e+09"),
])
def test_an_infinite_or_astronomical_number_is_refused(tmp_path: Path, text: str, key: str, says: str) -> None:
    """Regression: `monitor check` passed `deadline = inf` (TOML has inf and nan) and `backoff_seconds = 1e300`, and
    `monitor once` then ended with a traceback (OverflowError: int(inf), a C int; timedelta past year 9999), as did
    `keep_days = 1000000` at the first prune (its cut-off before year 1). A number is finite and at most
    1,000,000,000 (31 years of seconds); keep_days at most 36,500 days, as `monitor prune --days` takes; host_gap at
    most 600 seconds (found by helper xbounds: 1e9 held a host's second feed for 31 years, `monitor once` with it)."""
    error = config_error(toml(tmp_path, text))
    assert error.key == key and says in str(error), str(error)


def test_a_switch_still_takes_true_or_false(tmp_path: Path) -> None:
    settings = load_settings(toml(tmp_path, "[[feeds]]\nurl = 'https://example.org/rss'\nfull_text = true\n"))
    assert settings.feeds[0].full_text is True


def test_wrong_type_names_the_key(tmp_path: Path) -> None:
    error = config_error(toml(tmp_path, "[http]\ntimeout = 'fast'\n"))
    assert error.key == "http.timeout"
    assert ": http.timeout: " in str(error)
    assert "number" in str(error)


def test_out_of_range_value_names_the_key(tmp_path: Path) -> None:
    error = config_error(toml(tmp_path, "[schedule]\nfeeds_every = 0\n"))
    assert error.key == "schedule.feeds_every"
    assert str(error).endswith("schedule.feeds_every: should be more than 0, not 0")


def test_several_errors_are_counted(tmp_path: Path) -> None:
    error = config_error(toml(tmp_path, "[http]\ntimeout = 'fast'\ndeadline = -1\nmax_redirects = 'many'\n"))
    assert str(error).endswith("(and 2 more)")


def test_invalid_toml(tmp_path: Path) -> None:
    error = config_error(toml(tmp_path, "[http]\ntimeout = \n"))
    assert "not valid TOML" in str(error)
    assert "line 2" in str(error)


def test_missing_file(tmp_path: Path) -> None:
    path = tmp_path / "nowhere.toml"
    error = config_error(path)
    assert str(error) == f"{path}: config file not found"


def test_a_folder_given_as_the_config_says_so_in_words(tmp_path: Path) -> None:
    """Regression (found by helper xnewuser): `monitor check --config config/` said
    "config: cannot read config file: [Errno 21] Is a directory: 'config'"."""
    assert str(config_error(tmp_path)) == f"{tmp_path}: a folder, not a config file: give the monitor.toml in it"


def test_env_expansion_and_the_value_is_redacted(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MONITOR_TEST_SMTP_PW", "s3cr3t-Pa55")
    monkeypatch.setenv("MONITOR_TEST_HOST", "mail.example.org")
    path = toml(tmp_path, '[[channels]]\nname = "mail"\nurl = "mailtos://desk:${MONITOR_TEST_SMTP_PW}@${MONITOR_TEST_HOST}/?to=a@example.org"\n')
    settings = load_settings(path)
    url = settings.channels[0].url
    assert url == "mailtos://desk:s3cr3t-Pa55@mail.example.org/?to=a@example.org"
    assert redact("token is s3cr3t-Pa55, twice: s3cr3t-Pa55") == f"token is {MASK}, twice: {MASK}"
    assert redact(url).startswith(f"mailtos://desk:{MASK}@")
    assert "s3cr3t-Pa55" not in redact(url)


def test_env_value_outside_a_url_is_redacted(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MONITOR_TEST_DB_URL", "postgresql+psycopg://monitor@db/alerts?sslkey=k3yMaterial")
    settings = load_settings(toml(tmp_path, '[store]\nurl = "${MONITOR_TEST_DB_URL}"\n'))
    assert settings.store.sqlalchemy_url == "postgresql+psycopg://monitor@db/alerts?sslkey=k3yMaterial"
    assert redact(f"cannot open {settings.store.url}") == f"cannot open {MASK}"


def test_missing_env_var_names_variable_and_key(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("MONITOR_TEST_UNSET", raising=False)
    path = toml(tmp_path, '[[channels]]\nname = "slack"\nurl = "slack://${MONITOR_TEST_UNSET}/chan"\n')
    error = config_error(path)
    assert str(error) == f"{path}: channels[0].url: environment variable MONITOR_TEST_UNSET is not set"
    assert error.key == "channels[0].url"


def test_a_feed_url_copied_with_its_secret_masked_is_refused(tmp_path: Path) -> None:
    """Regression: a feed URL copied from `sources export` or a log line, its secret masked as `****`, was polled so,
    failing at every check with an error that, masked, read as if the config held the real token."""
    path = toml(tmp_path, '[[feeds]]\nname = "private"\nurl = "https://feeds.example/feeds/****/rss"\n')
    error = config_error(path)
    assert error.key == "feeds[0].url"
    assert str(error) == (f"{path}: feeds[0].url: its secret is masked as **** (as `monitor sources export` and the log write it): "
                          "write the feed's real URL, its secret as ${ENV} if you like")


def test_a_channel_url_copied_with_its_secret_masked_is_refused(tmp_path: Path) -> None:
    """Regression: `monitor check` prints each channel's URL masked (`channel hook: json://hooks.example/****`); that
    URL copied into a config was taken, and every alert to it failed (a 401 or 404 from the service)."""
    path = toml(tmp_path, '[[channels]]\nname = "hook"\nurl = "json://hooks.example/****"\n')
    error = config_error(path)
    assert error.key == "channels[0].url"
    assert str(error) == (f"{path}: channels[0].url: its secret is masked as **** (as `monitor check` and the log write it): "
                          "write the channel's real URL, its secret as ${ENV} if you like")


@pytest.mark.parametrize("url", ["ftp://example.org/rss.xml", "file:///etc/passwd", "example.org/rss", ""])
def test_feed_url_must_be_http(tmp_path: Path, url: str) -> None:
    path = toml(tmp_path, f'[[feeds]]\nname = "wire"\nurl = "https://example.org/ok.xml"\n[[feeds]]\nurl = "{url}"\n')
    error = config_error(path)
    assert error.key == "feeds[1].url"
    assert str(error) == f"{path}: feeds[1].url: must start with http:// or https://"


@pytest.mark.parametrize(("url", "problem"), [("http://[oops/feed", "its host is a broken IPv6 address"),
                                              ("https://w.example:99999/rss", "its port is not a number from 0 to 65535"), ("http:///rss", "it has no host")])
def test_a_feed_url_that_does_not_parse_is_refused_naming_the_key(tmp_path: Path, url: str, problem: str) -> None:
    """Regression (found by helper xfeed2): `url = "http://[oops/feed"` passed the http(s) check, and `monitor once` and
    `monitor run` stopped at their start with 'stopped by an uncaught error (a bug)' (urlsplit's ValueError)."""
    path = toml(tmp_path, f'[[feeds]]\nurl = "{url}"\n')
    error = config_error(path)
    assert (error.key, str(error)) == ("feeds[0].url", f"{path}: feeds[0].url: not a valid URL: {problem}")


def test_feed_url_http_and_https_accepted(tmp_path: Path) -> None:
    settings = load_settings(toml(tmp_path, '[[feeds]]\nurl = "HTTP://example.org/a"\n[[feeds]]\nurl = "https://example.org/b"\nevery = 60\n'))
    assert [(f.label, f.every) for f in settings.feeds] == [("HTTP://example.org/a", None), ("https://example.org/b", 60)]  # None: adaptive


def test_duplicate_channel_names_rejected(tmp_path: Path) -> None:
    path = toml(tmp_path, '[[channels]]\nname = "desk"\nurl = "json://a"\n[[channels]]\nname = "other"\nurl = "json://b"\n'
                          '[[channels]]\nname = "desk"\nurl = "json://c"\n')
    error = config_error(path)
    assert str(error) == f"{path}: channels: 'desk' is listed twice (names must be unique)"
    assert error.key == "channels"


def test_two_feeds_with_one_name_rejected(tmp_path: Path) -> None:
    path = toml(tmp_path, '[[feeds]]\nname = "wire"\nurl = "https://a.example/rss"\n[[feeds]]\nname = "wire"\nurl = "https://b.example/rss"\n')
    error = config_error(path)
    assert str(error) == f"{path}: feeds: 'wire' is listed twice (names must be unique)"


def test_a_feed_and_a_folder_with_one_name_rejected(tmp_path: Path) -> None:
    # A [[feeds]] entry named "inbox" beside the [[folders]] "inbox": both are the one source "inbox" in the
    # store, which each start made a feed and then the folder again: the feed was never polled, unsaid.
    path = toml(tmp_path, '[[feeds]]\nname = "inbox"\nurl = "https://a.example/rss"\n[[folders]]\nname = "inbox"\npath = "inbox"\n')
    error = config_error(path)
    assert str(error) == f"{path}: feeds and folders: 'inbox' names a feed and a folder (a source's name is its own)"


def test_redact_masks_url_passwords_without_registration() -> None:
    assert redact("sending via smtp://alerts:hunter2@mail.example.org:587") == f"sending via smtp://alerts:{MASK}@mail.example.org:587"
    assert redact("see https://example.org/a@b and mailto://me@example.org") == "see https://example.org/a@b and mailto://me@example.org"


def test_redact_masks_a_query_secret_up_to_where_the_url_ends() -> None:
    # The mask used to swallow the `):` after a feed named by its URL, and the closing quote of an OPML attribute.
    assert redact("source 15 (http://h.example/f.xml?token=ImpTok5): HTTP 404") == f"source 15 (http://h.example/f.xml?token={MASK}): HTTP 404"
    assert redact('<outline xmlUrl="https://h.example/r?api_key=ab12" />') == f'<outline xmlUrl="https://h.example/r?api_key={MASK}" />'
    assert redact("https://h.example/r?sig=a(b)c.d&x=1, then") == f"https://h.example/r?sig={MASK}&x=1, then"


def test_redact_takes_linear_time_on_a_long_run_of_letters() -> None:
    """Regression: a feed title of 40,000 letters took 16 s to redact (the URL scheme was matched from every letter
    to the end), 4,000,000 letters hung the web view's alert list and every line that showed the title."""
    started = time.perf_counter()
    assert redact("A" * 200_000) == "A" * 200_000
    assert redact("http://" + "a" * 200_000) == "http://" + "a" * 200_000
    assert time.perf_counter() - started < 5  # quadratic, it took minutes
    assert redact("x" * 100 + "http://desk:s3cret@example.org") == "x" * 100 + f"http://desk:{MASK}@example.org"  # still masked after a run


def test_register_secret_ignores_short_values() -> None:
    register_secret("abc")
    register_secret("abcd")
    assert redact("abc abcd") == f"abc {MASK}"


def test_redact_masks_every_registered_secret_in_one_pass_longest_first() -> None:
    """Secrets are masked in one pass (thousands of feeds' path tokens were one replacement each per log line): the
    longest secret where several start, each of several in a line, one registered after a first line as well."""
    register_secret("tok3n-abc")
    register_secret("tok3n-abcdef")
    assert redact("a tok3n-abcdef, a tok3n-abc, a tok3n-abX") == f"a {MASK}, a {MASK}, a tok3n-abX"
    assert redact("tok3n-abctok3n-abc") == MASK + MASK  # side by side: two masks, as before
    register_secret("Later-S3cret")
    assert redact("x Later-S3cret tok3n-abc") == f"x {MASK} {MASK}"


def test_redact_masks_overlapping_secrets_whole() -> None:
    """Two secrets overlapping in a text are masked as one: replaced one after the other, the longer first, the
    shorter's end was shown (`wx****` of `wxyz-1234` and `yz-12345678`)."""
    register_secret("yz-12345678")
    register_secret("wxyz-1234")
    assert redact("at wxyz-12345678 now") == f"at {MASK} now"


def test_secrets_registered_one_at_a_time_between_lines_are_each_masked() -> None:
    """Secrets registered after the one-pass index was built are looked for as they are until it is built again (a
    verb registering thousands of feeds, one line each, built it each time: 12 s for 2,000): each is masked from its
    registration on, and one overlapping an indexed secret is masked whole with it."""
    register_secret("base-S3cret-one")
    assert redact("base-S3cret-one") == MASK  # the index is built with it
    for n in range(150):  # past the fresh ones looked for one by one: the index is built again
        register_secret(f"fresh-{n:03d}-Tok3n")
        assert redact(f"a fresh-{n:03d}-Tok3n b fresh-000-Tok3n c") == f"a {MASK} b {MASK} c"
    register_secret("one-and-more-99")
    assert redact("xbase-S3cret-one-and-more-99x") == f"x{MASK}x"


def test_redacting_filter_masks_a_password_in_a_log_record(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MONITOR_TEST_TOKEN", "tok-9f8e7d6c")
    load_settings(toml(tmp_path, '[[channels]]\nname = "hook"\nurl = "json://hooks.example.org/${MONITOR_TEST_TOKEN}"\n'))
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(logging.Formatter("%(levelname)s %(message)s"))
    handler.addFilter(RedactingFilter())
    logger = logging.getLogger("monitor.test.redacting")
    logger.propagate = False
    logger.setLevel(logging.INFO)
    logger.addHandler(handler)
    try:
        logger.info("delivering to %s", "smtp://alerts:hunter2@mail.example.org")
        logger.warning("hook %s answered %d", "json://hooks.example.org/tok-9f8e7d6c", 500)
        logger.info("progress %d%% via %s", 50, "smtp://alerts:hunter2@mail.example.org")
    finally:
        logger.removeHandler(handler)
    lines = stream.getvalue().splitlines()
    assert lines == [
        f"INFO delivering to smtp://alerts:{MASK}@mail.example.org",
        f"WARNING hook json://hooks.example.org/{MASK} answered 500",
        f"INFO progress 50% via smtp://alerts:{MASK}@mail.example.org",
    ]
    assert "hunter2" not in stream.getvalue() and "tok-9f8e7d6c" not in stream.getvalue()


def test_short_and_numeric_env_values_are_not_masked_everywhere(tmp_path, monkeypatch):  # type: ignore[no-untyped-def]
    from monitor.redact import redact

    monkeypatch.setenv("MON_PORT", "8025")
    monkeypatch.setenv("MON_TOKEN", "tok-abcdef-123456")
    path = tmp_path / "c.toml"
    path.write_text('[[channels]]\nname = "x"\nurl = "json://127.0.0.1:${MON_PORT}/${MON_TOKEN}"\n')
    load_settings(path)
    assert redact("port 8025, token tok-abcdef-123456") == "port 8025, token ****"


def test_redacting_filter_masks_secrets_inside_tracebacks():  # type: ignore[no-untyped-def]
    import io
    import logging

    from monitor.redact import RedactingFilter

    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.addFilter(RedactingFilter())
    logger = logging.getLogger("test-redact-traceback")
    logger.addHandler(handler)
    try:
        raise RuntimeError("cannot reach mailto://desk:hunter2secret@smtp.example.org")
    except RuntimeError:
        logger.exception("job failed")
    logger.removeHandler(handler)
    assert "hunter2secret" not in stream.getvalue() and "RuntimeError" in stream.getvalue()


def test_inconsistent_poll_bounds_are_rejected(tmp_path: Path) -> None:
    error = config_error(toml(tmp_path, "[schedule]\nmin_interval = 600\nmax_interval = 60\n"))
    assert "schedule" in str(error) and "min_interval must not exceed max_interval" in str(error)


def test_max_in_flight_defaults_to_200_and_feed_workers_is_its_old_name(tmp_path: Path) -> None:
    path = tmp_path / "monitor.toml"
    path.write_text("")
    assert load_settings(path).http.max_in_flight == load_settings(path).schedule.feed_workers == 200
    path.write_text("[schedule]\nfeed_workers = 7\n")  # an old config keeps its number
    assert load_settings(path).http.max_in_flight == load_settings(path).schedule.feed_workers == 7
    path.write_text("[http]\nmax_in_flight = 300\n")
    assert load_settings(path).http.max_in_flight == load_settings(path).schedule.feed_workers == 300


def test_feed_workers_and_max_in_flight_together_is_a_config_error(tmp_path: Path) -> None:
    path = tmp_path / "monitor.toml"
    path.write_text("[schedule]\nfeed_workers = 7\n[http]\nmax_in_flight = 300\n")
    with pytest.raises(ConfigError) as info:
        load_settings(path)
    assert str(info.value) == f"{path}: (top level): schedule.feed_workers is the old name of http.max_in_flight: set only max_in_flight"


def test_a_bad_max_in_flight_is_named_as_itself(tmp_path: Path) -> None:
    path = tmp_path / "monitor.toml"
    path.write_text("[http]\nmax_in_flight = 0\n")
    with pytest.raises(ConfigError, match=r"http\.max_in_flight: should be at least 1, not 0$"):
        load_settings(path)


def test_a_store_path_that_is_a_folder_names_the_key(tmp_path: Path) -> None:
    """Regression: `[store] path = "var"` (or "") failed later, in every verb, with "cannot open database
    var: unable to open database file", naming neither the key nor the cause."""
    for value, shown in ((str(tmp_path), repr(str(tmp_path))), ("", "'.'")):
        error = config_error(toml(tmp_path, f"[store]\npath = {value!r}\n"))
        assert error.key == "store.path" and f"store.path: {shown} is a folder: give the SQLite file in it, e.g. var/monitor.db" in str(error)


def test_two_feeds_of_one_url_or_two_folders_of_one_path_are_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Regression: two [[feeds]] of one URL under two names passed, and the feed was polled twice each
    tick (`monitor sources add` refuses a URL already known); the same for a folder's path. The URL's
    secret stays masked."""
    monkeypatch.setenv("FEED_TOKEN", "s3cr3t-value")
    feeds = toml(tmp_path, '[[feeds]]\nname = "a"\nurl = "https://x.example/rss?token=${FEED_TOKEN}"\n'
                           '[[feeds]]\nname = "b"\nurl = "https://x.example/rss?token=${FEED_TOKEN}"\n')
    error = config_error(feeds)
    assert str(error) == f"{feeds}: feeds: keep one of the two entries of url https://x.example/rss?token=****" and error.key == "feeds"
    folders = toml(tmp_path, f'[[folders]]\nname = "a"\npath = "{tmp_path}"\n[[folders]]\nname = "b"\npath = "{tmp_path}"\n', name="f.toml")
    assert str(config_error(folders)) == f"{folders}: folders: keep one of the two entries of path {tmp_path}"


@pytest.mark.parametrize(("text", "key", "says"), [
    ('[feeds]\nname = "wire"\nurl = "https://example.org/rss"\n', "feeds", "write [[feeds]] (an array of tables: one [[feeds]] per entry), not [feeds]"),
    ("[[schedule]]\nfeeds_every = 3\n", "schedule", "write [schedule] (one table), not [[schedule]]"),
])
def test_a_table_written_with_the_wrong_brackets_says_which_to_write(tmp_path: Path, text: str, key: str, says: str) -> None:
    """Regression: `[feeds]` said "feeds: Input should be a valid list", `[[schedule]]` "Input should be a
    valid dictionary or instance of ScheduleSettings"."""
    path = toml(tmp_path, text)
    assert str(config_error(path)) == f"{path}: {key}: {says}"


def test_an_unclosed_environment_variable_is_refused_naming_the_key(tmp_path: Path) -> None:
    """Regression: `${SMTP_PASSWORD@smtp.example.org` (the brace forgotten) was taken as written, and the
    channel sent with the literal text as its password."""
    path = toml(tmp_path, '[[channels]]\nname = "mail"\nurl = "mailtos://alerts:${SMTP_PASSWORD@smtp.example.org"\n')
    error = config_error(path)
    assert str(error) == f"{path}: channels[0].url: ${{SMTP_PASSWORD has no closing brace: write ${{NAME}} (letters, digits and _)"
    template = toml(tmp_path, '[[channels]]\nname = "a"\nurl = "json://x"\nbody_template = "Cost: ${{ title }}"\n', name="t.toml")
    assert load_settings(template).channels[0].body_template == "Cost: ${{ title }}"  # a dollar before a Jinja expression stays


def test_a_config_nested_thousands_deep_is_one_config_error_not_a_recursion_error(tmp_path: Path) -> None:
    """Regression: a config with arrays nested 3,000 deep made tomllib raise RecursionError: a traceback for
    `monitor check`, and a SIGHUP with it stopped the running daemon (reload keeps the running config only
    on a ConfigError)."""
    config = tmp_path / "monitor.toml"
    config.write_text("x = " + "[" * 3000 + "]" * 3000 + "\n")
    with pytest.raises(ConfigError, match=r"monitor\.toml: not valid TOML: nested too deeply"):
        load_settings(config)


def test_a_config_path_to_an_endless_file_is_one_line_not_read_whole() -> None:
    """Regression: `--config /dev/zero` read the file whole (a MemoryError traceback under a memory limit)."""
    with pytest.raises(ConfigError, match=r"^/dev/zero: cannot read config file: larger than 10 MiB, not read"):
        load_settings("/dev/zero")


def test_redact_masks_a_token_given_as_a_feed_urls_user_name() -> None:
    """Regression (found by helper xsecrets): a feed polled as `https://TOKEN@host/feed.atom` (a personal access token as
    the basic-auth user, no password: GitHub's, GitLab's private feeds) was shown whole in the log's failure line,
    `monitor sources`, the web view and `sources export`; only `user:password@` was masked."""
    said = redact("source 1 (gh): http://ghp1234567890abcdefXYZ@127.0.0.1:9/feed.atom: cannot connect")
    assert said == f"source 1 (gh): http://{MASK}@127.0.0.1:9/feed.atom: cannot connect"
    assert redact("https://reader@feeds.example/a and mailto://desk2024@example.org") == "https://reader@feeds.example/a and mailto://desk2024@example.org"


def test_a_config_not_in_utf8_names_the_line_and_what_to_do(tmp_path: Path) -> None:
    """Regression: a Latin-1 monitor.toml said "cannot read config file: 'utf-8' codec can't decode byte 0xe9 in position
    16: invalid continuation byte"."""
    path = tmp_path / "monitor.toml"
    path.write_bytes('# config\nwatchlist = "café.yaml"\n'.encode("latin-1"))
    with pytest.raises(ConfigError) as exc:
        load_settings(path)
    assert str(exc.value) == f"{path}:2: not UTF-8 text (byte 0xe9 at column 17): save the file as UTF-8"


@pytest.mark.parametrize(("value", "problem"), [
    ('""', 'watchlist: empty: give the watchlist file or folder, e.g. "config/watchlist.yaml"'),
    ("123", 'watchlist: should be a file or folder in quotes, e.g. "config/watchlist.yaml"'),
])
def test_a_watchlist_setting_that_names_no_file_says_what_to_write(tmp_path: Path, value: str, problem: str) -> None:
    """Regression: `watchlist = ""` was the working folder (".: no watchlist files (*.yaml) in this folder"), and
    `watchlist = 123` said "Input is not a valid path for <class 'pathlib.Path'>"."""
    path = tmp_path / "monitor.toml"
    path.write_text(f"watchlist = {value}\n")
    with pytest.raises(ConfigError) as exc:
        load_settings(path)
    assert str(exc.value) == f"{path}: {problem}"


def test_a_home_relative_path_is_the_users_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Regression: `path = "~/inbox"` (as a shell takes it) was a folder named `~` in the working folder: `monitor check`
    warned `folder ~/inbox does not exist yet` beside the user's ~/inbox, and the daemon scanned nothing. `~` is the
    user's home in every path of the config: the watchlist, the store, a folder, a channel's Apprise config file."""
    monkeypatch.setenv("HOME", str(tmp_path))
    settings = load_settings(toml(tmp_path, 'watchlist = "~/wl.yaml"\n[store]\npath = "~/var/m.db"\n[[folders]]\npath = "~/inbox"\n'
                                            '[[channels]]\nname = "desk"\nconfig = "~/channels.yml"\n'))
    assert settings.watchlist == tmp_path / "wl.yaml" and settings.store.path == tmp_path / "var" / "m.db"
    assert settings.folders[0].path == tmp_path / "inbox" and settings.channels[0].config == tmp_path / "channels.yml"


@pytest.mark.parametrize("listen, says", [("127.0.0.1:0", "port 0 is not one of 1 to 65535"), ("[::1]:65536", "port 65536 is not one of 1 to 65535"),
                                          ("nonsense", 'must look like "127.0.0.1:9464"')])
def test_a_listen_port_out_of_range_says_so(tmp_path: Path, listen: str, says: str) -> None:
    """Regression (xweb3, session 43): `listen = "127.0.0.1:0"` was refused as not looking like "127.0.0.1:9464", which it does."""
    error = config_error(toml(tmp_path, f'[server]\nlisten = "{listen}"\n'))
    assert error.key == "server.listen" and says in str(error), str(error)


def test_the_default_retries_outlast_a_channel_down_for_a_day() -> None:
    """A channel down for a day loses no alert with the defaults: the waits between a delivery's `max_attempts` tries,
    at their shortest (the jitter's least), add up to more than 24 hours (as the example config says)."""
    from monitor.schedule import backoff_seconds

    cfg = load_settings(REPO / "config" / "monitor.toml").delivery
    assert cfg == Settings().delivery  # the example config says the defaults
    shortest = sum(backoff_seconds(attempt, cfg.backoff_seconds, cfg.backoff_max_seconds, 0.0) for attempt in range(1, cfg.max_attempts))
    longest = sum(backoff_seconds(attempt, cfg.backoff_seconds, cfg.backoff_max_seconds, 1.0) for attempt in range(1, cfg.max_attempts))
    assert 24 * 3600 < shortest and (int(shortest / 3600), int(longest / 3600)) == (26, 53)  # "26-53 hours" in the docs


@pytest.mark.parametrize(("toml", "says"), [
    ("[schedule]\nper_host = \"two\"\n", "schedule.per_host: should be a whole number, not 'two'"),
    ("[store]\nkeep_days = -1\n", "store.keep_days: should be at least 0, not -1"),
    ("[log]\nformat = \"xml\"\n", "log.format: should be 'text' or 'json', not 'xml'"),
    ("[http]\nmax_redirects = 5.5\n", "http.max_redirects: should be a whole number, not 5.5"),
])
def test_a_setting_written_wrong_is_told_what_to_write_and_what_was_written(tmp_path: Path, toml: str, says: str) -> None:
    """Regression: pydantic's own words were the message ('schedule.per_host: Input should be a valid integer, unable to
    parse string as an integer', 'store.keep_days: Input should be greater than or equal to 0'), not the value written."""
    path = tmp_path / "monitor.toml"
    path.write_text(toml)
    with pytest.raises(ConfigError) as info:
        load_settings(path)
    assert str(info.value) == f"{path}: {says}"
