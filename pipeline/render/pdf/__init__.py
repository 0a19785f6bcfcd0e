"""PDF output: WeasyPrint renders the HTML form; fonts checks and subsets the CJK fonts."""
