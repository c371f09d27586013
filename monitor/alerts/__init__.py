"""Alerts: rendering, routing to channels, and the outbox dispatcher."""
