"""Delegations: planner."""
