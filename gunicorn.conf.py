"""Gunicorn settings for serving Vertskap: `gunicorn 'app:create_app()'` reads them.

Threaded workers: calendar clients poll feeds often and most polls end in a 304
answered from memory (`app.feeds.lane`), which threads serve best; large feed
bodies go out with sendfile(2), which frees the thread's lock on Python, so 8
threads per worker keep more of them going at once. `bench/feeds.py` measures this configuration.
Override with the environment: WEB_CONCURRENCY (workers, default 2 for a
2-core host), GUNICORN_THREADS (default 8), GUNICORN_BIND (default
127.0.0.1:8000). Each worker keeps its own feed caches and rate-limit counters
(see RATELIMIT_STORAGE_URI in config.py for shared counters).
"""

import os

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
worker_class = "gthread"
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
threads = int(os.environ.get("GUNICORN_THREADS", "8"))
# sendfile(2) stays on by leaving `sendfile` unset: gunicorn 27 turns
# `sendfile = True` into False (the setting only knows --no-sendfile).
# A feed's first build in a fresh worker serialises every item (seconds for
# 10,000); give it room before the arbiter restarts the worker.
timeout = 60
graceful_timeout = 10
