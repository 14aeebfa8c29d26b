"""``searchkit serve``: a JSON search API and a search page over one index.

* :func:`create_app` builds the ASGI application (FastAPI) for an open
  :class:`searchkit.Index`; the API is described by ``/openapi.json``;
* :func:`run` serves it with uvicorn (one process, or ``workers`` processes
  that each open the index);
* ``static/`` holds the search page (plain HTML, CSS and JavaScript, served at
  ``/``; nothing is fetched from elsewhere).

Needs the ``serve`` extra: ``pip install 'searchkit[serve]'``.
"""

from __future__ import annotations

from .app import create_app, run

__all__ = ["create_app", "run"]
