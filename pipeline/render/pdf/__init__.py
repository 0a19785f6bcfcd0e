"""PDF output: WeasyPrint renders the HTML form; fonts checks and subsets the CJK fonts.

  render.py     tables and bundles as PDF (WeasyPrint), the bundle joined with pikepdf
  fonts.py      the form's fonts: found, checked for every character, fingerprinted
  harfbuzz.py   HarfBuzz's subsetter, bound as WeasyPrint binds it
  glyphs.py     `annex check`: characters no font of the form can print, located in the data
  internals.py  every place annex leans on WeasyPrint's, pydyf's and HarfBuzz's insides
"""
