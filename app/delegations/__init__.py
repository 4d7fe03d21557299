"""Delegation visits, their programmes, checklists, participants and follow-up."""
