"""Webhooks out: subscriptions, events emitted in the caller's transaction, signed deliveries."""
