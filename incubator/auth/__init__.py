"""Accounts, roles, invitations, password policy and API tokens."""
