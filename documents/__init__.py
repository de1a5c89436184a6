"""The papers of an election as PDF: ballots, tally sheets, result reports, notices, the
request for approval and the filing report, minutes and the archive. Each document is a pure
function of an election's facts (documents.facts) and gives the same bytes for the same facts.

Layer: may import the ground, rules, proto and services.common, never api/ or gongtui/.
"""
