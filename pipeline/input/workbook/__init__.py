"""A year's data kept in a workbook (自评数据.xlsx): read as Excel or WPS displays each cell, every
problem located at its sheet!cell.

  cells.py   what a cell displays (a number by its format, a date, a formula's cached value)
  sheets.py  the sheets as grids of displayed cells, each with its place
  fence.py   the one openpyxl internal leaned on (a sheet's zip member), with its fallback
  read.py    the rows and their places: projects, indicators, the unit sheet
  load.py    the loader's shapes: project files and indicator rows, validated as YAML is
"""
