"""The JSON and SMTP receivers on 127.0.0.1 get what Apprise sends them, as monitor's channels use Apprise."""

import apprise

from monitor.alerts import plugins


def test_json_receiver_and_smtp(json_receiver, smtp_server):
    a = apprise.Apprise()
    for url in (json_receiver.url, f"mailto://127.0.0.1:{smtp_server.port}?to=desk@example.org&from=monitor@example.org&secure=no"):
        plugins.need(url)  # monitor loads Apprise's plugins by need: whatever ran before in this process, these two are known
        assert a.add(url), url
    assert a.notify(title="t", body="b")
    assert json_receiver.messages[0]["title"] == "t"
    assert smtp_server.messages[0]["Subject"] == "t"
