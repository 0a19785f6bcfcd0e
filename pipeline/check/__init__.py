"""The rules on the input model: what a year's data must satisfy beyond its types.

  rules.py    validate_year: the rules over projects, sums and options
  limits.py   the size limits of a cell and a project
  scoring.py  entered scores against the year's rule set
"""
