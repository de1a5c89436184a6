"""``gongtui demo``: a whole district on the embedded stack.

- names.py: the people and places of a generated district
- generation.py: the district's scenarios from a seed; calibrate.py: from published figures
- display.py: the live view per step and per street
- report.py: the summary tables, the PNG chart, the JSON report
- run.py: the run (stack, district workflow, scenario players); command.py: the command
"""
