"""Delegations: participants."""
