"""Outbox, mail delivery, reminders, the digest and the scheduler's jobs."""
