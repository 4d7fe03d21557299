"""Demo data drawn from Trondheim's international action programme 2011-2012.

`data.py` holds what is loaded (plain specs, in Norwegian as in the source
document); `services.py` turns it into rows, idempotently.
"""
