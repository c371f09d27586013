"""What channels receive: severity as Apprise's notify type, the alert's fields, lengths capped."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import threading
import time
import zlib
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import Any

import apprise
import pytest

from monitor.alerts import plugins
from monitor.alerts.channels import Notifier, capped, limits, notify_type
from monitor.errors import ConfigError
from monitor.pipeline import build_pipeline
from monitor.settings import Channel, load_settings
from tests.conftest import SEED, JsonReceiver, inbox_with, write_config

FIELDS = {"uid", "severity", "actors", "events", "sentence", "url", "story", "source"}


def test_a_severity_3_alert_reaches_json_and_console_receivers_as_a_failure_with_its_fields(tmp_path: Path, json_receiver: JsonReceiver) -> None:
    """Regression (issue 14, 18): every alert arrived as "type": "info" with only title and body."""
    inbox = inbox_with(tmp_path, [SEED.read_text()])
    lines = tmp_path / "alerts.jsonl"
    config = write_config(tmp_path, folders=[inbox], channels=[
        {"name": "hook", "url": json_receiver.url}, {"name": "file", "url": f"console://local?file={lines}"}])
    pipeline = build_pipeline(load_settings(config))
    pipeline.run_once()
    [message] = json_receiver.messages
    [record] = [json.loads(line) for line in lines.read_text().splitlines()]
    for got in (message, record):
        assert got["type"] == "failure" and got["severity"] == 3
        assert FIELDS <= set(got)
        assert "Qasem Soleimani" in got["actors"] and "ballistic missiles" in got["events"]
        assert got["sentence"] and got["sentence"] in message["message"]
        assert len(got["uid"]) == 16 and f"Alert id: {got['uid']}" in message["message"]
        assert got["story"].startswith("Story: 1 article") and got["source"] == str(inbox)
    assert message["title"] == record["title"] and message["message"] == record["body"]


def test_severity_maps_to_apprises_notify_types() -> None:
    assert [notify_type(s) for s in (None, 0, 1, 2, 3)] == [apprise.NotifyType.INFO, apprise.NotifyType.INFO, apprise.NotifyType.INFO,
                                                            apprise.NotifyType.WARNING, apprise.NotifyType.FAILURE]


def test_a_json_url_keeps_its_own_payload_keys_beside_the_alerts_fields(json_receiver: JsonReceiver) -> None:
    notifier = Notifier([Channel(name="hook", url=json_receiver.url + "?:title=subject&:team=desk")])
    notifier.send("hook", "a title", "a body", (), {"uid": "0123456789abcdef", "severity": 2, "actors": ["A"], "hits": []})
    [message] = json_receiver.messages
    assert message["subject"] == "a title" and "title" not in message and message["team"] == "desk"
    assert message["type"] == "warning" and message["uid"] == "0123456789abcdef" and message["actors"] == ["A"]
    assert message["sentence"] is None


def test_a_60000_character_title_arrives_capped_with_an_ellipsis(tmp_path: Path, json_receiver: JsonReceiver) -> None:
    """Regression (issue 14, 11): a 60,043-character title was delivered whole."""
    lines = tmp_path / "alerts.jsonl"
    notifier = Notifier([Channel(name="hook", url=json_receiver.url), Channel(name="file", url=f"console://local?file={lines}")])
    for name in ("hook", "file"):
        notifier.send(name, "T" * 60_000, "B" * 100_000)
    [message] = json_receiver.messages
    [record] = [json.loads(line) for line in lines.read_text().splitlines()]
    for title, body in ((message["title"], message["message"]), (record["title"], record["body"])):
        assert len(title) == 250 and title.endswith("T…")  # Apprise's title_maxlen of json:// and of our console://
        assert len(body) == 32768 and body.endswith("B…")  # its body_maxlen


def test_limits_are_the_apprise_plugins_own() -> None:
    def of(url: str) -> tuple[int, int, bool]:
        plugins.need(url)
        app = apprise.Apprise()
        assert app.add(url)
        return limits(app)

    assert of("ntfy://127.0.0.1/alerts") == (200, 7800, False)
    assert of("discord://4174216298/JHMHI8qBe7bk2ZwO5U711o3dV_js") == (250, 2000, False)
    assert of("tgram://123456789:abcdefg_hijklmnop/12315544/") == (4096, 4096, True)  # no title: it goes into the body


def test_capped_keeps_short_texts_and_ends_long_ones_in_an_ellipsis() -> None:
    assert capped("short", 10) == "short"
    assert capped("a long title here", 8) == "a long…"
    assert len(capped("x" * 300, 250)) == 250


def test_a_channel_with_both_a_url_and_an_apprise_config_file_is_refused(tmp_path: Path) -> None:
    """Regression: `url` beside `config` passed `monitor check` showing the config file only, and the URL
    then took every alert whatever the tags (a config file's channel routes inside it)."""
    apprise_file = tmp_path / "apprise.yml"
    apprise_file.write_text("urls:\n  - json://127.0.0.1:9/x\n")
    with pytest.raises(ConfigError, match="channel 'desk': give a url or a config file, not both"):
        Notifier([Channel(name="desk", url="json://127.0.0.1:9/y", config=apprise_file, tags=["ops"])])
    Notifier([Channel(name="desk", config=apprise_file)])  # either alone is fine


@pytest.mark.parametrize(("content", "said"), [
    ("urls:\n" + "".join(f"  - json://127.0.0.1:9/x{i}\n" for i in range(10_000)), "File size exceeds maximum allowable buffer length (128KB)."),
    (b"urls:\n  - json://127.0.0.1:9/\xff\xfe\n", "File not using expected encoding"),
])
def test_an_apprise_config_file_apprise_cannot_read_says_why_not_that_it_has_no_url(tmp_path: Path, content: str | bytes, said: str) -> None:
    """Regression: an Apprise config file of more than 128 KB (Apprise reads no more), or one not in UTF-8, was refused as
    "no usable URL in Apprise config FILE": its URLs are fine, and the reason was in Apprise's log alone."""
    apprise_file = tmp_path / "apprise.yml"
    if isinstance(content, str):
        apprise_file.write_text(content)
    else:
        apprise_file.write_bytes(content)
    with pytest.raises(ConfigError) as refused:
        Notifier([Channel(name="many", config=apprise_file)])
    assert str(refused.value).startswith(f"channel 'many': no usable URL in Apprise config {apprise_file} (Apprise: {said}")


CONSOLE_SENDS = """
import resource, sys
from monitor.alerts.channels import Notifier
from monitor.errors import DeliveryError
from monitor.settings import Channel

notifier = Notifier([Channel(name="file", url="console://local?file=" + sys.argv[1])])
soft, hard = resource.getrlimit(resource.RLIMIT_FSIZE)
resource.setrlimit(resource.RLIMIT_FSIZE, (int(sys.argv[2]), hard))  # the disk fills in the middle of the line
try:
    notifier.send("file", "Second alert", "Body of the second alert " * 10)
except DeliveryError as exc:
    print("failed:", exc)
resource.setrlimit(resource.RLIMIT_FSIZE, (soft, hard))  # room again: the dispatcher's retry
notifier.send("file", "Second alert", "Body of the second alert " * 10)
"""


def test_a_console_line_cut_by_a_full_disk_is_taken_back_and_the_retry_writes_it_whole(tmp_path: Path) -> None:
    """Regression: a full disk in the middle of an alert's JSON line left its first bytes in the file; the
    retry appended the whole line after them, so the file held one line that is no JSON, and a reader of
    the JSON lines lost that alert too."""
    import subprocess
    import sys

    lines = tmp_path / "alerts.jsonl"
    lines.write_text(json.dumps({"title": "First alert"}) + "\n")
    done = subprocess.run([sys.executable, "-c", CONSOLE_SENDS, str(lines), str(lines.stat().st_size + 40)], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert "failed:" in done.stdout
    assert [json.loads(line)["title"] for line in lines.read_text().splitlines()] == ["First alert", "Second alert"]


def test_a_channel_url_of_two_json_receivers_sends_each_its_alert_with_its_fields(tmp_path: Path, json_receiver: JsonReceiver) -> None:
    """Regression: a `url` of two json:// URLs (Apprise takes several, comma-separated; `monitor check` showed both)
    was read as one URL when the alert's fields were added: the alert went to the first host at a path made of the
    rest ('/alerts,%20json:/...'), and the second receiver never got one."""
    from tests.conftest import serve_http

    with serve_http() as other_http:
        other = JsonReceiver(other_http)
        inbox = inbox_with(tmp_path, [SEED.read_text()])
        config = write_config(tmp_path, folders=[inbox], channels=[{"name": "hooks", "url": f"{json_receiver.url}, {other.url}"}])
        build_pipeline(load_settings(config)).run_once()
    for receiver in (json_receiver, other):
        [message] = receiver.messages
        assert message["severity"] == 3 and FIELDS <= set(message)


def test_a_channel_url_of_two_services_masks_the_second_ones_secret_and_loads_its_plugin(tmp_path: Path) -> None:
    """Regression: only the first URL of a comma-separated `url` had its secrets registered and its plugin loaded."""
    from monitor.redact import redact

    notifier = Notifier([Channel(name="both", url="json://127.0.0.1:9/a, mailto://desk:Zq9secretpw@127.0.0.1:9?to=a@example.org&from=m@example.org")])
    assert notifier.channels["both"].url is not None
    assert "Zq9secretpw" not in redact("login failed for Zq9secretpw")


def test_a_channel_url_of_several_with_one_apprise_refuses_names_that_one(tmp_path: Path) -> None:
    """Regression: the error named the first URL's schema ('json:// is known but this URL lacks ...') when the second,
    a mailto:// without a sender, was the one Apprise refused."""
    with pytest.raises(ConfigError) as refused:
        Notifier([Channel(name="both", url="json://127.0.0.1:9/a, mailto://desk:Zq9secretpw@127.0.0.1:9?to=a@example.org")])
    said = str(refused.value)
    assert "does not understand the URL mailto://" in said and "mailto:// is known" in said and "json://" not in said
    assert "Zq9secretpw" not in said


def test_a_config_file_none_of_whose_services_has_the_alerts_tags_says_so(tmp_path: Path) -> None:
    """Regression: when an Apprise config file was changed after an alert was routed to it and none of its services
    had the alert's tags any more, the delivery failed with 'Apprise reported failure', which says nothing."""
    from monitor.errors import DeliveryError

    apprise_file = tmp_path / "channels.txt"
    apprise_file.write_text("oncall=json://127.0.0.1:9/x\n")
    with pytest.raises(DeliveryError) as failed:
        Notifier([Channel(name="desk", config=apprise_file)]).send("desk", "title", "body", ("default", "ops"))
    assert str(failed.value) == f"channel 'desk': no service of its Apprise config {apprise_file} has the alert's tags (default, ops)"


def test_a_refusal_with_an_empty_answer_is_said_without_an_empty_response_details(json_receiver: JsonReceiver) -> None:
    """Regression: a receiver's 500 with no body was said as '...: Internal server error., error=500.; Response Details:'
    (Apprise logs the empty answer's heading; nothing follows it)."""
    from monitor.errors import DeliveryError

    json_receiver.fail = True
    with pytest.raises(DeliveryError) as failed:
        Notifier([Channel(name="hook", url=json_receiver.url)]).send("hook", "title", "body")
    assert str(failed.value) == "channel 'hook': Failed to send JSON POST notification: Internal server error., error=500."


def test_a_refusal_with_an_answer_says_the_answer(tmp_path: Path) -> None:
    """Regression: Apprise logs a refused request's answer on the lines after 'Response Details:', and only that
    heading's line was read: the receiver's own words ('quota exceeded') never reached the delivery's error."""

    from monitor.errors import DeliveryError
    from tests.conftest import serve_http

    def refuse(handler: BaseHTTPRequestHandler, body: bytes) -> None:
        handler.send_response(429)
        handler.send_header("Content-Length", "14")
        handler.end_headers()
        handler.wfile.write(b"quota exceeded")

    with serve_http() as http:
        http.routes["/alerts"] = refuse
        with pytest.raises(DeliveryError) as failed:
            Notifier([Channel(name="hook", url=f"json://127.0.0.1:{http.port}/alerts")]).send("hook", "title", "body")
    assert "quota exceeded" in str(failed.value)


NGINX_502 = (b"<!DOCTYPE html>\n<html>\n<head><title>502 Bad Gateway</title>\n<style>body { font-family: sans-serif }</style></head>\n"
             b"<body>\n<center><h1>502 Bad Gateway</h1></center>\n<p>" + b"The upstream server did not answer in time. " * 40
             + b"</p>\n<hr><center>nginx/1.25.3</center>\n</body>\n</html>\n")


def _answering(status: int, payload: bytes) -> Any:
    def answer(handler: BaseHTTPRequestHandler, body: bytes) -> None:
        handler.send_response(status)
        handler.send_header("Content-Length", str(len(payload)))
        handler.end_headers()
        handler.wfile.write(payload)
    return answer


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_a_failure_is_one_short_line_naming_the_channel_and_the_cause() -> None:
    """Regression (xdeliver4): a failure carried Apprise's whole words, ~500 characters (a proxy's HTML error page as a
    bytes literal, a connection error's urllib3 chain with its cause at the very end), logged, stored and shown as they
    came. Now one line of at most REASON_MAX characters: the channel, Apprise's warning and the cause in words."""
    from monitor.errors import REASON_MAX, DeliveryError
    from tests.conftest import serve_http

    with serve_http() as http:
        http.routes["/alerts"] = _answering(502, NGINX_502)
        http.routes["/text"] = _answering(503, "service unavailable\r\nretry later \x1b[31m\u202e\r\n".encode() + b"x" * 3000)
        said = {}
        for name, url in (("proxy", f"json://127.0.0.1:{http.port}/alerts"), ("plain", f"json://127.0.0.1:{http.port}/text"),
                          ("refused", f"json://127.0.0.1:{_closed_port()}/alerts")):
            with pytest.raises(DeliveryError) as failed:
                Notifier([Channel(name=name, url=url)]).send(name, "title", "body")
            said[name] = str(failed.value)
    for name, text in said.items():
        assert text.startswith(f"channel {name!r}: "), text
        assert "\n" not in text and "\\n" not in text and len(text) <= REASON_MAX, text
    assert "error=502" in said["proxy"] and "502 Bad Gateway" in said["proxy"] and "<" not in said["proxy"]
    assert "error=503" in said["plain"] and "service unavailable retry later \\x1b[31m\\u202e" in said["plain"]  # (escapes written out)
    assert said["refused"].endswith("Failed to establish a new connection: [Errno 111] Connection refused"), said["refused"]


def test_a_failure_cut_short_shows_no_part_of_a_secret_the_answer_echoes() -> None:
    """The reason is masked whole, then cut: a password the receiver's answer echoes is not cut in two before the mask
    (its first characters shown where the cut fell)."""
    from monitor.errors import DeliveryError
    from tests.conftest import serve_http

    with serve_http() as http:
        for shift in range(12):
            http.routes["/alerts"] = _answering(400, b"a" * shift + b" bad login Zq9secretpw" * 150)
            with pytest.raises(DeliveryError) as failed:
                Notifier([Channel(name="hook", url=f"json://desk:Zq9secretpw@127.0.0.1:{http.port}/alerts")]).send("hook", "title", "body")
            assert "Zq9s" not in str(failed.value) and "error=400" in str(failed.value)


def test_the_secrets_of_an_apprise_config_files_services_are_masked_like_a_urls(tmp_path: Path) -> None:
    """Regression: only a channel's `url` had its secrets registered; a Slack webhook's tokens in an Apprise config file
    were shown whole in the delivery's error (`Max retries exceeded with url: /services/T1JJ3T3L2/A1BRTD4JD/TIiaj...`),
    stored in the database, logged and shown by `monitor alerts show`."""
    from monitor.redact import redact

    apprise_file = tmp_path / "channels.txt"
    apprise_file.write_text("slack://T1JJ3T3L2/A1BRTD4JD/Zq9ajkdnlazkcOXrIdevi7FQ\njson://desk:Wq7secretpw@127.0.0.1:9/x\n")
    Notifier([Channel(name="desk", config=apprise_file)])
    said = redact("Max retries exceeded with url: /services/T1JJ3T3L2/A1BRTD4JD/Zq9ajkdnlazkcOXrIdevi7FQ; login failed for Wq7secretpw")
    assert "Zq9ajkdnlazkcOXrIdevi7FQ" not in said and "Wq7secretpw" not in said


def test_a_telegram_bot_token_in_a_channel_url_is_masked(tmp_path: Path) -> None:
    """Regression (found by helper xsecrets): a Telegram URL, `tgram://BOT_ID:TOKEN/CHAT_ID`, has its bot token where
    a host and port go, with no `@`: nothing of it was registered, and a failed send's error (`Max retries exceeded
    with url: /bot123456789:AAHdq.../sendMessage`) showed it whole in the log, the store and `monitor alerts show`."""
    from monitor.redact import redact

    Notifier([Channel(name="tg", url="tgram://123456789:Zq9dqTcvCH1vGWJxfSeofSAs0K5PALDsaw/12345")])
    said = redact("Max retries exceeded with url: /bot123456789:Zq9dqTcvCH1vGWJxfSeofSAs0K5PALDsaw/sendMessage")
    assert said == "Max retries exceeded with url: /bot123456789:****/sendMessage"
    assert redact("json://127.0.0.1:8080/x") == "json://127.0.0.1:8080/x"  # a port is no secret


def test_a_console_channel_that_cannot_write_its_file_says_why_and_prints_the_alert_once_it_can(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Regression: the console channel printed the alert, then failed to append it to its file (a folder on its path
    that is a file, a full or read-only disk): the delivery's error said only 'Failed to send monitor offline console
    notification.' (the reason was on a log line of its own), and each retry printed the alert on the terminal again.
    Now the file is written first: a failure says why in the delivery's error, and the alert is printed once, with the
    line that goes to the file."""
    from monitor.errors import DeliveryError

    blocker = tmp_path / "var"
    blocker.write_text("a file where the folder should be")
    notifier = Notifier([Channel(name="file", url=f"console://local?file={blocker / 'alerts.jsonl'}")])
    with pytest.raises(DeliveryError) as failed:
        notifier.send("file", "Drone strike on the convoy", "body")
    assert "cannot write" in str(failed.value) and "File exists" in str(failed.value)
    assert "Drone strike" not in capsys.readouterr().out
    blocker.unlink()
    notifier.send("file", "Drone strike on the convoy", "body")
    assert capsys.readouterr().out.count("Drone strike on the convoy") == 1
    assert [json.loads(line)["title"] for line in (blocker / "alerts.jsonl").read_text().splitlines()] == ["Drone strike on the convoy"]


def test_a_console_channels_file_renamed_away_by_a_log_rotation_is_made_again_at_the_next_alert(tmp_path: Path) -> None:
    """docs/operations.md says to rotate the console channel's file as a log, by renaming it (logrotate's default): the
    file is opened for each alert, so the next alert goes to a new file and none is written to the renamed one."""
    target = tmp_path / "var" / "alerts.jsonl"
    notifier = Notifier([Channel(name="file", url=f"console://local?file={target}")])
    notifier.send("file", "first", "body")
    target.rename(tmp_path / "var" / "alerts.jsonl.1")
    notifier.send("file", "second", "body")
    titles = {path.name: [json.loads(line)["title"] for line in path.read_text().splitlines()] for path in (tmp_path / "var").iterdir()}
    assert titles == {"alerts.jsonl.1": ["first"], "alerts.jsonl": ["second"]}
    assert target.stat().st_mode & 0o777 == (tmp_path / "var" / "alerts.jsonl.1").stat().st_mode & 0o777


class Endless:
    """A real HTTP server on 127.0.0.1 answering every request with `status` and a body that never ends (no length: the
    client reads to the end of the connection), a megabyte at a time, as fast as the client reads."""

    def __init__(self, status: bytes, gzip: bool = False) -> None:
        self.status, self.gzip = status, gzip
        self.heard = b""  # the last request's head
        self.server = socket.create_server(("127.0.0.1", 0))
        self.port = self.server.getsockname()[1]
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                conn, _ = self.server.accept()
            except OSError:
                return
            threading.Thread(target=self._serve, args=(conn,), daemon=True).start()

    def _serve(self, conn: socket.socket) -> None:
        with conn:
            try:
                request = b""
                while b"\r\n\r\n" not in request:
                    request += conn.recv(65536)
                self.heard = request.partition(b"\r\n\r\n")[0]
                encoding = b"Content-Encoding: gzip\r\n" if self.gzip else b""
                conn.sendall(b"HTTP/1.1 " + self.status + b"\r\nContent-Type: text/plain\r\n" + encoding + b"Connection: close\r\n\r\n")
                if not self.gzip:
                    while True:
                        conn.sendall(b"x" * 1_000_000)
                # a gzip stream of zeros, a megabyte in each 1 KB (a full flush resets the compressor: the next megabyte's bytes repeat)
                zeros, packer = b"\0" * (1 << 20), zlib.compressobj(9, zlib.DEFLATED, 31)
                conn.sendall(packer.compress(zeros) + packer.flush(zlib.Z_FULL_FLUSH))
                again = packer.compress(zeros) + packer.flush(zlib.Z_FULL_FLUSH)
                while True:
                    conn.sendall(again * 64)
            except OSError:
                return


SEND_ONCE = """
import resource, sys
from monitor.alerts.channels import Notifier
from monitor.errors import DeliveryError
from monitor.settings import Channel
try:
    Notifier([Channel(name="hook", url=sys.argv[1])]).send("hook", "Strike near Erbil", "body", within=30)
    print("sent")
except DeliveryError as exc:
    print(exc)
print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024)
"""


@pytest.mark.parametrize(("status", "outcome"), [(b"500 Internal Server Error", "failed"), (b"200 OK", "sent")])
@pytest.mark.parametrize(("schema", "gzip"), [("json", False), ("form", False), ("json", True)])
def test_a_webhook_answering_an_endless_body_is_read_no_further_than_a_few_megabytes(schema: str, gzip: bool, status: bytes, outcome: str) -> None:
    """Regression: Apprise's webhook plugins read a whole answer into memory (`requests` without `stream`) for up to the
    send's 60 s: an endless one took 1.6 GB in 2 s, and the send failed on a MemoryError ("Notification service 'JSON'
    raised an exception"). Now a connection is read no further once it took 8 MiB: a refusal says so; a 200 is sent. And
    an answer compressed (gzip: a megabyte in each kilobyte) is not inflated: 8 MiB of it were 8 GB (found by helper xhostile)."""
    server = Endless(status, gzip)
    try:
        started = time.monotonic()
        result = subprocess.run(["prlimit", "--as=1000000000", sys.executable, "-c", SEND_ONCE, f"{schema}://127.0.0.1:{server.port}/hook"],
                                capture_output=True, text=True, timeout=60, env={**os.environ, "PYTHONPATH": str(Path(__file__).parents[1])})
        took = time.monotonic() - started
    finally:
        server.server.close()
    assert result.returncode == 0, result.stderr
    said, peak_mb = result.stdout.strip().splitlines()
    if outcome == "sent":
        assert said == "sent"
    else:
        assert said.startswith("channel 'hook': an answer of more than 8 MiB: monitor cut the connection (Apprise then said: "), said
    assert int(peak_mb) < 700 and took < 20  # (62 MB on a quiet machine; 311 MB once with five test runs beside it: looked at every 10 ms)
    assert b"\r\naccept-encoding: identity\r\n" in server.heard.lower()  # (asked for as it is: an honest server sends it so)


def test_a_console_channel_whose_file_is_a_named_pipe_no_process_reads_fails_at_once_saying_so(tmp_path: Path) -> None:
    """Regression: `console://local?file=PATH` where PATH is a FIFO with no reader held the channel's thread for good
    (opening it to write waits for a reader; the send's cut-off shuts sockets down, not a file being opened), and with
    it every later alert of the channel and a stopping daemon. Now the open does not wait: the send fails at once,
    saying why."""
    from monitor.errors import DeliveryError

    fifo = tmp_path / "alerts.jsonl"
    os.mkfifo(fifo)
    notifier = Notifier([Channel(name="file", url=f"console://local?file={fifo}")])
    failed: list[BaseException] = []

    def send() -> None:
        try:
            notifier.send("file", "Drone strike on the convoy", "body", within=5)
        except DeliveryError as exc:
            failed.append(exc)

    sender = threading.Thread(target=send, daemon=True)
    sender.start()
    sender.join(10)
    if sender.is_alive():  # (let it go: a reader opens the pipe)
        with open(fifo, "rb") as reader:
            reader.read()
        pytest.fail("the send waited for a reader of the named pipe")
    [error] = failed
    assert str(error).startswith("channel 'file': ") and str(error).endswith(f"Exception: cannot write {fifo}: it is a named pipe that no process reads")


STUCK_TERMINAL = """
import json, sys, time
from monitor.alerts.channels import Notifier
from monitor.errors import DeliveryError
from monitor.settings import Channel

notifier = Notifier([Channel(name="file", url="console://local?file=" + sys.argv[1])])
for n in range(8):
    started = time.monotonic()
    try:
        notifier.send("file", f"Alert {n}", "word " * 20_000, within=1)  # (100 KB: the pipe's 64 KB are full at the first)
        said = "sent"
    except DeliveryError as exc:
        said = str(exc)
    sys.stderr.write(json.dumps([said, round(time.monotonic() - started, 1)]) + "\\n")
"""


def test_a_console_channel_whose_terminal_takes_nothing_still_records_each_alert_at_once(tmp_path: Path) -> None:
    """Regression: the console channel printed each alert on standard output, waiting for it to be taken: with a
    terminal that took nothing (`monitor run | less`, paused; a log collector that hangs), a send waited until it was cut
    off and failed (then retried: the file had its line twice), and each left a thread of Apprise's stuck for good: six
    of them (Apprise's pool on two cores), and every channel's sends waited in vain. Now the terminal is printed to by
    a thread of its own, a send waits a second at most for it, and the alert is sent: in the file once."""
    lines = tmp_path / "alerts.jsonl"
    with subprocess.Popen([sys.executable, "-c", STUCK_TERMINAL, str(lines)], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                          env={**os.environ, "PYTHONPATH": str(Path(__file__).parents[1])}) as sender:  # (its standard output never read)
        try:
            said = [json.loads(sender.stderr.readline()) for _ in range(8)]
        finally:
            sender.kill()
    assert [outcome for outcome, _ in said] == ["sent"] * 8 and all(took < 2 for _, took in said) and sum(took for _, took in said) < 4, said
    assert [json.loads(line)["title"] for line in lines.read_text().splitlines()] == [f"Alert {n}" for n in range(8)]



class _TerminalTakingNothing:
    """A standard output that takes nothing until `release` is set (`monitor run | less`, paused)."""

    def __init__(self) -> None:
        self.release = threading.Event()
        self.written: list[str] = []

    def write(self, text: str) -> int:
        self.release.wait(30)
        self.written.append(text)
        return len(text)

    def flush(self) -> None:
        pass


def test_console_prints_past_those_waiting_are_counted_and_said_once_a_burst(monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture) -> None:
    """Regression: past PRINT_BEHIND alerts waiting to be printed (a terminal that takes nothing), one more was dropped
    from the terminal without a word: the operator watching it saw fewer alerts than were sent and nothing said so.
    Now the first dropped says so at once (a warning), and once the terminal takes lines again one line says how many
    were not printed; `monitor_console_unprinted_total` counts them."""
    from monitor import metrics
    from monitor.alerts.channels import PRINT_BEHIND, _Terminal

    stdout = _TerminalTakingNothing()
    monkeypatch.setattr(sys, "stdout", stdout)
    monkeypatch.setattr("monitor.alerts.channels.PRINT_WAIT", 0.01)
    before = metrics.REGISTRY.get_sample_value("monitor_console_unprinted_total") or 0.0
    terminal = _Terminal()
    caplog.set_level("INFO", logger="monitor")
    for n in range(PRINT_BEHIND + 10):  # one printing, PRINT_BEHIND waiting, 9 dropped
        terminal.show(f"alert {n}\n")
    dropped = [r for r in caplog.records if "not printed" in r.getMessage()]
    assert len(dropped) == 1 and dropped[0].levelname == "WARNING", [r.getMessage() for r in caplog.records]
    stdout.release.set()
    deadline = time.monotonic() + 10
    while len(stdout.written) < PRINT_BEHIND + 1 and time.monotonic() < deadline:
        time.sleep(0.01)
    while not any("9 alerts were not printed" in r.getMessage() for r in caplog.records) and time.monotonic() < deadline:
        time.sleep(0.01)
    said = [r.getMessage() for r in caplog.records if "not printed" in r.getMessage()]
    assert len(said) == 2 and "9 alerts were not printed" in said[1], said
    assert (metrics.REGISTRY.get_sample_value("monitor_console_unprinted_total") or 0.0) - before == 9
    terminal.show("after\n")  # a new burst would be said again; this one is printed
    assert len([r for r in caplog.records if "not printed" in r.getMessage()]) == 2


_STUCK_NAMES: set[str] = set()  # names whose lookup the stand-in resolver holds until `_RESOLVER_BACK`
_RESOLVER_BACK = threading.Event()
_STAND_IN: list[bool] = []


def _slow_resolver(event: str, args: tuple[object, ...]) -> None:
    """A resolver that does not answer for `_STUCK_NAMES` (glibc waits 5 s a try, a server, a search domain): the thread
    that asks the system for such a name waits in the lookup, wherever the lookup is called from (an audit hook runs in
    `socket.getaddrinfo` before the system is asked)."""
    if event == "socket.getaddrinfo" and args and args[0] in _STUCK_NAMES:
        _RESOLVER_BACK.wait(30)


def test_a_channel_whose_name_lookups_hang_holds_back_no_other_channel(json_receiver: JsonReceiver) -> None:
    """Regression: a send's name lookup ran on one of Apprise's worker threads (six on two cores, shared by every
    channel); a resolver that did not answer held that thread until it gave up, long after the send was cut off. A
    channel whose host name did not resolve filled them at one send per dispatch, and every other channel's sends then
    waited in Apprise's queue until they were given up (no whole answer): one broken DNS name stopped all alerts. Now a
    send's lookups run on a few threads of monitor's own, waited for until the send's time is up (a lookup of a name
    already under way is waited for, not asked again): the send fails saying so, and Apprise's threads are free."""
    from monitor.errors import DeliveryError

    if not _STAND_IN:
        sys.addaudithook(_slow_resolver)
        _STAND_IN.append(True)
    _STUCK_NAMES.add("stuck.monitor.test")
    _RESOLVER_BACK.clear()
    notifier = Notifier([Channel(name="stuck", url="json://stuck.monitor.test:9/alerts"), Channel(name="hook", url=json_receiver.url)])
    workers = apprise.apprise.get_shared_executor()._max_workers
    outcomes: list[tuple[str, float]] = []

    def send_stuck() -> None:
        started = time.monotonic()
        try:
            notifier.send("stuck", "Drone strike on the convoy", "body", within=0.5)
            outcomes.append(("sent", time.monotonic() - started))
        except DeliveryError as exc:
            outcomes.append((str(exc), time.monotonic() - started))

    try:
        senders = [threading.Thread(target=send_stuck, daemon=True) for _ in range(workers + 1)]
        for sender in senders:
            sender.start()
        for sender in senders:
            sender.join(10)
        notifier.send("hook", "Drone strike on the convoy", "body", within=1)
        assert [m["title"] for m in json_receiver.messages] == ["Drone strike on the convoy"]
        assert len(outcomes) == workers + 1
        for why, took in outcomes:
            assert "name lookup of stuck.monitor.test took more than 0.5 s" in why and took < 1.5, outcomes
    finally:
        _RESOLVER_BACK.set()
        _STUCK_NAMES.discard("stuck.monitor.test")


@pytest.mark.parametrize("by", ["url", "config"])
def test_a_send_is_bounded_by_its_own_time_not_by_apprises_per_service_limit(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, by: str) -> None:
    """Regression: a send's time is half `[delivery] lease_seconds` (the example config says so), but Apprise gave up on
    each service after its own 60 s (`AppriseAsset.service_timeout`) whatever the send was given: with a lease above
    120 s, a service slower than a minute failed ("did not finish within 60s") though the operator's setting allowed it.
    Apprise's limit is here made a second (stand-in for its 60 s: the same rule), a receiver answers in 1.5 s, and the
    send, given 5 s, now gets through: one number bounds a send, the one the config sets."""
    monkeypatch.setattr(apprise.AppriseAsset, "_service_timeout", 1.0)

    def slow(handler: Any, body: bytes) -> None:
        time.sleep(1.5)
        handler.send_response(200)
        handler.send_header("Content-Length", "0")
        handler.end_headers()

    from tests.conftest import serve_http

    with serve_http() as http:
        http.routes["/alerts"] = slow
        url = f"json://127.0.0.1:{http.port}/alerts"
        if by == "config":
            (tmp_path / "apprise.yml").write_text(f"urls:\n  - {url}\n")
            channel = Channel(name="hook", config=tmp_path / "apprise.yml")
        else:
            channel = Channel(name="hook", url=url)
        Notifier([channel]).send("hook", "Drone strike on the convoy", "body", within=5)
        assert len(http.requests) == 1


def test_sends_at_once_are_watched_by_one_thread_and_each_cut_off_at_its_own_time() -> None:
    """Each send had a watcher thread of its own, looking at its connections every 10 ms: 50 sends at once cost 10 % of
    a core (bench/send_watchers.py). One thread now watches them all, and each is still cut off at its own time."""
    from monitor.alerts.cutoff import cut_off_after

    server = socket.create_server(("127.0.0.1", 0))
    port = server.getsockname()[1]
    ready = threading.Barrier(11)
    cut: dict[int, tuple[str | None, float]] = {}

    def send(n: int) -> None:
        started = time.monotonic()
        with cut_off_after(0.3 if n == 0 else 5) as why:
            conn = socket.create_connection(("127.0.0.1", port))
            ready.wait()
            try:
                conn.recv(1)  # (the server never answers: shut down at the send's time)
            except OSError:
                pass
        conn.close()
        cut[n] = (why(), time.monotonic() - started)

    senders = [threading.Thread(target=send, args=(n,), daemon=True) for n in range(10)]
    for sender in senders:
        sender.start()
    ready.wait()
    try:
        assert sum(t.name == "send-deadline" for t in threading.enumerate()) == 1
        senders[0].join(5)
        assert cut[0][0] == "no whole answer within 0.3 s" and cut[0][1] < 1, cut
        assert len(cut) == 1  # (the others run on)
    finally:
        for sender in senders:
            sender.join(10)
        server.close()
    assert all(why == "no whole answer within 5 s" for why, _ in cut.values() if why != "no whole answer within 0.3 s")


STUCK_LOOKUP_THEN_EXIT = """
import sys, threading
from monitor.alerts.channels import Notifier
from monitor.errors import DeliveryError
from monitor.settings import Channel

def never_answers(event, args):  # (a resolver that does not answer for this name: its lookup waits a minute)
    if event == "socket.getaddrinfo" and args and args[0] == "stuck.monitor.test":
        threading.Event().wait(60)

sys.addaudithook(never_answers)
try:
    Notifier([Channel(name="stuck", url="json://stuck.monitor.test:9/alerts")]).send("stuck", "t", "b", within=0.3)
except DeliveryError as exc:
    print(exc)
"""


def test_a_lookup_that_never_ends_does_not_hold_the_process_at_its_exit() -> None:
    """A send's lookup the resolver does not answer is left running on a thread of its own: the process (a daemon
    stopped by SIGTERM, `monitor once`) ends without waiting for it, as it would not for a thread pool's worker (joined
    at exit: a stop held until the resolver gives up, or systemd's SIGKILL)."""
    started = time.monotonic()
    done = subprocess.run([sys.executable, "-c", STUCK_LOOKUP_THEN_EXIT], capture_output=True, text=True, timeout=90,
                          env={**os.environ, "PYTHONPATH": str(Path(__file__).parents[1])})
    assert "name lookup of stuck.monitor.test took more than 0.3 s" in done.stdout, done.stdout + done.stderr
    assert time.monotonic() - started < 30, "the process waited for the lookup at its exit"


class _NeverAnswers(BaseHTTPRequestHandler):
    def do_POST(self) -> None:
        time.sleep(30)

    def log_message(self, *args: Any) -> None:
        pass


def test_channels_that_hang_at_once_hold_back_no_other_channel_however_many() -> None:
    """Regression: each channel is sent to on a thread of its own, but Apprise ran every send on its shared pool of six
    workers (two cores): with six channels hanging at once (their receivers never answer), a seventh channel's send
    waited in Apprise's queue until they were cut off, and was then cut off itself, its time spent waiting ('no whole
    answer within 2 s'): a healthy channel failed with the hung ones. A channel of one service is now sent to on its
    own thread (Apprise's pool is for a channel of several services); its cut-off bounds it as before."""
    from concurrent.futures import ThreadPoolExecutor
    from http.server import ThreadingHTTPServer

    from monitor.errors import DeliveryError

    from tests.conftest import serve_http

    servers = [ThreadingHTTPServer(("127.0.0.1", 0), _NeverAnswers) for _ in range(apprise.apprise.get_shared_executor()._max_workers + 1)]
    for server in servers:
        server.daemon_threads = True
        threading.Thread(target=server.serve_forever, daemon=True).start()
    hung = [Channel(name=f"hung{n}", url=f"json://127.0.0.1:{server.server_address[1]}/alerts") for n, server in enumerate(servers)]
    with serve_http() as http:
        http.routes["/alerts"] = (200, {"Content-Length": "0"}, b"")
        notifier = Notifier([*hung, Channel(name="ok", url=f"json://127.0.0.1:{http.port}/alerts")])

        def send(name: str) -> str:
            try:
                notifier.send(name, "Drone strike on the convoy", "body", within=2)
                return "sent"
            except DeliveryError as exc:
                return str(exc)

        try:
            with ThreadPoolExecutor(len(hung) + 1) as pool:
                outcomes = dict(zip([c.name for c in hung] + ["ok"], pool.map(send, [c.name for c in hung] + ["ok"])))
        finally:
            for server in servers:
                server.shutdown()
    assert outcomes["ok"] == "sent", outcomes["ok"]
    assert all("no whole answer within 2 s" in outcomes[c.name] for c in hung), outcomes
