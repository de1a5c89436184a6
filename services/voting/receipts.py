"""What a ballot's receipt and a round's ballot-box digest are: one function each, used by
the ballot box when a ballot is cast, by the count when a round closes, and by the
independent recount (which recomputes both from the ballots' salts and marks).

* the marks, canonical: sorted by (person_id, choice, write_in), so not even the order of
  marking is kept; each ``{"person_id", "choice", "write_in"}`` with the write-in
  normalized as every name is (``core.names``);
* receipt = ``"sha256:" + sha256(salt + canonical marks JSON)``: a receipt covers its
  ballot's marks, so a mark edited in the database no longer matches its receipt;
* the ballot-box digest of an electronic round = ``"sha256:" + sha256(the receipts, sorted,
  one a line)``: it covers every ballot's marks through their receipts.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping
from typing import Any

from core.names import normalize_name
from services.common.store import canonical_json


def canonical_marks(marks: Iterable[Any]) -> list[dict[str, str]]:
    """The marks as stored and hashed; ``marks`` are ``Mark`` messages or mappings with
    ``person_id``, ``choice`` and ``write_in``."""
    def field(m: Any, name: str) -> str:
        return str((m.get(name) if isinstance(m, Mapping) else getattr(m, name)) or "")

    found = [{"person_id": field(m, "person_id"), "choice": field(m, "choice"),
              "write_in": normalize_name(field(m, "write_in"))} for m in marks]
    return sorted(found, key=lambda m: (m["person_id"], m["choice"], m["write_in"]))


def marks_json(marks: Iterable[Any]) -> str:
    return canonical_json(canonical_marks(marks))


def receipt(salt: str, marks_json: str) -> str:
    """The receipt of a ballot, from its salt and its canonical marks JSON."""
    return "sha256:" + hashlib.sha256((salt + marks_json).encode()).hexdigest()


def ballot_box_digest(receipts: Iterable[str]) -> str:
    """The digest of an electronic round's ballot box, from its ballots' receipts."""
    return "sha256:" + hashlib.sha256("\n".join(sorted(receipts)).encode()).hexdigest()


def paper_digest(round_id: str, issued: int, returned: int, invalid: int,
                 lines: Iterable[Mapping[str, Any]],
                 write_ins: Iterable[Mapping[str, Any]]) -> str:
    """The digest of a paper round: its tally as entered (lines by person)."""
    return "sha256:" + hashlib.sha256(canonical_json({
        "round_id": round_id, "issued": issued, "returned": returned, "invalid": invalid,
        "lines": sorted(lines, key=lambda x: x["person_id"]),
        "write_ins": list(write_ins)}).encode()).hexdigest()
