"""Delegations: interests."""
