"""Delegations: checklists."""
