"""The shared activity calendar: events, partner submissions and moderation."""
