"""Tests of the read API."""
