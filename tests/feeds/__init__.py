"""Tests of the feeds package: tokens, the subscribe page, the feed views."""
