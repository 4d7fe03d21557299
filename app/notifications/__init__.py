"""Reminders, the digest and the scheduler's ticks; they queue mail through app.outbox."""
