"""What watching sends costs: N sends at once, each in `cutoff.cut_off_after` with one open TCP connection (on 127.0.0.1,
never answered), for 5 s; prints the process's CPU time over those 5 s as a share of one core, and its threads then.

    PYTHONPATH=$PWD .venv/bin/python bench/send_watchers.py 50
"""

from __future__ import annotations

import socket
import sys
import threading
import time

from monitor.alerts.cutoff import cut_off_after


def main(n: int) -> None:
    server = socket.create_server(("127.0.0.1", 0))
    port = server.getsockname()[1]
    accepted: list[object] = []
    threading.Thread(target=lambda: [accepted.append(server.accept()) for _ in range(n)], daemon=True).start()
    go = threading.Barrier(n + 1)
    stop = threading.Event()

    def send() -> None:
        with cut_off_after(60):
            conn = socket.create_connection(("127.0.0.1", port))
            go.wait()
            stop.wait()
            conn.close()

    senders = [threading.Thread(target=send) for _ in range(n)]
    for sender in senders:
        sender.start()
    go.wait()
    cpu, wall = time.process_time(), time.monotonic()
    time.sleep(5)
    cpu, wall = time.process_time() - cpu, time.monotonic() - wall
    threads = threading.active_count()
    stop.set()
    for sender in senders:
        sender.join()
    print(f"{n} sends at once: {100 * cpu / wall:.1f} % of a core; {threads} threads ({n} of them the sends)")


if __name__ == "__main__":
    main(int(sys.argv[1]))
