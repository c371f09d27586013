"""monitor: a media-monitoring alerting daemon."""

__version__ = "0.1.0"
