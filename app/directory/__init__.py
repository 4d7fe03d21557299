"""Organisations, cities, initiatives, themes, venues and officials."""
