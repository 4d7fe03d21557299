"""The outbox: every mail is queued here in its cause's transaction, and sent from here."""
