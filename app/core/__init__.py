"""What every feature shares: database types, visibility, audit log, time zones."""
