"""`make bench`: annex against the docxtpl + LibreOffice route, on synthetic departments."""
