"""Instrumented LitServe apps that the acceptance suite starts as real server processes.

Every app is named in :data:`servers.catalog.CATALOG` (how to add one: ``servers/catalog.py``) and started with
``python -m servers <app> --port N --settings '<json>'`` (see ``servers/__main__.py``).

LitServe spawns its inference workers as fresh interpreters, which import this package before
they unpickle the API; an injected fault (``servers/faults/``, ``worker=True``) is re-applied there.
"""

from servers import faults as _faults

_faults.apply_in_spawned_worker()
