"""Delegations: followups."""
