"""The filled form: every string, tick, merge and total of a table, decided before rendering."""
