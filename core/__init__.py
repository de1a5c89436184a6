"""The ground layer: the domain vocabulary, the settings, identifiers and the kinds of refusal.

Everything else in gongtui stands on this package; it imports nothing of ours, so that the
rules, the contracts, the services, the workflows, the API and the CLI can all share it
without a cycle. Workflow code imports ``core.vocabulary``, ``core.ids`` and
``core.errors`` only (pure Python, deterministic).
"""
