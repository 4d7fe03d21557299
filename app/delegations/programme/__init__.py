"""Delegations: programme."""
