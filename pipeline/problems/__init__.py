"""Problems as data, at the base of the pipeline: every stage reports into them.

  records.py    Loc (where a value was written), Issue (one problem), Issues (a run's problems)
  catalogue.py  every problem code once, with its severity and Chinese message template
  phrases.py    the words that fill the templates where one covers several cases; listing, suggestion
  details.py    the words of a rule set's invalid values (rules-invalid {detail})
  stops.py      every message that stops a run (an Abort), by code
  findings.py   everything `annex verify` can find in an archive, by code
  refusals.py   the words for a file annex refused to read (a link, a FIFO, too large)
  report.py     printing a run's problems: a table, lines, JSON
  accepted.py   the warnings a year confirmed (已确认警告), whole-year or narrowed to a value or project
  once.py       each problem said once (exact repeats dropped)
"""
