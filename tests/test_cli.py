"""The `monitor` command as a user runs it: exit codes, one-line errors, no secrets, no tracebacks."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from monitor.store.db import Database
from tests.conftest import ON_POSTGRES, REPO, SEED, JsonReceiver, LocalHTTP, free_port, sqlite_only, store_url, wait_for, write_config

VERBS = ["run", "once", "match", "check", "alerts", "watchlist"]


def monitor(*args: str, cwd: Path = REPO, stdin: str | None = None, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "monitor", *args], cwd=cwd, input=stdin, capture_output=True, text=True, timeout=60,
        env={**os.environ, **(env or {})},
    )


def one_line_error(result: subprocess.CompletedProcess[str]) -> str:
    assert result.returncode == 1, result.stdout + result.stderr
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    return lines[0]


@pytest.mark.parametrize("verb", VERBS)
def test_every_verb_has_help(verb: str) -> None:
    result = monitor(verb, "--help")
    assert result.returncode == 0
    assert "Usage" in result.stdout and "--config" in result.stdout


def test_check_accepts_the_example_config() -> None:
    result = monitor("check")
    assert result.returncode == 0, result.stderr
    assert "watchlist config/watchlist.yaml: ok" in result.stdout
    assert "channel console: console://" in result.stdout


def test_check_names_file_and_key_of_a_typo(tmp_path: Path) -> None:
    config = write_config(tmp_path, settings={"http": {"timout": 3}})
    line = one_line_error(monitor("check", "--config", str(config)))
    assert str(config) in line and "http.timout" in line and "unknown key" in line


def test_check_names_file_and_line_of_a_bad_regex(tmp_path: Path) -> None:
    watchlist = tmp_path / "wl.yaml"
    watchlist.write_text("actors:\n  - name: X\n    kind: group\n    aliases: [Xgroup]\n    patterns: ['(unclosed']\n")
    line = one_line_error(monitor("check", "--config", str(write_config(tmp_path, watchlist=watchlist))))
    assert f"{watchlist}:5" in line and "bad regex" in line


def test_check_names_an_empty_alias(tmp_path: Path) -> None:
    watchlist = tmp_path / "wl.yaml"
    watchlist.write_text("actors:\n  - name: X\n    kind: group\n    aliases:\n      - Xgroup\n      - ''\n")
    line = one_line_error(monitor("check", "--config", str(write_config(tmp_path, watchlist=watchlist))))
    assert f"{watchlist}:" in line and "empty" in line


def test_check_rejects_an_unknown_channel_url_without_printing_its_secret(tmp_path: Path) -> None:
    config = write_config(tmp_path, channels=[{"name": "bad", "url": "nosuchscheme://user:topsecret99@host/"}])
    line = one_line_error(monitor("check", "--config", str(config)))
    assert "'bad'" in line and "topsecret99" not in line


def test_check_never_prints_secrets_of_channels(tmp_path: Path) -> None:
    slack = "slack://T1JJ3T3L2/A1BRTD4JD/TIiajkdnlazkcOXrIdevi7FQ"
    config = write_config(tmp_path, channels=[
        {"name": "slack", "url": slack},
        {"name": "mail", "url": "mailto://desk:${SMTP_PASSWORD}@smtp.example.org?to=a@example.org"},
    ])
    result = monitor("check", "--config", str(config), env={"SMTP_PASSWORD": "pa55-w0rd-xyz"})
    assert result.returncode == 0, result.stderr
    assert "channel slack:" in result.stdout and "channel mail:" in result.stdout
    for secret in ("pa55-w0rd-xyz", "TIiajkdnlazkcOXrIdevi7FQ"):
        assert secret not in result.stdout + result.stderr


def test_check_masks_credentials_a_webhook_channel_sends_as_headers_or_payload_keys(tmp_path: Path) -> None:
    # json:// takes HTTP headers as `+Name=value` and payload keys as `:name=value`: check printed
    # `%2BAuthorization=Bearer%20xyzsecret99&%2BX-Api-Key=hdrkey12345` as it was.
    url = "json://127.0.0.1:9/hook?+Authorization=Bearer%20xyzsecret99&+X-Api-Key=hdrkey12345&:secret=sekrit55&+X-Team=desk-one"
    result = monitor("check", "--config", str(write_config(tmp_path, channels=[{"name": "hook", "url": url}])))
    assert result.returncode == 0, result.stderr
    for secret in ("xyzsecret99", "hdrkey12345", "sekrit55"):
        assert secret not in result.stdout + result.stderr
    assert "channel hook: json://127.0.0.1:9/hook" in result.stdout and "desk-one" in result.stdout  # not a credential


def test_check_warns_of_a_rule_whose_alerts_no_channel_takes(tmp_path: Path) -> None:
    config = write_config(tmp_path, channels=[{"name": "oncall", "url": "json://127.0.0.1:9/x", "tags": ["oncall"]}])
    result = monitor("check", "--config", str(config))
    assert result.returncode == 0, result.stderr
    assert "warning: rule 'watched actor in a violent event' routes to tags default but no channel has them" in result.stdout


def test_check_warns_of_a_webhook_url_parameter_apprise_drops(tmp_path: Path, json_receiver: JsonReceiver) -> None:
    """Regression: `json://host/hook?token=${TOKEN}` lost its token without a word: Apprise passes a URL parameter on
    to a json://, xml:// or form:// receiver only as `-token=...`, and `monitor check` printed the URL without it
    (found by helper xsecrets). The receiver gets what check says it gets."""
    url = f"{json_receiver.url}?token=s3cr3tvalue&-sig=kept&+X-Desk=1&method=POST"
    config = write_config(tmp_path, channels=[{"name": "hook", "url": url}])
    result = monitor("check", "--config", str(config))
    assert result.returncode == 0, result.stderr
    warnings = [line for line in result.stdout.splitlines() if "drops the URL parameter" in line]
    assert warnings == ["warning: channel 'hook': Apprise drops the URL parameter 'token' of json://: write ?-token=... for the receiver to get it"]
    assert "s3cr3tvalue" not in result.stdout
    from monitor.alerts.channels import Notifier
    from monitor.settings import load_settings

    from urllib.parse import parse_qs, urlsplit

    Notifier(load_settings(config).channels).send("hook", "title", "body")
    query = parse_qs(urlsplit(json_receiver.http.requests[-1][1]).query)
    assert "token" not in query and query.get("sig") == ["kept"]


def test_check_warns_of_a_channel_url_variable_that_is_set_but_empty(tmp_path: Path) -> None:
    """Regression (found by helper xupgrade2): an env file's `HOOK_TOKEN=` (set, but empty) made
    `json://127.0.0.1:9/hook/${HOOK_TOKEN}` a valid URL without its token, and `monitor check` said all was well: the
    channel failed at its first alert. It now warns, naming the key and the variable; an empty store URL does not warn
    (deploy/container.toml's empty MONITOR_STORE_URL means the SQLite path)."""
    config = write_config(tmp_path, channels=[{"name": "hook", "url": "json://127.0.0.1:9/hook/${XU_HOOK_TOKEN}?x=${XU_SET}"}])
    if not ON_POSTGRES:  # (that pass's store is its URL)
        config.write_text(config.read_text().replace("[store]\n", '[store]\nurl = "${XU_STORE_URL}"\n', 1))
    result = monitor("check", "--config", str(config), env={"XU_HOOK_TOKEN": " ", "XU_SET": "yes", "XU_STORE_URL": ""})
    assert result.returncode == 0, result.stderr
    warnings = [line for line in result.stdout.splitlines() if "empty" in line]
    assert warnings == [f"warning: {config}: channels[0].url: environment variable XU_HOOK_TOKEN is set but empty: the channel 'hook' has "
                        "nothing where it stands (a password or token missing?): give it its value, or take ${XU_HOOK_TOKEN} out of the URL"]


def test_check_warns_of_a_variable_set_but_empty_beside_other_text_in_any_setting(tmp_path: Path) -> None:
    """A `${VAR}` set but empty elsewhere than a channel, beside other text, leaves a value that loads and is not the one
    meant (`path = "${DATA}/inbox"` is `/inbox`): check warns, naming the key and the variable, not the value. A value that
    is the variable alone (an empty store URL: SQLite) still says nothing."""
    config = write_config(tmp_path)
    config.write_text(config.read_text() + '\n[[folders]]\nname = "desk"\npath = "${XU_DATA}/inbox"\n')
    result = monitor("check", "--config", str(config), env={"XU_DATA": ""})
    assert result.returncode == 0, result.stderr
    warnings = [line for line in result.stdout.splitlines() if "empty" in line]
    assert warnings == [f"warning: {config}: folders[0].path: environment variable XU_DATA is set but empty: the value is read without it "
                        "(a directory or host missing?): give it its value, or take ${XU_DATA} out"]


def test_the_daemon_warns_at_start_and_at_a_reload_of_a_channel_url_variable_set_but_empty(tmp_path: Path) -> None:
    """Regression (found by helper xupgrade2): a daemon started (or reloaded) with a channel's `${VAR}` set but empty
    said nothing of it: its first alert failed to send, an hour of retries later given up. It now says it in one
    warning line, as `monitor check` does."""
    import signal

    config = write_config(tmp_path, channels=[{"name": "hook", "url": "json://127.0.0.1:9/hook/${XU_HOOK_TOKEN}"}])
    env = {**os.environ, "XU_HOOK_TOKEN": ""}
    with open(tmp_path / "err.log", "w") as err:
        daemon = subprocess.Popen([sys.executable, "-m", "monitor", "run", "--config", str(config)], cwd=REPO, stderr=err, env=env)
        try:
            wait_for(lambda: "monitor running" in (tmp_path / "err.log").read_text(), timeout=30)
            daemon.send_signal(signal.SIGHUP)
            wait_for(lambda: "config reloaded" in (tmp_path / "err.log").read_text(), timeout=30)
        finally:
            daemon.terminate()
            daemon.wait(timeout=30)
    said = [line.split(" ", 2)[1:] for line in (tmp_path / "err.log").read_text().splitlines() if "set but empty" in line]
    assert said == 2 * [["WARNING", f"{config}: channels[0].url: environment variable XU_HOOK_TOKEN is set but empty: the channel 'hook' has "
                                    "nothing where it stands (a password or token missing?): give it its value, or take ${XU_HOOK_TOKEN} out of the URL"]]


def test_check_fails_naming_an_example_that_does_not_hold(tmp_path: Path) -> None:
    watchlist = tmp_path / "wl.yaml"
    watchlist.write_text(
        "actors:\n  - name: Qasem Soleimani\n    kind: person\n    aliases: [Soleimani]\n"
        "    examples:\n      must_match:\n        - Qasem Soleimani spoke.\n        - Nobody of that name spoke.\n"
    )
    result = monitor("check", "--config", str(write_config(tmp_path, watchlist=watchlist)))
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert result.stderr.strip() == (f"monitor: example failed: {watchlist}:8: actor 'Qasem Soleimani' must match: 'Nobody of that name spoke.': "
                                     "no alias of 'Qasem Soleimani' appears")


def test_a_failed_example_says_why_it_does_not_hold(tmp_path: Path) -> None:
    """Regression: `check` named the example that failed and nothing more: whether an alias lacked its context
    word, a not_when cancelled it, a rule's pair stood in two sentences, or what matched where nothing should."""
    watchlist = tmp_path / "wl.yaml"
    watchlist.write_text(
        "actors:\n  - name: Wagner Group\n    kind: group\n    aliases: [{alias: Wagner, context: [mercenaries]}]\n    not_when: [Richard Wagner]\n"
        "    examples:\n      must_match: [Wagner said so., Richard Wagner and Wagner Group mercenaries.]\n      must_not_match: [Wagner Group mercenaries left.]\n"
        "events:\n  - name: drone strike\n    severity: 3\n    phrases: [drone strike]\n"
        "rules:\n  - name: hit\n    min_severity: 2\n    examples:\n      must_match: [Wagner Group left. A drone strike followed.]\n"
        "      must_not_match: [Wagner Group fighters died in a drone strike.]\n"
    )
    result = monitor("check", "--config", str(write_config(tmp_path, watchlist=watchlist)))
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert result.stderr.strip().splitlines() == [
        f"monitor: example failed: {watchlist}:7: actor 'Wagner Group' must match: 'Wagner said so.': "
        "actor 'Wagner Group': alias 'Wagner' found 'Wagner' at 0-6, score 100, but ambiguous 'Wagner' has no context word within 20 words of it (mercenaries)",
        f"monitor: example failed: {watchlist}:7: actor 'Wagner Group' must match: 'Richard Wagner and Wagner Group mercenaries.': "
        "actor 'Wagner Group': alias 'Wagner' found 'Wagner' at 8-14, score 100, near 'mercenaries', but cancelled by not_when 'Richard Wagner' "
        "(found 'Richard Wagner' at 0-14, 0 words away; the window is 6)",
        f"monitor: example failed: {watchlist}:8: actor 'Wagner Group' must not match: 'Wagner Group mercenaries left.': "
        "actor 'Wagner Group': alias 'Wagner Group' found 'Wagner Group' at 0-12, score 100",
        f"monitor: example failed: {watchlist}:17: rule 'hit' must match: 'Wagner Group left. A drone strike followed.': "
        "rule 'hit': Wagner Group (found 'Wagner Group') and drone strike (found 'drone strike', severity 3) are 2 words apart, in different sentences: not in one sentence",
        f"monitor: example failed: {watchlist}:18: rule 'hit' must not match: 'Wagner Group fighters died in a drone strike.': "
        "rule 'hit' fired: Wagner Group (found “Wagner Group”, 100) + drone strike (severity 3) within 4 words",
    ]


def test_check_warns_of_a_regex_that_times_out_on_an_example(tmp_path: Path) -> None:
    """Issue 14.10: a catastrophic user regex was silent."""
    watchlist = tmp_path / "wl.yaml"
    watchlist.write_text(
        "events:\n  - name: slow\n    severity: 1\n    patterns: ['(a|aa)+$', 'b+c']\n"
        "    examples:\n      must_not_match:\n        - " + "a" * 40 + "!\n        - " + "a" * 41 + "!\n"
    )
    result = monitor("check", "--config", str(write_config(tmp_path, watchlist=watchlist)))
    assert result.returncode == 0, result.stderr
    (warning,) = [line for line in result.stdout.splitlines() if "timed out" in line]
    assert warning.startswith(f"warning: event 'slow' pattern '(a|aa)+$' timed out on example {watchlist}:7 (over 0.25 s)")


def test_check_renders_every_channel_template_against_a_sample_alert(tmp_path: Path) -> None:
    """Regression (issue 14, 19): a template naming no alert field passed `check`, then failed at every send."""
    config = write_config(tmp_path, channels=[
        {"name": "desk", "url": "json://127.0.0.1:9/x", "title_template": "{{ actorz[0] }}: {{ title }}"},
        {"name": "mail", "url": "json://127.0.0.1:9/y", "body_template": "{{ severity + title }}"},
        {"name": "good", "url": "json://127.0.0.1:9/z", "format": "html", "title_template": "{{ severity_word | upper }}: {{ actors | join(', ') }}",
         "body_template": "{% for hit in hits %}<p>{{ hit.explanation }}</p>{% endfor %}{{ hits[0].sentence | upper }} {{ url }} {{ (published or '')[:10] }}"
                          "{% if follow_up %}{{ follow_up[:8] }}{% endif %}"},
    ])
    result = monitor("check", "--config", str(config))
    assert result.returncode == 1 and "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 2, result.stderr
    assert lines[0].startswith("monitor: channels[desk].title_template: 'actorz' is undefined (an alert has actors, events, ")
    assert lines[1] == "monitor: channels[mail].body_template: unsupported operand type(s) for +: 'int' and 'str'"


def test_check_renders_templates_as_the_alerts_of_a_folder_file_and_a_follow_up_and_names_a_hit_field_misspelt(tmp_path: Path) -> None:
    """Regression: `{{ published[:10] }}` passed `check` (its sample alert had a link and a date) and failed at
    every send of a folder file's alert ('NoneType' object is not subscriptable); `{{ hit.sentance }}` passed and
    rendered nothing in every alert."""
    config = write_config(tmp_path, channels=[
        {"name": "dated", "url": "json://127.0.0.1:9/x", "title_template": "{{ published[:10] }} {{ title }}"},
        {"name": "linked", "url": "json://127.0.0.1:9/y", "body_template": "{{ title }} <{{ url.split('/')[2] }}>"},
        {"name": "misspelt", "url": "json://127.0.0.1:9/z", "format": "html", "body_template": "{% for hit in hits %}<q>{{ hit.sentance }}</q>{% endfor %}"},
        {"name": "fine", "url": "json://127.0.0.1:9/w", "body_template": "{{ hits[0].sentance | default('') }}{{ title }}{% if url %} {{ url.split('/')[2] }}{% endif %}"},
    ])
    result = monitor("check", "--config", str(config))
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert result.stderr.strip().splitlines() == [
        "monitor: channels[dated].title_template: 'NoneType' object is not subscriptable (on a folder file's follow-up alert: no link, no published time)",
        "monitor: channels[linked].body_template: 'None' has no attribute 'split' (on a folder file's follow-up alert: no link, no published time)",
        "monitor: channels[misspelt].body_template: 'dict object' has no attribute 'sentance'",
    ]


def test_check_warns_of_a_spike_whose_alerts_no_channel_takes_and_of_a_rule_with_no_tags(tmp_path: Path) -> None:
    """Regression: a `spikes:` entry routed to tags no channel has passed `check` without a word (its alerts
    were stored, never sent), and a rule with `tags: []` was said to route 'to tags  but no channel has them'."""
    watchlist = tmp_path / "wl.yaml"
    watchlist.write_text("actors:\n  - {name: Iran, kind: state}\nevents:\n  - {name: rocket attack, severity: 3, phrases: [rocket attack]}\n"
                         "rules:\n  - {name: quiet, tags: []}\n  - {name: loud}\nspikes:\n  - {actor: Iran, tags: [desk]}\n  - {event: rocket attack}\n")
    result = monitor("check", "--config", str(write_config(tmp_path, watchlist=watchlist)))
    assert result.returncode == 0, result.stderr
    warnings = [line for line in result.stdout.splitlines() if "no channel" in line]
    assert warnings == ["warning: rule 'quiet' has no tags (tags: []): no channel takes its alerts: they are stored, not sent",
                        "warning: spike 'Iran' routes to tags desk but no channel has them: its alerts are stored, not sent"]


def test_check_renders_templates_against_the_alerts_each_channel_gets_spikes_and_source_health_included(tmp_path: Path) -> None:
    """Regression: a spike channel's template using the fields docs/trends.md gives spike alerts (`{{ count }}`)
    was refused ('count' is undefined); a template failing on every spike or source-health alert passed."""
    watchlist = tmp_path / "wl.yaml"
    watchlist.write_text("actors:\n  - {name: Iran, kind: state}\nevents:\n  - {name: rocket attack, severity: 3, phrases: [rocket attack]}\n"
                         "rules:\n  - {name: any}\nspikes:\n  - {actor: Iran, tags: [desk]}\n")
    config = write_config(tmp_path, watchlist=watchlist, channels=[
        {"name": "desk", "url": "json://127.0.0.1:9/a", "tags": ["desk"], "title_template": "{{ actor }}: {{ count }} stories in {{ window_hours }} h, p {{ p }}"},
        {"name": "both", "url": "json://127.0.0.1:9/b", "tags": ["default", "desk"],
         "title_template": "{% if kind == 'spike' %}{{ count }} stories{% else %}{{ severity_word }}: {{ hits[0].sentence }}{% endif %}"},
        {"name": "wide", "url": "json://127.0.0.1:9/c", "tags": ["default", "desk"], "title_template": "{{ hits[0].rule }}: {{ title }}"},
        {"name": "ops", "url": "json://127.0.0.1:9/d", "tags": ["ops"], "body_template": "{{ source }} since {{ since[:10] }}"},
        {"name": "mixed", "url": "json://127.0.0.1:9/f", "tags": ["default", "desk"],  # a spike's fields are empty on an article's alert, as at send time
         "body_template": "{{ title }}{% for s in stories %} {{ s.title }}{% endfor %}{% if count %} {{ count }}{% endif %}"},
        {"name": "articles", "url": "json://127.0.0.1:9/e", "title_template": "{{ count }} {{ title }}"},
    ])
    result = monitor("check", "--config", str(config))
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert result.stderr.strip().splitlines() == [
        "monitor: channels[wide].title_template: list object has no element 0 (on a spike alert: no article, no hits)",
        "monitor: channels[articles].title_template: 'count' is undefined (an alert has actors, events, follow_up, hits, kind, published, "
        "severity, severity_word, source, story, title, uid, url)",
    ]


def test_check_refuses_a_folder_path_that_is_a_file(tmp_path: Path) -> None:
    """Regression: `[[folders]] path = "README.md"` passed `monitor check` with "folder README.md does not
    exist yet" (it exists: it is a file), and the daemon then logged "Not a directory" at every scan."""
    article = tmp_path / "article.txt"
    article.write_text("Iran fired ballistic missiles at Iraq.")
    config = write_config(tmp_path, folders=[article])
    line = one_line_error(monitor("check", "--config", str(config)))
    assert line == f"monitor: {config}: folders[{article}].path: {article} is not a folder (a [[folders]] path names a folder of article files)"
    missing = write_config(tmp_path, folders=[tmp_path / "inbox"])
    result = monitor("check", "--config", str(missing))
    assert result.returncode == 0 and f"warning: folder {tmp_path / 'inbox'} does not exist yet" in result.stdout, result.stderr


def test_check_warns_of_an_alias_the_matcher_never_matches(tmp_path: Path) -> None:
    """Regression: `monitor check` said ok of an alias 'Flight PS752', which never matches (PS752 is a code to the matcher)."""
    watchlist = tmp_path / "watchlist.yaml"
    watchlist.write_text("actors:\n  - name: Ukraine International Airlines\n    kind: organisation\n    aliases: [Flight PS752]\n")
    result = monitor("check", "--config", str(write_config(tmp_path, watchlist=watchlist)))
    assert result.returncode == 0, result.stderr
    assert (f"warning: {watchlist}: actor 'Ukraine International Airlines': alias 'Flight PS752' never matches: the matcher takes 'PS752' "
            "for a number or code") in result.stdout


def test_check_warns_of_a_watchlist_with_nothing_to_alert_on(tmp_path: Path) -> None:
    """Regression: an empty watchlist (or one without rules) passed as "ok (0 actors, 0 events, 0 rules)"
    without a word: the daemon then stores everything and alerts nobody."""
    empty = tmp_path / "watchlist.yaml"
    empty.write_text("actors:\n  - name: Iran\n    kind: state\n")
    result = monitor("check", "--config", str(write_config(tmp_path, watchlist=empty)))
    assert result.returncode == 0 and f"warning: {empty}: no rules and no spikes: nothing will alert (docs/watchlist.md)" in result.stdout, result.stderr
    assert "nothing will alert" not in monitor("check", "--config", str(write_config(tmp_path))).stdout


def test_missing_config_is_one_line(tmp_path: Path) -> None:
    line = one_line_error(monitor("check", "--config", str(tmp_path / "nope.toml")))
    assert "nope.toml" in line and "not found" in line


def test_match_prints_what_matched_and_the_decision() -> None:
    result = monitor("match", str(SEED))
    assert result.returncode == 0, result.stderr
    for expected in ("Qasem Soleimani", "drone strike", "ballistic missiles", "decision: ALERT, severity 3"):
        assert expected in result.stdout


def test_match_keeps_a_regexs_first_hundred_matches_saying_so_in_one_line(tmp_path: Path) -> None:
    """Regression: a user regex matching every letter (`\\w`) printed a table of 40,007 rows in 68 s, unsaid."""
    watchlist = tmp_path / "wl.yaml"
    watchlist.write_text("actors:\n  - name: Letters\n    kind: group\n    aliases: [Letterz]\n    patterns: ['\\w']\n")
    result = monitor("match", "--watchlist", str(watchlist), "-", stdin="A drone strike. " + " ".join(["abcd"] * 10_000))
    assert result.returncode == 0, result.stderr
    assert result.stderr.splitlines() == ["monitor: warning: watchlist actor 'Letters' pattern '\\\\w' matched more than 100 times: its first 100 matches "
                                          "are kept (a pattern that matches so often matches too much)"]
    assert result.stdout.count("│ actor ") == 100


def test_match_reads_stdin_and_prints_json() -> None:
    result = monitor("match", "--json", "-", stdin="Workers went on strike over pay, Tehran said.")
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["schema"] == "monitor.match/1" and data["alert"] is False and data["rules"] == []
    assert [m["name"] for m in data["actors"]] == ["Iran"]
    assert data["actors"][0] | {"snippet": ""} == {
        "name": "Iran", "kind": "state", "alias": "Tehran", "found": "Tehran", "start": 33, "end": 39, "score": 100.0, "snippet": "", "part_of": None,
        "context": None, "context_actor": None, "ancestors": [],
    }
    assert data["events"] == []  # a labour strike is cancelled by its context


def test_match_json_explains_the_rule_that_fired() -> None:
    result = monitor("match", "--json", "-", stdin="Qassem Suleimani was killed in a US drone strike near Baghdad airport.")
    data = json.loads(result.stdout)
    assert data["alert"] is True and data["severity"] == 3
    rule = next(r for r in data["rules"] if r["actor"] == "Qasem Soleimani")
    assert rule["event"] == "drone strike" and rule["distance_words"] == 5
    assert rule["explanation"] == "Qasem Soleimani (found \u201cQassem Suleimani\u201d, 100) + drone strike (severity 3) within 5 words"
    assert rule["snippet"] == "Qassem Suleimani was killed in a US drone strike near Baghdad airport."


def test_match_says_a_rule_waits_for_more_sources(tmp_path: Path) -> None:
    """Regression: with a rule of `min_sources: 2`, `monitor match` said 'decision: ALERT' on one article, which
    the daemon holds until a second source carries its story: the analyst testing the rule was told otherwise."""
    watchlist = tmp_path / "wl.yaml"
    watchlist.write_text("actors:\n  - {name: Qasem Soleimani, kind: person, aliases: [Soleimani]}\n"
                         "events:\n  - {name: drone strike, severity: 3, phrases: [drone strike]}\n"
                         "rules:\n  - {name: corroborated, min_sources: 2, sources_within: 6}\n")
    config = write_config(tmp_path, watchlist=watchlist)
    text = "Qasem Soleimani was killed in a drone strike."
    result = monitor("match", "-", "--config", str(config), stdin=text, env={"COLUMNS": "200"})
    assert result.returncode == 0, result.stderr
    assert "  rule 'corroborated' waits for 2 sources to carry the story (within 6 h of its first article): one article alone does not alert" in result.stdout
    assert result.stdout.splitlines()[-1] == "decision: ALERT once 2 sources carry the story (one article alone: no alert), severity 3"
    data = json.loads(monitor("match", "-", "--json", "--config", str(config), stdin=text).stdout)
    assert data["alert"] is True and (data["rules"][0]["min_sources"], data["rules"][0]["sources_within"]) == (2, 6)
    plain = json.loads(monitor("match", "-", "--json", stdin="Qassem Suleimani was killed in a US drone strike.").stdout)  # the default rules
    assert {(r["min_sources"], r["sources_within"]) for r in plain["rules"]} == {(1, None)}


def test_match_on_a_binary_file_is_one_line(tmp_path: Path) -> None:
    path = tmp_path / "x.txt"
    path.write_bytes(bytes(range(256)))
    line = one_line_error(monitor("match", str(path)))
    assert str(path) in line and "binary" in line


def test_match_refuses_an_empty_file_and_binary_or_empty_stdin_in_one_line(tmp_path: Path) -> None:
    """Regression: an empty (or blank) file and empty standard input printed an empty table and "no alert",
    exit 0; binary standard input was matched as text. Now each is one line, exit 1, as a binary file is."""
    for name, content in (("empty.txt", ""), ("blank.md", " \n\n\t\n"), ("menu.html", "<html><body><nav>Home</nav></body></html>")):
        (tmp_path / name).write_text(content)
        assert one_line_error(monitor("match", str(tmp_path / name))) == f"monitor: error: {tmp_path / name}: empty: no text to match"
    for data, says in ((b"", "standard input: empty: no text to match"), (bytes(range(256)) * 4, "standard input: binary file, not an article")):
        result = subprocess.run([sys.executable, "-m", "monitor", "match", "-"], cwd=REPO, input=data, capture_output=True, timeout=60)
        assert result.returncode == 1 and result.stderr.decode().strip() == f"monitor: error: {says}", result.stderr
    latin1 = subprocess.run([sys.executable, "-m", "monitor", "match", "-"], cwd=REPO, input="Iran fired ballistic missiles at Iraq, said l'agence à Paris.".encode("latin-1"),
                            capture_output=True, timeout=60)
    assert latin1.returncode == 0 and b"decision: ALERT" in latin1.stdout  # not UTF-8: read as cp1252, as the folder sources do


def test_match_reads_at_most_an_article_of_5_mib_from_standard_input() -> None:
    # `monitor match -` read standard input whole, without the 5 MiB bound a file has: an endless pipe
    # (`yes | monitor match -`, a hostile page piped in) took memory until the machine ran out.
    big = b"Iran fired ballistic missiles at Iraq. " * (6 * 1024 * 1024 // 39)
    result = subprocess.run([sys.executable, "-m", "monitor", "match", "-"], cwd=REPO, input=big, capture_output=True, timeout=60)
    assert result.returncode == 1 and result.stderr.decode().strip() == (
        "monitor: error: standard input: larger than 5242880 bytes, not read: give at most 5 MiB (the first part of the article)"), result.stderr[-300:]


def test_once_processes_and_alerts_then_alerts_lists_it(tmp_path: Path) -> None:
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (inbox / "seed.txt").write_text(SEED.read_text())
    os.utime(inbox / "seed.txt", (time.time() - 60, time.time() - 60))
    config = write_config(tmp_path, folders=[inbox])
    result = monitor("once", "--config", str(config))
    assert result.returncode == 0, result.stderr
    lines = (tmp_path / "alerts.jsonl").read_text().splitlines()
    assert len(lines) == 1 and "Qasem Soleimani" in json.loads(lines[0])["title"]
    assert "=== ALERT" in result.stdout
    listing = monitor("alerts", "--config", str(config), "--limit", "5")
    assert listing.returncode == 0
    assert "file:sent" in listing.stdout and "Qasem" in listing.stdout
    assert monitor("once", "--config", str(config)).returncode == 0
    assert len((tmp_path / "alerts.jsonl").read_text().splitlines()) == 1  # nothing twice


def test_replay_lists_what_a_watchlist_change_would_alert_differently(tmp_path: Path) -> None:
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (inbox / "seed.txt").write_text(SEED.read_text())
    (inbox / "wagner.txt").write_text("PMC Wagner fighters were hit by a drone strike near Bakhmut.\n")
    for path in inbox.iterdir():
        os.utime(path, (time.time() - 60, time.time() - 60))
    config = write_config(tmp_path, folders=[inbox])
    assert monitor("once", "--config", str(config)).returncode == 0

    same = monitor("match", "--config", str(config), "--replay", "1d")
    assert same.returncode == 0, same.stderr
    assert "re-matched 2 stored articles" in same.stdout
    assert "would alert now, did not before: none" in same.stdout and "alerted before, would not now: none" in same.stdout

    changed = tmp_path / "changed.yaml"
    changed.write_text(
        "actors:\n  - name: Wagner Group\n    kind: group\n    aliases: [PMC Wagner]\n"
        "events:\n  - name: drone strike\n    severity: 3\n    phrases: [drone strike]\n"
        "rules:\n  - name: Wagner hit\n    actors: [Wagner Group]\n    min_severity: 2\n"
    )
    diff = monitor("match", "--config", str(config), "--watchlist", str(changed), "--replay", "2d", env={"COLUMNS": "200"})  # a line each
    assert diff.returncode == 0, diff.stderr
    assert "would alert now, did not before: 1" in diff.stdout and "rule 'Wagner hit': Wagner Group" in diff.stdout
    assert "alerted before, would not now: 1" in diff.stdout


def test_eval_prints_precision_recall_and_the_worst_misses(tmp_path: Path) -> None:
    cases = tmp_path / "cases.jsonl"
    cases.write_text("\n".join(json.dumps(c) for c in [
        {"id": "hit", "text": "Qassem Suleimani was killed in a drone strike.", "actors": ["Qasem Soleimani"], "events": ["drone strike", "killing"], "alert": True},
        {"id": "labour", "text": "Workers went on strike over pay.", "actors": [], "events": [], "alert": False},
        {"id": "unknown", "text": "Wagner fighters were killed.", "actors": ["Wagner Group"], "events": ["killing"], "alert": True},
    ]) + "\n")
    result = monitor("eval", str(cases))
    assert result.returncode == 0, result.stderr
    assert "actors │ 1.000     │ 0.500" in result.stdout  # precision 1, recall 1/2
    assert "alert accuracy: 0.667 (2/3)" in result.stdout
    assert "unknown: miss Wagner Group: 'Wagner Group' is no actor or event of the watchlist" in result.stdout
    assert "unknown: alert missed: rule " in result.stdout and "alert-worthy texts missed: 1 of 2" in result.stdout


@sqlite_only
def test_the_cli_says_counts_of_one_in_the_singular(tmp_path: Path) -> None:
    """Regression (found by helper xops): "1 cases from one.jsonl", "0 of 1 feeds added", "Trends, last 1 days", and `check`'s
    "ok (1 actors, 1 events, 1 rules, 1 examples hold)"."""
    cases = tmp_path / "one.jsonl"
    cases.write_text(json.dumps({"id": "hit", "text": "Qassem Suleimani was killed in a drone strike.", "actors": ["Qasem Soleimani"],
                                 "events": ["drone strike", "killing"], "alert": True}) + "\n")
    assert f"1 case from {cases}" in monitor("eval", str(cases), env={"COLUMNS": "200"}).stdout
    opml = tmp_path / "one.opml"
    opml.write_text('<opml version="2.0"><body><outline text="a" xmlUrl="feed://w.example/a.xml"/></body></opml>')
    config = str(write_config(tmp_path))
    assert monitor("sources", "import", str(opml), "--config", config).stdout.splitlines()[-1] == f"0 of 1 feed added from {opml}"
    Database(store_url(tmp_path)).close()
    assert "Trends, last 1 day\n" in monitor("trends", "--days", "1", "--config", config, env={"COLUMNS": "200"}).stdout
    watchlist = tmp_path / "one.yaml"
    watchlist.write_text("actors:\n  - {name: Kataeb Hezbollah, kind: group, aliases: [KH]}\nevents:\n  - {name: rocket attack, severity: 3, phrases: [rockets]}\n"
                         "rules:\n  - {name: kh rockets, actors: [Kataeb Hezbollah], events: [rocket attack], examples: {must_match: [KH fired rockets.]}}\n")
    checked = monitor("check", "--config", str(write_config(tmp_path, watchlist=watchlist)))
    assert f"watchlist {watchlist}: ok (1 actor, 1 event, 1 rule, 1 example holds)" in checked.stdout, checked.stdout + checked.stderr


def test_eval_refuses_a_file_of_no_cases_or_not_utf8_naming_it(tmp_path: Path) -> None:
    """Regression: an empty cases file printed figures of 0 cases, exit 0; a Latin-1 one said only
    "'utf-8' codec can't decode byte ..." without naming the file."""
    (tmp_path / "empty.jsonl").write_text("\n\n")
    assert one_line_error(monitor("eval", str(tmp_path / "empty.jsonl"))) == f"monitor: error: {tmp_path / 'empty.jsonl'}: no cases: one JSON object per line (id, text, actors, events, alert)"
    (tmp_path / "latin.jsonl").write_bytes(json.dumps({"id": "x", "text": "é"}, ensure_ascii=False).encode("latin-1"))
    assert one_line_error(monitor("eval", str(tmp_path / "latin.jsonl"))) == f"monitor: error: {tmp_path / 'latin.jsonl'}:1: not UTF-8 text (byte 0xe9 at column 22): save the file as UTF-8"


def test_eval_reads_a_bounded_file_and_matches_each_text_as_the_daemon_does(tmp_path: Path) -> None:
    """Regression: `monitor eval /dev/zero` read until a MemoryError, and a case's text was matched whole, where the
    daemon matches an article's first 50,000 characters: a megabyte's text took minutes, and eval reported what the
    daemon never finds."""
    assert one_line_error(monitor("eval", "/dev/zero")) == "monitor: error: /dev/zero: larger than 50 MiB, not read: labelled cases are JSON lines (is it the right file?)"
    cases = tmp_path / "long.jsonl"
    cases.write_text(json.dumps({"id": "long", "text": "The weather was mild. " * 3000 + "A US drone strike killed Qasem Soleimani.",
                                 "actors": [], "events": [], "alert": False}) + "\n")
    result = monitor("eval", str(cases), "--json")
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["alert_accuracy"] == 1.0, report


def test_failed_deliveries_are_listed_and_can_be_requeued(tmp_path: Path) -> None:
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (inbox / "a.txt").write_text("Kataeb Hezbollah fired rockets at the US embassy in Baghdad.\n")
    os.utime(inbox / "a.txt", (time.time() - 60, time.time() - 60))
    config = write_config(tmp_path, folders=[inbox], channels=[{"name": "down", "url": f"json://127.0.0.1:{free_port()}/x"}], settings={"delivery": {"backoff_seconds": 0.01}})
    for _ in range(3):  # max_attempts = 3
        assert monitor("once", "--config", str(config)).returncode == 0
        time.sleep(0.05)
    failed = monitor("alerts", "--config", str(config), "--failed")
    assert "down:failed(3)" in failed.stdout and "Connection" in failed.stdout
    retried = monitor("alerts", "retry", "1", "--config", str(config))
    assert retried.returncode == 0 and "alert 1: 1 failed delivery re-queued" in retried.stdout
    assert "down:pending" in monitor("alerts", "--config", str(config)).stdout
    assert "down:failed" not in monitor("alerts", "--config", str(config), "--failed").stdout


@sqlite_only
@pytest.mark.parametrize("verb", ["check", "once", "run", "sources"])
def test_an_older_database_is_one_line_saying_what_to_do(tmp_path: Path, verb: str) -> None:
    """Regression (issue 14, item 16): a database missing a column passed `check`, then every job raised."""
    from tests.test_store_ops import older_database

    config = write_config(tmp_path, folders=[tmp_path])
    older_database(tmp_path / "monitor.db")
    line = one_line_error(monitor(verb, "--config", str(config)))
    assert f"{tmp_path / 'monitor.db'}: table seen_files lacks column mtime_ns: this database is from an older monitor" in line


@sqlite_only
def test_check_says_the_database_is_fine_or_not_created_yet(tmp_path: Path) -> None:
    config = write_config(tmp_path)
    result = monitor("check", "--config", str(config))
    assert result.returncode == 0 and f"database {tmp_path / 'monitor.db'}: not created yet" in result.stdout
    assert not (tmp_path / "monitor.db").exists()
    monitor("once", "--config", str(config))
    result = monitor("check", "--config", str(config))
    assert result.returncode == 0 and f"database {tmp_path / 'monitor.db'}: ok" in result.stdout


@sqlite_only
@pytest.mark.parametrize(("verb", "says"), [
    (["status"], "Daemons on"), (["alerts"], "Latest alerts"), (["alerts", "--failed"], "Alerts with failed deliveries"), (["stories"], "Latest stories"),
    (["trends"], "Trends, last 30 days"), (["mute"], "nothing is muted"), (["sources"], "Sources"), (["sources", "export"], "<opml"),
    (["match", "--replay", "7d"], "re-matched 0 stored articles"), (["alerts", "show", "1"], "no store at"), (["match", "--article", "1"], "no store at"),
    (["alerts", "retry", "--failed"], "no failed delivery to re-queue"), (["alerts", "dismiss", "--failed"], "no failed delivery to dismiss"),
])
def test_a_verb_that_only_reads_creates_no_database(tmp_path: Path, verb: list[str], says: str) -> None:
    """Regression: `monitor status` (alerts, stories, trends, mute, match --replay) on a store not yet
    made, or a mistyped [store] path, made a new empty database there and listed nothing from it."""
    config = write_config(tmp_path)
    result = monitor(*verb, "--config", str(config))
    assert says in result.stdout + result.stderr and "Traceback" not in result.stderr
    assert result.returncode == (1 if verb[:2] in (["alerts", "show"], ["match", "--article"]) else 0)
    assert not (tmp_path / "monitor.db").exists()
    # and one line says why it lists nothing: the empty listing alone did not tell a mistyped path from a quiet store
    assert NO_STORE.format(db=tmp_path / "monitor.db", config=config) in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1, result.stderr


NO_STORE = ("no store at {db} ([store] in {config}): nothing stored to show; the daemon makes it at its first run (`monitor run`, "
            "or `monitor once`): if one runs already, give the [store] path it uses")


@sqlite_only
@pytest.mark.parametrize(("verb", "nothing"), [
    (["db", "upgrade"], "nothing to upgrade"), (["prune", "--days", "3"], "nothing to prune"), (["sources", "retry", "1"], "no source to change"),
    (["sources", "enable", "1"], "no source to change"), (["sources", "disable", "1"], "no source to change"),
    (["sources", "remove", "1"], "no source to change"), (["mute", "--off", "Iran"], "no mute to lift"),
])
def test_an_operators_verb_on_a_store_not_made_says_so_and_makes_none(tmp_path: Path, verb: list[str], nothing: str) -> None:
    """Regression (found by helper xops): `monitor db upgrade` on a mistyped [store] path made an empty store there and
    said "created at revision 0013"; `prune` pruned it ("0 articles"), `sources disable 1` made it, then said "no source
    with id 1", `mute --off` said "was not muted". Each now says in one line that there is no store, and makes none."""
    store = tmp_path / "typo" / "monitor.db"
    config = write_config(tmp_path, settings={"store": {"path": str(store)}})
    line = one_line_error(monitor(*verb, "--config", str(config)))
    assert line == (f"monitor: error: no store at {store} ([store] in {config}): {nothing}; the daemon makes it at its first run (`monitor run`, "
                    "or `monitor once`; `monitor db upgrade --create` makes it empty now): if one runs already, give the [store] path it uses")
    assert not (tmp_path / "typo").exists()


@sqlite_only
def test_db_upgrade_create_makes_a_new_store_at_the_head_when_asked(tmp_path: Path) -> None:
    from monitor.store import migrate

    config = str(write_config(tmp_path))
    made = monitor("db", "upgrade", "--create", "--config", config)
    assert made.returncode == 0 and made.stdout.strip() == f"database {tmp_path / 'monitor.db'}: created at revision {migrate.head()}", made.stderr
    again = monitor("db", "upgrade", "--create", "--config", config)  # there already: as without --create
    assert again.stdout.strip() == f"database {tmp_path / 'monitor.db'}: already at revision {migrate.head()} (head)"


@sqlite_only
@pytest.mark.parametrize("verb", [["mute", "Iran", "--for", "1h"], ["sources", "add", "{feed}"]])
def test_a_verb_that_adds_to_a_store_not_made_makes_it_and_says_so(tmp_path: Path, http_server: LocalHTTP, verb: list[str]) -> None:
    """Regression (found by helper xops): `monitor mute Iran` or `sources add URL` on a mistyped [store] path made a new
    store there in silence (the daemon, on its own store, alerted on Iran and polled no such feed). Adding before the
    first run is allowed (the store is made, as the daemon's first run makes it); a note line says so."""
    from tests.test_pipeline import STRIKE, rss

    http_server.routes["/feed.xml"] = (200, {"Content-Type": "application/rss+xml"}, rss(("S", "https://w.example/s", "s", STRIKE)))
    config = str(write_config(tmp_path))
    result = monitor(*[arg.format(feed=http_server.url("/feed.xml")) for arg in verb], "--config", config)
    assert result.returncode == 0, result.stderr
    assert result.stderr == (f"monitor: note: no store was at {tmp_path / 'monitor.db'} ([store] in {config}): made a new one for this (as the "
                             "daemon's first run does): if a daemon runs already, give the [store] path it uses\n")
    assert (tmp_path / "monitor.db").exists()
    assert monitor(*[arg.format(feed=http_server.url("/other.xml")) for arg in verb], "--config", config).stderr.count("no store was") == 0


@sqlite_only
def test_the_web_view_at_a_store_not_made_is_one_line_and_makes_none(tmp_path: Path) -> None:
    """Regression: `monitor web` at a mistyped [store] path made a new, empty database there and served it."""
    config = write_config(tmp_path, settings={"store": {"path": str(tmp_path / "typo" / "monitor.db")}})
    line = one_line_error(monitor("web", "--listen", f"127.0.0.1:{free_port()}", "--config", str(config)))
    assert line == "monitor: error: " + NO_STORE.format(db=tmp_path / "typo" / "monitor.db", config=config)
    assert not (tmp_path / "typo").exists()


@sqlite_only
def test_a_store_path_through_a_file_is_one_line_naming_the_file_in_the_way(tmp_path: Path) -> None:
    # `var` a file, not a folder: `monitor once` and `monitor web` died in a FileExistsError traceback
    # and `monitor check` said "not created yet (the first run creates it)".
    (tmp_path / "var").write_text("not a folder\n")
    config = str(write_config(tmp_path, settings={"store": {"path": str(tmp_path / "var" / "monitor.db")}}))
    expected = f"monitor: error: {tmp_path / 'var' / 'monitor.db'}: cannot make its folder: {tmp_path / 'var'} is a file, not a folder; give another [store] path"
    assert one_line_error(monitor("once", "--config", config)) == expected
    no_store = NO_STORE.format(db=tmp_path / "var" / "monitor.db", config=config)  # it reads a store, and makes none
    assert one_line_error(monitor("web", "--listen", f"127.0.0.1:{free_port()}", "--config", config)) == f"monitor: error: {no_store}"
    assert one_line_error(monitor("check", "--config", config)) == f"monitor: error: {config}: store.path: {expected.removeprefix('monitor: error: ')}"


def test_verbs_that_send_nothing_run_without_the_channels_secrets_in_the_environment(tmp_path: Path) -> None:
    # The daemon runs under systemd with SMTP_PASSWORD from /etc/monitor/env (docs/operations.md); in the
    # operator's shell `monitor alerts --failed`, `monitor match` ... all refused: "environment variable
    # XF_UNSET_SMTP_PASSWORD is not set". Only the verbs that send or check the channels need it.
    config = str(write_config(tmp_path, channels=[{"name": "mail", "url": "mailto://desk:${XF_UNSET_SMTP_PASSWORD}@smtp.example.org?to=a@example.org"}]))
    env = {k: v for k, v in os.environ.items() if k != "XF_UNSET_SMTP_PASSWORD"}
    Database(store_url(tmp_path)).close()  # a store made (its absence is a note on stderr)
    for args in (["alerts", "--failed"], ["sources"], ["stories"], ["mute"], ["status"], ["match", "-"]):
        result = subprocess.run([sys.executable, "-m", "monitor", *args, "--config", config], cwd=REPO, input="Iran fired missiles.",
                                capture_output=True, text=True, timeout=60, env=env)
        assert result.returncode == 0 and result.stderr == "", (args, result.stderr)
    unset = f"monitor: error: {config}: channels[0].url: environment variable XF_UNSET_SMTP_PASSWORD is not set"
    for args in (["check"], ["once"]):
        result = subprocess.run([sys.executable, "-m", "monitor", *args, "--config", config], cwd=REPO, capture_output=True, text=True, timeout=60, env=env)
        assert one_line_error(result) == unset


HELP_PAGES = [[], ["run"], ["once"], ["match"], ["eval"], ["check"], ["alerts"], ["alerts", "show"], ["alerts", "retry"], ["alerts", "dismiss"], ["mute"], ["stories"],
              ["status"], ["trends"], ["sources"], ["sources", "add"], ["sources", "export"], ["sources", "import"], ["sources", "retry"],
              ["sources", "disable"], ["sources", "enable"], ["sources", "remove"], ["db"], ["db", "current"], ["db", "upgrade"], ["prune"],
              ["backup"], ["web"], ["watchlist"]]


def test_no_help_page_shows_a_type_beside_a_flag() -> None:
    """Regression (left by the last stop, fixed by helper xops5): typer 0.29's rich help showed `<bool>` beside every
    flag (`--json <bool>`, `--all <bool>`, `--help <bool>` on every page), as if it took a value: `--json true` is a
    usage error. A flag shows no type now; an option that takes a value keeps its own (`--config <Path>`)."""
    from typer.testing import CliRunner

    from monitor.cli import app

    for page in HELP_PAGES:
        shown = CliRunner().invoke(app, [*page, "--help"], env={"COLUMNS": "200"}).output
        assert "--help " in shown and "<bool>" not in shown, shown
    once = " ".join(CliRunner().invoke(app, ["once", "--help"], env={"COLUMNS": "200"}).output.replace("│", " ").split())
    assert "--all poll every feed" in once and "--config -c <Path> the monitor.toml to use" in once, once


@sqlite_only
def test_every_help_page_shows_examples_that_work_from_a_fresh_clone(tmp_path: Path, http_server: LocalHTTP) -> None:
    # No --help had an example. Each page's examples now run in a copy of a fresh clone's files (after
    # `monitor once`, with one feed added from a local server); a daemon, the web view and internet URLs are not run.
    from tests.test_pipeline import STRIKE, rss

    for part in ("config", "seeds", "inbox"):
        shutil.copytree(REPO / part, tmp_path / part)
    (tmp_path / "tests" / "data").mkdir(parents=True)
    shutil.copy(REPO / "tests" / "data" / "eval_cases.jsonl", tmp_path / "tests" / "data")
    toml = tmp_path / "config" / "monitor.toml"
    toml.write_text(toml.read_text().replace("allow_networks = []", 'allow_networks = ["127.0.0.0/8"]'))
    (tmp_path / "bin").mkdir()
    (tmp_path / "bin" / "monitor").write_text(f'#!/bin/sh\nexec {sys.executable} -m monitor "$@"\n')
    (tmp_path / "bin" / "monitor").chmod(0o755)
    env = {**os.environ, "PATH": f"{tmp_path / 'bin'}:{os.environ['PATH']}", "PYTHONPATH": str(REPO), "COLUMNS": "200"}
    http_server.routes["/feed.xml"] = (200, {"Content-Type": "application/rss+xml"}, rss(("S", "https://w.example/s", "s", STRIKE)))

    def sh(line: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(["bash", "-c", line], cwd=tmp_path, capture_output=True, text=True, timeout=120, env=env)

    assert sh("monitor once").returncode == 0
    assert sh(f"monitor sources add {http_server.url('/feed.xml')}").returncode == 0  # source 3
    for page in HELP_PAGES:
        shown = sh(" ".join(["monitor", *page, "--help"])).stdout
        examples = [line.strip() for line in shown.split("Examples:")[-1].splitlines() if line.strip().startswith(("monitor ", "echo "))]
        assert "Examples:" in shown and examples, page
        for example in examples:
            if "monitor run" in example or "monitor web" in example or "://" in example:
                continue
            result = sh(example)
            assert result.returncode == 0 and "Traceback" not in result.stderr, (example, result.stderr)


def test_match_on_a_long_file_of_watched_names_ends_and_matches_what_the_daemon_would(tmp_path: Path) -> None:
    """Regression (found by helper xhostile): `monitor match` on a 1 MB file of 'Iran ' (one sentence, 200,000
    matches) ran for hours; it matches an article's text as the daemon keeps it (its first TEXT_CHARS characters)."""
    from monitor.text_norm import TEXT_CHARS

    path = tmp_path / "long.txt"
    path.write_text("Iran " * 200_000)
    for args, stdin in ((["match", "--json", str(path)], None), (["match", "--json", "-"], "Iran " * 200_000)):
        result = monitor(*args, stdin=stdin)
        assert result.returncode == 0, result.stderr
        assert max(m["end"] for m in json.loads(result.stdout)["actors"]) <= TEXT_CHARS


def test_match_shows_the_context_word_that_let_an_ambiguous_alias_count(tmp_path: Path) -> None:
    """Regression: `monitor match` showed "Macina" for an alias that counts only near a context word, not which word."""
    watchlist = tmp_path / "wl.yaml"
    watchlist.write_text("actors:\n  - {name: Katiba Macina, kind: group, aliases: [{alias: Macina, context: [fighters]}]}\n"
                         "events:\n  - {name: ambush, severity: 2, phrases: [ambushed]}\nrules:\n  - {name: any}\n")
    result = monitor("match", "-", "--config", str(write_config(tmp_path, watchlist=watchlist)), stdin="Macina fighters ambushed a convoy.",
                     env={"COLUMNS": "200"})
    assert result.returncode == 0, result.stderr
    assert "Macina (near \u201cfighters\u201d)" in result.stdout
    assert "Katiba Macina (found \u201cMacina\u201d, 100, near \u201cfighters\u201d) + ambush (severity 2) within 1 word" in result.stdout


def test_match_says_which_mute_would_silence_a_rule_that_fired(tmp_path: Path) -> None:
    """Regression: `monitor match` ignored the mutes in force: with the rule (or the actor) muted it said
    'decision: ALERT, severity 3' on an article the daemon stores and alerts nobody about."""
    watchlist = tmp_path / "wl.yaml"
    watchlist.write_text("actors:\n  - {name: Wagner Group, kind: group, aliases: [Wagner]}\n  - {name: Mali, kind: state, aliases: [Bamako]}\n"
                         "events:\n  - {name: massacre, severity: 3, phrases: [massacred]}\n  - {name: ambush, severity: 2, phrases: [ambushed]}\n"
                         "rules:\n  - {name: mercenaries, actors: [Wagner Group]}\n  - {name: the state, actors: [Mali]}\n")
    config = str(write_config(tmp_path, watchlist=watchlist))
    text = "Wagner fighters massacred villagers. Bamako said rebels ambushed a convoy."
    before = monitor("match", "-", "--config", config, stdin=text, env={"COLUMNS": "200"})
    assert before.stdout.splitlines()[-1] == "decision: ALERT, severity 3" and "muted" not in before.stdout
    assert not (tmp_path / "monitor.db").exists() or ON_POSTGRES  # reading the mutes made no database
    assert monitor("mute", "mercenaries", "--until", "2099-01-01T08:00", "--config", config).returncode == 0
    result = monitor("match", "-", "--config", config, stdin=text, env={"COLUMNS": "200"})
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert "  muted: rule 'mercenaries' is muted until 2099-01-01 08:00 UTC: the daemon alerts nobody on it (monitor mute --off mercenaries)" in lines
    assert lines[-1] == "decision: ALERT, severity 2 (3 without the mutes)"
    assert monitor("mute", "Mali", "--for", "2h", "--config", config).returncode == 0
    result = monitor("match", "-", "--config", config, stdin=text, env={"COLUMNS": "200"})
    assert any(line.startswith("  muted: actor 'Mali' is muted until ") for line in result.stdout.splitlines())
    assert result.stdout.splitlines()[-1] == "decision: no alert: every rule that fired is muted (the daemon stores the article and alerts nobody)"
    data = json.loads(monitor("match", "-", "--json", "--config", config, stdin=text).stdout)
    assert [(r["rule"], r["muted"]["name"]) for r in data["rules"]] == [("mercenaries", "mercenaries"), ("the state", "Mali")]
    assert data["rules"][0]["muted"]["until"] == "2099-01-01T08:00:00+00:00"
    unmuted = json.loads(monitor("match", "-", "--json", stdin="Qassem Suleimani was killed in a US drone strike.").stdout)
    assert {r["muted"] for r in unmuted["rules"]} == {None}


def test_match_says_why_an_article_does_not_alert(tmp_path: Path) -> None:
    """Regression: `monitor match` ended "decision: no alert" with no word of why, where `monitor eval` and
    `match --replay` name the rule that came nearest and what it lacks: the analyst could not explain a miss."""
    watchlist = tmp_path / "wl.yaml"
    watchlist.write_text("actors:\n  - {name: Katiba Macina, kind: group, aliases: [{alias: Macina, context: [fighters]}]}\n"
                         "events:\n  - {name: ambush, severity: 2, phrases: [ambushed]}\nrules:\n  - {name: any, actors: [Katiba Macina]}\n")
    config = str(write_config(tmp_path, watchlist=watchlist))
    result = monitor("match", "-", "--config", config, stdin="Macina commanders ambushed a convoy.", env={"COLUMNS": "200"})
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[-1] == (
        "decision: no alert: rule 'any': ambush found, but no actor it takes (no actor found; actor 'Katiba Macina': alias 'Macina' found "
        "'Macina' at 0-6, score 100, but ambiguous 'Macina' has no context word within 20 words of it (fighters))")
    data = json.loads(monitor("match", "-", "--json", "--config", config, stdin="Macina commanders ambushed a convoy.").stdout)
    assert data["alert"] is False and data["why_no_alert"].startswith("rule 'any': ambush found, but no actor it takes")
    fired = json.loads(monitor("match", "-", "--json", "--config", config, stdin="Macina fighters ambushed a convoy.").stdout)
    assert fired["alert"] is True and fired["why_no_alert"] is None


def test_muting_an_actor_with_units_says_its_units_are_not_muted(tmp_path: Path) -> None:
    """Regression: `monitor mute` of a parent said only "muted until ...", while its units' hits of the rules naming
    the parent (which fire on its units, docs/watchlist.md) still alert: the analyst believed the network silenced."""
    watchlist = tmp_path / "wl.yaml"
    watchlist.write_text("actors:\n  - {name: al-Qaeda, kind: group, aliases: [AQ]}\n  - {name: JNIM, kind: group, part_of: al-Qaeda, aliases: [GSIM]}\n"
                         "  - {name: Katiba Macina, kind: group, part_of: JNIM, aliases: [Macina Front]}\n"
                         "events:\n  - {name: ambush, severity: 2, phrases: [ambushed]}\nrules:\n  - {name: network, actors: [al-Qaeda]}\n")
    config = str(write_config(tmp_path, watchlist=watchlist))
    result = monitor("mute", "al-qaeda", "--until", "2099-01-01T08:00", "--config", config)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == [
        "al-Qaeda: muted until 2099-01-01 08:00 UTC",
        "its units are not muted with it: JNIM, Katiba Macina (mute each too, or the rule, to silence them)",
    ]
    assert monitor("mute", "Katiba Macina", "--config", config).stdout.splitlines()[1:] == []


def test_mute_off_takes_the_name_in_any_case_as_mute_does(tmp_path: Path) -> None:
    """Regression: `monitor mute 'kataeb hezbollah'` muted 'Kataeb Hezbollah' (any case), but `monitor mute --off
    'kataeb hezbollah'` said "was not muted" and left the mute in force."""
    config = str(write_config(tmp_path))
    assert monitor("mute", "kataeb hezbollah", "--for", "1h", "--config", config).returncode == 0
    result = monitor("mute", "--off", "kataeb hezbollah", "--config", config)
    assert result.returncode == 0 and result.stdout.strip() == "Kataeb Hezbollah: unmuted"
    assert monitor("mute", "--config", config).stdout.strip().startswith("nothing is muted")
    assert monitor("mute", "--off", "Kataeb Hezbollah", "--config", config).stdout.strip() == "Kataeb Hezbollah: was not muted"


def test_mute_off_of_an_alias_or_a_typo_says_which_mute_it_may_mean_and_lifts_none(tmp_path: Path) -> None:
    """Regression (found by helper xops5): `monitor mute --off Soleimani`, an alias of the actor muted, said
    "Soleimani: was not muted" and exit 0, as if lifted, while 'Qasem Soleimani' stayed muted: its alerts went on
    being silenced. `mute NAME` refuses such a name, saying the actor it is an alias of; `--off` now does too (and
    for a typo names the nearest); a mute of a name since taken out of the watchlist is still lifted as given."""
    from datetime import timedelta

    from monitor.store import mutes
    from monitor.store.db import utcnow

    config = str(write_config(tmp_path))
    assert monitor("mute", "Qasem Soleimani", "--for", "1h", "--config", config).returncode == 0
    line = one_line_error(monitor("mute", "--off", "Soleimani", "--config", config))
    assert line == (f"monitor: error: no mute of 'Soleimani' to lift, and {REPO / 'config' / 'watchlist.yaml'} has no actor, rule or spike of that "
                    "name: 'Soleimani' is an alias of the actor 'Qasem Soleimani': monitor mute --off 'Qasem Soleimani' (`monitor mute` lists the "
                    "mutes in force)"), line
    assert "did you mean 'Iraq' or 'Iran'?" in one_line_error(monitor("mute", "--off", "Iram", "--config", config))
    assert monitor("mute", "--config", config).stdout.startswith("Qasem Soleimani: muted until")  # still in force
    db = Database(store_url(tmp_path))
    mutes.mute(db, "Nobody Known", utcnow() + timedelta(hours=1))  # an actor since taken out of the watchlist
    db.close()
    gone = monitor("mute", "--off", "Nobody Known", "--config", config)
    assert gone.returncode == 0 and gone.stdout.strip() == "Nobody Known: unmuted", gone.stderr


def test_match_article_re_matches_a_stored_article_by_its_id(tmp_path: Path) -> None:
    """Regression: an article the daemon stored without alerting ("article 2 from inbox: no alert" in its log) could
    be explained only from a file of its text: no verb re-matched a stored article. `monitor match --article ID` does."""
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (inbox / "a.txt").write_text("Kataeb Hezbollah held a rally in Baghdad.")
    os.utime(inbox / "a.txt", (time.time() - 60, time.time() - 60))
    config = str(write_config(tmp_path, folders=[inbox]))
    before = one_line_error(monitor("match", "--article", "1", "--config", config))
    if ON_POSTGRES:  # (the test's database exists: nothing in it yet)
        assert before == "monitor: error: no article 1 in the store (the daemon's log names each article's number)"
    else:
        assert before.startswith(f"monitor: error: no store at {tmp_path / 'monitor.db'}")
        assert not (tmp_path / "monitor.db").exists()  # asking made no database
    assert monitor("once", "--config", config).returncode == 0
    result = monitor("match", "--article", "1", "--config", config, env={"COLUMNS": "200"})
    assert result.returncode == 0, result.stderr
    first = result.stdout.splitlines()[0]
    assert first.startswith(f"article 1 from {inbox}, fetched ") and first.endswith(" UTC (it raised no alert): Kataeb Hezbollah held a rally in Baghdad.")
    assert result.stdout.splitlines()[-1].startswith("decision: no alert: rule 'watched actor in a violent event': ")
    assert json.loads(monitor("match", "--article", "1", "--json", "--config", config).stdout)["alert"] is False
    assert one_line_error(monitor("match", "--article", "7", "--config", config)) == "monitor: error: no article 7 in the store (the daemon's log names each article's number)"
    both = monitor("match", "x.txt", "--article", "1", "--config", config)
    assert both.returncode == 2 and "give an article FILE, --article ID or --replay SPAN: one of them" in both.stderr


_LISTED = ('actors:\n  - {name: Guard Corps, kind: group, aliases: [IRGC, Sepah], tags: [iran]}\n'
           '  - {name: "Quds Force\\u202e", kind: group, aliases: ["Quds \\x1b[31mForce", QF], part_of: Guard Corps}\n'
           'events:\n  - {name: missile strike, severity: 3, phrases: [missile strike, fired missiles], cameo: "195"}\n'
           'rules:\n  - {name: any strike, events: ["cameo:19"], within: 10, tags: [desk], min_sources: 2}\n')


def test_watchlist_lists_actors_events_and_rules_with_the_files_text_escaped(tmp_path: Path) -> None:
    """Regression (left open by stop 39, found by helper xanalyst): no verb listed the watchlist: an analyst read the
    YAML (a folder of files, the thesaurus's phrases added nowhere in sight) to know what is watched. `monitor watchlist`
    lists the actors (kind, parent, aliases, tags), the events (CAMEO code, severity, phrases, how many the thesaurus
    adds) and the rules, text from the file escaped as every listing escapes it; --json for a script."""
    watchlist = tmp_path / "wl.yaml"
    watchlist.write_text(_LISTED, encoding="utf-8")
    config = str(write_config(tmp_path, watchlist=watchlist))
    done = monitor("watchlist", "--config", config, env={"COLUMNS": "300"})
    assert done.returncode == 0 and not done.stderr, done.stderr
    assert "\x1b" not in done.stdout and "\u202e" not in done.stdout
    lines = [" ".join(line.replace("\u2502", " ").split()) for line in done.stdout.splitlines()]
    assert "Guard Corps group - IRGC, Sepah iran" in lines
    assert "Quds Force\\u202e group Guard Corps Quds \\x1b[31mForce, QF -" in lines
    assert any(line.startswith("missile strike 195 3 missile strike, fired missiles (+") and line.endswith(" from the thesaurus)") for line in lines), lines
    assert "any strike any actor cameo:19 1 10 words the event's desk 2" in lines
    data = json.loads(monitor("watchlist", "--json", "--config", config).stdout)
    assert data["actors"][1] == {"name": "Quds Force\u202e", "kind": "group", "part_of": "Guard Corps", "aliases": ["Quds \x1b[31mForce", "QF"],
                                 "tags": [], "units": []}
    assert data["actors"][0]["units"] == ["Quds Force\u202e"]
    event = data["events"][0]
    assert (event["name"], event["cameo"], event["severity"], event["phrases"]) == ("missile strike", "195", 3, ["missile strike", "fired missiles"])
    assert "ballistic missile" in event["thesaurus"]
    assert data["rules"] == [{"name": "any strike", "actors": [], "events": ["cameo:19"], "min_severity": 1, "within": 10, "severity": None,
                              "tags": ["desk"], "min_sources": 2, "sources_within": None}]
    raw = monitor("watchlist", "--json", "--config", config).stdout
    assert "\u202e" not in raw and "\x1b" not in raw  # escaped in the JSON too: a terminal shows it as written
    broken = tmp_path / "broken.yaml"
    broken.write_text("actors:\n  - {name: X}\n")
    assert str(broken) in one_line_error(monitor("watchlist", "--watchlist", str(broken), "--config", config))


def test_match_on_a_copy_of_a_story_already_alerted_says_what_the_daemon_would(tmp_path: Path) -> None:
    """Regression (left open by stop 39, found by helper xanalyst): `monitor match` decided as if each text began a
    new story, so a copy of a story already alerted said 'decision: ALERT' where the daemon joins it to the story and
    alerts nobody. It now looks for the story as the daemon would (the store's recent sketches, `join_within`) and
    decides as the daemon would: a copy adding nothing is no alert, naming the story and its alert; one adding an
    event is a follow-up; the very article stored already is said to be (the daemon would not store it again)."""
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    first = "Wagner fighters massacred villagers near Mopti on Sunday, witnesses and local officials told reporters in Bamako."
    (inbox / "first.txt").write_text(f"Massacre near Mopti\n\n{first}\n")
    os.utime(inbox / "first.txt", (time.time() - 60, time.time() - 60))
    watchlist = tmp_path / "wl.yaml"
    watchlist.write_text("actors:\n  - {name: Wagner Group, kind: group, aliases: [Wagner]}\n"
                         "events:\n  - {name: massacre, severity: 3, phrases: [massacred]}\n  - {name: ambush, severity: 2, phrases: [ambushed]}\n"
                         "rules:\n  - {name: mercenaries, actors: [Wagner Group]}\n")
    config = str(write_config(tmp_path, folders=[inbox], watchlist=watchlist))
    assert monitor("once", "--config", config).returncode == 0
    uid = json.loads((tmp_path / "alerts.jsonl").read_text().splitlines()[0])["uid"]

    def decision(text: str) -> str:
        done = monitor("match", "-", "--config", config, stdin=text, env={"COLUMNS": "200"})
        assert done.returncode == 0, done.stderr
        return done.stdout.splitlines()[-1]

    assert decision(f"Villagers massacred\n\n{first} More to follow.") == (
        f"decision: no alert: a copy of story 1, which the daemon would join: a copy of a story already alerted (alert {uid}: nothing new, no higher severity)")
    assert decision(f"{first} Wagner fighters also ambushed a convoy.") == f"decision: ALERT, severity 3: a follow-up of story 1 (alert {uid}), adding ambush"
    assert decision("Wagner fighters massacred villagers in another region entirely, far from any earlier report.") == "decision: ALERT, severity 3"
    assert json.loads(monitor("match", "-", "--json", "--config", config, stdin="Wagner fighters massacred villagers.").stdout)["story"] is None
    assert decision(f"Massacre near Mopti\n\n{first}\n") == "decision: no alert: article 1 has this text already (the daemon would not store it again)"
    data = json.loads(monitor("match", "-", "--json", "--config", config, stdin=f"{first} More to follow.").stdout)
    assert data["story"] == {"id": 1, "alert": uid, "stored_article": None, "severity": None, "news": [],
                             "why_no_alert": f"a copy of a story already alerted (alert {uid}: nothing new, no higher severity)"}


def test_json_of_every_verb_writes_terminal_controls_from_feeds_as_escapes(tmp_path: Path) -> None:
    """Regression: `monitor match --json` (and the other verbs' --json) printed a text's bidi overrides and C1 controls
    (U+202E, U+009B: the 8-bit CSI) as they came, which JSON allows raw: a terminal showing it reordered or acted on them,
    where every table escapes them. They are written as \\u escapes, which JSON reads back as the same text."""
    text = "Wagner fighters massacred villagers \u202eon Sunday\u202c near \u009b31mMopti."
    watchlist = tmp_path / "wl.yaml"
    watchlist.write_text("actors:\n  - {name: Wagner Group, kind: group, aliases: [Wagner]}\n"
                         "events:\n  - {name: massacre, severity: 3, phrases: [massacred]}\nrules:\n  - {name: any}\n")
    config = str(write_config(tmp_path, watchlist=watchlist))
    done = monitor("match", "--json", "-", "--config", config, stdin=text)
    assert done.returncode == 0, done.stderr
    assert "\u202e" not in done.stdout and "\u009b" not in done.stdout and "\\u202e" in done.stdout
    assert json.loads(done.stdout)["rules"][0]["snippet"] == text


def as_root_without_file_permissions() -> list[str]:
    """A command prefix under which root is bound by file modes as any user is (setpriv without the capabilities that
    let root read and write whatever the mode); the test is skipped when not root (it chowns files) or without setpriv."""
    if os.geteuid() != 0 or shutil.which("setpriv") is None:
        pytest.skip("needs root (to chown a store to another user) and setpriv (to drop root's power over file modes)")
    caps = "-dac_override,-dac_read_search,-fowner"
    return ["setpriv", "--bounding-set", caps, "--inh-caps", caps]


@sqlite_only
def test_a_store_of_another_user_is_refused_naming_its_owner_and_what_to_do(tmp_path: Path) -> None:
    """Regression: a verb run by another user than the daemon's (root's shell beside a service user's store, or the
    reverse) said `cannot open database var/monitor.db: unable to open database file` (or, the file readable, `attempt
    to write a readonly database` for a listing that writes nothing): neither whose the store is nor what to do. It
    names the owner, the mode, this user, and the two ways out; the daemon's lock file likewise."""
    import pwd

    config = write_config(tmp_path)
    store = tmp_path / "monitor.db"
    Database(f"sqlite:///{store}").close()
    owner = pwd.getpwuid(65534).pw_name if 65534 in {p.pw_uid for p in pwd.getpwall()} else "uid 65534"
    for path in (store, tmp_path / "monitor.db.lock"):
        path.touch()
        os.chown(path, 65534, 65534)
    denied = [*as_root_without_file_permissions(), sys.executable, "-m", "monitor"]
    listing = subprocess.run([*denied, "alerts", "--config", str(config)], capture_output=True, text=True, timeout=60)
    assert one_line_error(listing) == (f"monitor: error: cannot open database {store}: unable to open database file: {store} is {owner}'s "
                                       f"(mode 0600), and this user, root, may not read and write it: run monitor as {owner}, or give root access to it")
    daemon = subprocess.run([*denied, "once", "--config", str(config)], capture_output=True, text=True, timeout=60)
    lock = tmp_path / "monitor.db.lock"
    assert one_line_error(daemon) == (f"monitor: error: {lock}: cannot open the daemon lock file: Permission denied: {lock} is {owner}'s "
                                      f"(mode 0644), and this user, root, may not read and write it: run monitor as {owner}, or give root access to it")


@sqlite_only
def test_check_says_a_store_that_this_user_cannot_create(tmp_path: Path) -> None:
    """Regression: in a checkout this user may not write in (another user's clone, a read-only copy), `monitor check`
    said `database var/monitor.db: not created yet (the first run creates it)` and exit 0, and the first run then
    failed: it says now, in one line, that this user cannot create it there and what to do."""
    checkout = tmp_path / "checkout"
    checkout.mkdir()
    config = write_config(checkout, settings={"store": {"path": str(checkout / "var" / "monitor.db")}},
                          channels=[{"name": "file", "url": f"console://local?file={tmp_path / 'alerts.jsonl'}"}])
    os.chown(checkout, 65534, 65534)
    import pwd

    owner = pwd.getpwuid(65534).pw_name if 65534 in {p.pw_uid for p in pwd.getpwall()} else "uid 65534"
    done = subprocess.run([*as_root_without_file_permissions(), sys.executable, "-m", "monitor", "check", "--config", str(config)],
                          capture_output=True, text=True, timeout=60)
    store = checkout / "var" / "monitor.db"
    assert one_line_error(done) == (f"monitor: error: {config}: store.path: {store}: cannot be made: this user, root, may not write in {checkout} "
                                    f"({owner}'s, mode 0755): run monitor as {owner}, or give root access to it (or give another [store] path)")


def test_the_example_config_given_from_another_folder_says_where_to_run_monitor(tmp_path: Path) -> None:
    """Regression: `monitor check --config /path/to/checkout/config/monitor.toml` run from another folder said
    `config/watchlist.yaml: watchlist file not found` (the file is there, beside the config), `monitor alerts` listed
    nothing with a note that the store was not made yet, and `monitor run` would have made a new store where it ran.
    The config's relative paths are read from the folder monitor runs in: one found only from the config's checkout
    now says so, naming the key and the folder to run monitor from."""
    config = REPO / "config" / "monitor.toml"
    for verb in ("check", "alerts", "run"):
        line = one_line_error(monitor(verb, "--config", str(config), cwd=tmp_path))
        assert line == (f"monitor: error: {config}: watchlist: config/watchlist.yaml is not found from {tmp_path}, the folder monitor runs in "
                        f"(the config's relative paths are read from there), but from {REPO}: run monitor there (cd {REPO}), "
                        "or write the config's paths absolute"), verb
    assert not (tmp_path / "var").exists()


def test_a_relative_watchlist_not_found_says_where_it_was_looked_for(tmp_path: Path) -> None:
    """Regression: a relative `watchlist` path found nowhere was `lists/wl.yaml: watchlist file not found`, without the
    folder it was looked for in (the one monitor runs in, not the config's)."""
    config = write_config(tmp_path, watchlist=Path("lists/wl.yaml"))
    line = one_line_error(monitor("check", "--config", str(config), cwd=tmp_path))
    assert line == (f"monitor: error: lists/wl.yaml: watchlist file not found in {tmp_path}, the folder monitor runs in "
                    "(a relative path is read from there): give the path from there, or an absolute one")


@pytest.mark.parametrize(("verb", "argument", "readme"), [
    ("alerts show", "ID", "monitor alerts show ID"), ("alerts retry", "ID", "monitor alerts retry ID"),
    ("alerts dismiss", "ID", "monitor alerts dismiss ID"), ("eval", "CASES.jsonl", "monitor eval CASES.jsonl"),
    ("sources import", "FILE.opml", "monitor sources import FILE.opml"), ("match", "FILE|-", "monitor match FILE\\|-"),
    ("mute", "NAME", "monitor mute NAME"), ("trends", "NAME", "monitor trends [NAME...]"),
    ("sources retry", "ID", "monitor sources retry ID"), ("sources add", "URL", "monitor sources add URL"), ("backup", "PATH", "monitor backup PATH"),
])
def test_each_verbs_usage_names_its_argument_as_the_readme_does(verb: str, argument: str, readme: str) -> None:
    """Regression: `monitor alerts show` without its argument said `Missing argument 'alert'` and its usage `{alert}`,
    `eval` `{cases}`, `sources import` `{opml}`, `match` `[file]`, where the README and the other verbs (`sources retry
    ID`) say ID, CASES.jsonl, FILE.opml, FILE|-: each verb's usage names its argument as the README's table does."""
    assert f"| `{readme}" in (REPO / "README.md").read_text()
    usage = next(line for line in monitor(*verb.split(), "--help", env={"COLUMNS": "200"}).stdout.splitlines() if "Usage:" in line)
    assert f"[OPTIONS] {{{argument}}}" in usage or f"[OPTIONS] [{argument}]" in usage, usage


@pytest.mark.parametrize("group", [[], ["alerts"], ["sources"], ["db"]])
def test_the_verb_lists_of_help_give_each_verb_one_line(group: list[str]) -> None:
    """Regression: `monitor --help` listed `status` on five rows and `watchlist` on two, broken mid-phrase where their
    docstrings' lines broke (`a \\`monitor` / `once\\` is listed`), as `alerts --help` did `dismiss`, `sources --help`
    `export` and `db --help` `upgrade`: each verb's summary is now one short line, its details in its own --help."""
    shown = monitor(*group, "--help", env={"COLUMNS": "200"}).stdout
    rows = shown.split("Commands")[1].split("╰")[0].splitlines()[1:]
    assert rows and all(row.startswith("│ ") and row[2] != " " for row in rows), "\n".join(rows)


def test_a_relative_config_not_found_says_where_it_was_looked_for(tmp_path: Path) -> None:
    """Regression: `monitor check` run outside the checkout said `config/monitor.toml: config file not found`, without
    the folder it was looked for in nor what to do; it names both now (an absolute path is looked for where it says)."""
    line = one_line_error(monitor("check", cwd=tmp_path))
    assert line == (f"monitor: error: config/monitor.toml: config file not found in {tmp_path}, the folder monitor runs in (a relative "
                    "--config is read from there): run monitor from the folder that holds it (the checkout's root for config/monitor.toml), "
                    "or give --config its absolute path")
    assert one_line_error(monitor("check", "--config", str(tmp_path / "x.toml"))) == f"monitor: error: {tmp_path / 'x.toml'}: config file not found"


def test_the_watchlist_given_as_the_config_and_the_config_as_the_watchlist_say_so() -> None:
    """Regression: `monitor check --config config/watchlist.yaml` said `not valid TOML: Expected '=' after a key ...
    (at line 18, column 14)` and `monitor watchlist --watchlist config/monitor.toml` `config/monitor.toml:11: not valid
    YAML: expected '<document start>' ...`: the parser's words for a first-run mix-up of the two files. Each names the
    file it was given and the one it wants."""
    assert one_line_error(monitor("check", "--config", "config/watchlist.yaml")) == (
        "monitor: error: config/watchlist.yaml: not valid TOML: a YAML file (the watchlist?) given as the config: give --config the "
        "monitor.toml (config/monitor.toml), whose `watchlist` names the watchlist")
    assert one_line_error(monitor("watchlist", "--watchlist", "config/monitor.toml")) == (
        "monitor: error: config/monitor.toml: not valid YAML: a TOML file (the config?) given as the watchlist: give the watchlist's "
        "YAML file or folder (config/watchlist.yaml)")


@sqlite_only
def test_match_on_a_store_it_cannot_read_says_the_decision_ignores_the_whole_store(tmp_path: Path) -> None:
    """Regression: `monitor match FILE` on a store it could not open warned that `the mutes in force were not read` and
    showed the decision `as if none`, while it had skipped the stored texts and stories too: a text stored already was
    `decision: ALERT`. The warning says now that the decision is shown as if the store held nothing."""
    config = write_config(tmp_path)
    store = tmp_path / "monitor.db"
    Database(f"sqlite:///{store}").close()
    os.chown(store, 65534, 65534)
    done = subprocess.run([*as_root_without_file_permissions(), sys.executable, "-m", "monitor", "match", "-", "--config", str(config)],
                          input="Iran fired ballistic missiles at Ain al-Asad.", capture_output=True, text=True, timeout=60)
    assert done.returncode == 0 and done.stdout.splitlines()[-1] == "decision: ALERT, severity 3", done.stdout
    warning = done.stderr.strip()
    assert warning.startswith(f"monitor: warning: the store was not read (cannot open database {store}: ") and warning.endswith(
        "): the decision is shown as if it held nothing (no mute, no stored article or story)"), warning


@sqlite_only
def test_check_says_a_console_file_this_user_cannot_write(tmp_path: Path) -> None:
    """Regression: in a checkout this user may not write in, `monitor check` passed the example's channel,
    `console://local?file=var/alerts.jsonl`, and every alert then failed to send (`cannot write var/alerts.jsonl:
    [Errno 13] Permission denied: 'var'`), retried until it gave up. `check` names the channel, the file and what to do."""
    import pwd

    locked = tmp_path / "locked"
    locked.mkdir()
    os.chown(locked, 65534, 65534)
    owner = pwd.getpwuid(65534).pw_name if 65534 in {p.pw_uid for p in pwd.getpwall()} else "uid 65534"
    target = locked / "var" / "alerts.jsonl"
    config = write_config(tmp_path, channels=[{"name": "console", "url": f"console://local?file={target}"}])
    done = subprocess.run([*as_root_without_file_permissions(), sys.executable, "-m", "monitor", "check", "--config", str(config)],
                          capture_output=True, text=True, timeout=60)
    assert one_line_error(done) == (f"monitor: channels[console].url: cannot write {target}: this user, root, may not write in {locked} "
                                    f"({owner}'s, mode 0755): give file= another path, or run monitor as {owner}")


def test_alerts_show_says_why_a_channel_of_the_config_did_not_get_the_alert(tmp_path: Path) -> None:
    """Regression: `monitor alerts show` listed the alert's deliveries only: an operator asking why the pager never got
    alert 1 found nothing to say why (the channel takes other tags, or it came into the config after the alert). Now
    each channel of the config with no delivery of the alert is named with the reason."""
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (inbox / "seed.txt").write_text(SEED.read_text())
    lines = tmp_path / "alerts.jsonl"
    file = {"name": "file", "url": f"console://local?file={lines}"}
    ops = {"name": "ops", "url": f"console://local?file={tmp_path / 'ops.jsonl'}", "tags": ["ops", "health"]}
    config = write_config(tmp_path, folders=[inbox], channels=[file, ops])
    assert monitor("once", "--config", str(config)).returncode == 0
    late = {"name": "late", "url": f"console://local?file={tmp_path / 'late.jsonl'}"}
    config = write_config(tmp_path, folders=[inbox], channels=[file, ops, late])
    shown = monitor("alerts", "show", "1", "--config", str(config))
    assert shown.returncode == 0, shown.stderr
    said = [line for line in shown.stdout.splitlines() if line.startswith("not sent to")]
    assert said == ["not sent to ops: it takes alerts tagged health, ops; this one is tagged default",
                    "not sent to late: it takes this alert's tags, but was not in the config when the alert was raised"], shown.stdout


def test_status_says_which_channels_are_failing_now_and_when_they_are_tried_next(tmp_path: Path) -> None:
    """Regression: during an outage of a channel (its deliveries failing, waiting for their retries) `monitor status`
    said nothing of it: it listed the channels whose deliveries gave up only, an hour later. Now it says which channel
    has deliveries waiting for a retry, how many, when the next is tried and the last error."""
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (inbox / "seed.txt").write_text(SEED.read_text())
    port = free_port()
    config = write_config(tmp_path, folders=[inbox], channels=[{"name": "hook", "url": f"json://127.0.0.1:{port}/alerts"}],
                          settings={"delivery": {"backoff_seconds": 600, "backoff_max_seconds": 600}})
    assert monitor("once", "--config", str(config)).returncode == 0
    status = monitor("status", "--config", str(config))
    assert status.returncode == 0, status.stderr
    [said] = [line for line in status.stdout.splitlines() if line.startswith("channel hook:")]
    assert said.startswith("channel hook: 1 delivery waiting for a retry (the next at ") and "Connection refused" in said, status.stdout
    shown = json.loads(monitor("status", "--json", "--config", str(config)).stdout)
    assert shown["retrying"]["hook"]["deliveries"] == 1 and "Connection refused" in shown["retrying"]["hook"]["last_error"]


def an_alert_given_up_pending_and_held(tmp_path: Path) -> Path:
    """A config whose store holds alert 1 with three deliveries: `down` gave up (failed), `later` pending until 2099,
    `daily` held for its digest."""
    from sqlalchemy import text

    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (inbox / "seed.txt").write_text(SEED.read_text())
    channels = [{"name": "down", "url": f"json://127.0.0.1:{free_port()}/x"}, {"name": "later", "url": f"json://127.0.0.1:{free_port()}/y"},
                {"name": "daily", "url": f"console://local?file={tmp_path / 'daily.jsonl'}", "digest_below": 4, "digest_at": "08:00"}]
    config = write_config(tmp_path, folders=[inbox], channels=channels, settings={"delivery": {"max_attempts": 1}})
    assert monitor("once", "--config", str(config)).returncode == 0
    db = Database(store_url(tmp_path))
    with db.session() as s:  # the second channel's delivery: one more attempt to come
        s.execute(text("UPDATE deliveries SET status = 'pending', next_attempt_at = '2099-01-01 00:00:00' WHERE channel = 'later'"))
    db.close()
    return config


def test_alerts_show_gives_no_next_attempt_for_a_delivery_that_gave_up_or_waits_for_its_digest(tmp_path: Path) -> None:
    """Regression (xdeliver4): `monitor alerts show` gave a delivery that gave up (failed, never tried again unless
    re-queued) a time under "sent / next attempt" (its backoff as if it would be retried), and a delivery held for its
    channel's digest the time it was first due (in the past). Neither is an attempt to come: "-"; a pending one keeps
    its next attempt."""
    config = an_alert_given_up_pending_and_held(tmp_path)
    shown = monitor("alerts", "show", "1", "--config", str(config), env={"COLUMNS": "400"})
    assert shown.returncode == 0, shown.stderr
    rows = {cells[0]: cells[1:4] for line in shown.stdout.splitlines() if (cells := [c.strip() for c in line.split("│")[1:-1]]) and cells[0] in ("down", "later", "daily")}
    assert rows == {"down": ["failed", "1", "-"], "later": ["pending", "1", "2099-01-01 00:00:00"], "daily": ["held (low severity)", "0", "-"]}, shown.stdout
