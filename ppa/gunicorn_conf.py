"""Gunicorn settings of the web process: `gunicorn -c python:ppa.gunicorn_conf ppa.wsgi -w 3`.

Bind address, worker count and class stay on the command line (docker-compose.yml,
bench/throughput.py); this file holds what every deployment shares.

Python's cyclic garbage collector, left alone, now and then walks every object the process
holds: Django, the app, compiled templates, URL patterns, translation catalogues (about 175,000
container objects in a warm worker), 100-160 ms per full collection on this project's 2-core
machine, inside whichever request happened to allocate the object that triggered it. Those
objects live as long as the process, so they are moved out of the collector's sight
(`gc.freeze`): the ones imported in the master before the workers fork, and in each worker
those its first requests create (templates compile and caches fill on first use). Requests'
own garbage is still collected as before; the collector only stops re-walking the permanent
heap. In the master, freezing also keeps the collector from writing into memory the workers
share with it (copy-on-write pages stay shared). Figures: bench/README.md, "Throughput per
server (2026-12-04)".
"""

import gc
from typing import Any

from django.db import connections

# The app is imported once, in the master, before the workers fork: workers start in
# milliseconds and share the imported code's memory. No database connection is opened at
# import, so none is shared between processes. (A code change needs a restart, not a HUP.)
preload_app = True
timeout = 60
# A worker is replaced after about 20,000 requests, so that a leak cannot grow without bound;
# the jitter keeps the workers from restarting at the same moment. A new worker's first
# requests are slow (templates compile, caches fill, a connection opens): at 2,000, a worker
# under full load restarted every few seconds and those requests set the p99.
max_requests = 20000
max_requests_jitter = 2000

# How many requests a worker serves before it freezes what it has built so far: enough to
# compile the templates and fill the per-process caches of the pages people open.
WARM_REQUESTS = 200


def when_ready(server: Any) -> None:
    """In the master, after the app is imported and before the first fork."""
    connections.close_all()  # should the import ever connect: no socket shared by the workers
    gc.collect()
    gc.freeze()


def post_fork(server: Any, worker: Any) -> None:
    worker.served = 0


def post_request(worker: Any, req: Any, environ: dict, resp: Any) -> None:
    """Once per worker, after its first WARM_REQUESTS requests: collect the garbage there is,
    then freeze the rest (one pause, instead of one on every full collection after it)."""
    worker.served += 1
    if worker.served == WARM_REQUESTS:
        gc.collect()
        gc.freeze()
