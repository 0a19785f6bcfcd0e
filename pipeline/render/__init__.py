"""Rendering: the filled form as Word, HTML, PDF and a workbook. Renderers hold no logic: every
string, tick, merge and total was decided in form/.

  docx.py           Word: the variant's docxtpl template, the cell tags, tidy tables
  docxtpl_fence.py  the two docxtpl hooks docx.py overrides, checked to be called
  docx_join.py      the Word bundle joined from the tables' files
  html.py           the HTML form and 项目清单 that WeasyPrint lays out
  pieces.py         the 项目清单's PDF laid out a page at a time: what each piece lays out, its key
  pdf/              PDF: WeasyPrint, the fonts, the glyph check, and every touch of their internals
  xlsx.py           the 项目清单 as a workbook
  zipfix.py         fixed zip times and order: the same input gives the same bytes
"""
