"""The write path every service shares, by seam: the Store and its transaction (``core``),
idempotency keys, the audit chain, the signal outbox, the SQLite inline path and the shared
tables' declarations."""

from services.common.store.audit import AuditEntry, canonical_json, record_hash
from services.common.store.core import ReadSession, Session, Store, Tx
from services.common.store.tables import ServiceModels, insert_columns, shared_models, utcnow

__all__ = ["AuditEntry", "ReadSession", "ServiceModels", "Session", "Store", "Tx",
           "canonical_json", "insert_columns", "record_hash", "shared_models", "utcnow"]
