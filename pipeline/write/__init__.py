"""Writing the user's data: the room of annex's writers of data folders and workbooks.

  workbook.py     `annex export`: a year's data as a workbook to fill in Excel or WPS
  data_folder.py  `annex import`'s writer: the projects read from Word as a year folder of YAML
  new_year.py     `annex new-year`: next year's folder from this year's
  convert.py      `annex convert`: a year's YAML rewritten for another form variant
"""
