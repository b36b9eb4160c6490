"""The web application: HTML pages and the JSON API under ``/api``, on one FastAPI app.

Build it with :func:`wam.web.app.create_app` from :class:`wam.web.settings.WebSettings`; nothing
is created at import time. Every request acts as a signed-in user through
:class:`wam.services.scoped.ScopedLedger`, so both the pages and the API see exactly what the
user's grants allow.
"""
