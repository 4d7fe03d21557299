"""The annual report: a year's visits, events and follow-ups, counted for one reader (see report.py)."""
