"""Notifications: in-app messages with email preferences, and the email outbox (stored in the transaction,
delivered after it commits, retried with backoff by the ``deliver_email`` job)."""
