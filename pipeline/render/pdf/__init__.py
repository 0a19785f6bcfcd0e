"""PDF output: WeasyPrint renders the HTML form; fonts checks and subsets the CJK fonts.

  layout.py     WeasyPrint set up once per process: the styles, a document laid out, its PDF written
  render.py     tables and bundles as PDF (WeasyPrint), the bundle joined with pikepdf
  summary.py    the 项目清单 as PDF pieces, a page each (../pieces.py says why)
  fonts.py      the form's fonts: found, checked for every character, fingerprinted
  harfbuzz.py   HarfBuzz's subsetter, bound as WeasyPrint binds it
  glyphs.py     `annex check`: characters no font of the form can print, located in the data
  internals.py  every place annex leans on WeasyPrint's, pydyf's and HarfBuzz's insides
"""
