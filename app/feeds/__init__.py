"""iCal feeds: public and per-token private subscriptions."""
