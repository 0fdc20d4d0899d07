"""Email outbox: messages are stored in the transaction and delivered after it commits."""
