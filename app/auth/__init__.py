"""Accounts: log-in, roles, invitations, password reset and user administration."""
