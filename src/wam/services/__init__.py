"""Use cases, one transaction each: register holders and items, post movements, read
balances and histories, verify the ledger, sign checkpoints.

Services raise the typed errors of :mod:`wam.domain.errors` and never know about HTTP or
terminals. :class:`wam.services.ledger.Ledger` is the entry point.
"""
