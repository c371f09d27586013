"""The read-only web view: alerts, stories, actors over time, sources (`monitor web`, and `monitor run` on [server] listen)."""
