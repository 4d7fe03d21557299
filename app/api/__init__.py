"""The read API under /api/v1/: JSON views of what the calendar shows, with an OpenAPI document."""
