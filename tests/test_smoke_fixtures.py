import apprise
import monitor.alerts.channels  # noqa: F401


def test_json_receiver_and_smtp(json_receiver, smtp_server):
    a = apprise.Apprise()
    a.add(json_receiver.url)
    a.add(f"mailto://127.0.0.1:{smtp_server.port}?to=desk@example.org&from=monitor@example.org&secure=no")
    assert a.notify(title="t", body="b")
    assert json_receiver.messages[0]["title"] == "t"
    assert smtp_server.messages[0]["Subject"] == "t"
