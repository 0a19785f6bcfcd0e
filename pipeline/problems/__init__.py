"""Problems as data, at the base of the pipeline: every stage reports into them.

  records.py    Loc (where a value was written), Issue (one problem), Issues (a run's problems)
  catalogue.py  every problem code once, with its severity and Chinese message template
  report.py     printing a run's problems: a table, lines, JSON
"""
