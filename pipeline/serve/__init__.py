"""`annex serve`: the same folders and the same build, through a browser.

One Linux machine runs the server; clerks at Windows PCs or 统信 UOS / 银河麒麟 desktops open a page,
upload a workbook (or last year's Word file), read the problems, build and download. A workspace is
an ordinary project folder (`<root>/<ws>/data`, `<root>/<ws>/build`): the command line works on it
unchanged, and the archive is the same archive.

The modules:
  settings.py   where the server keeps things, its limits, its clock
  db.py         SQLite (standard library): accounts, sessions, jobs, the audit log, login failures
  auth.py       argon2id password hashes and the login throttle
  sessions.py   random session tokens kept server-side, the cookie, CSRF tokens
  workspace.py  a workspace's folders, its years and what they hold
  uploads.py    an upload checked by size and content, put where annex reads it
  jobs.py       builds off the request: one per workspace, bounded by the cores, warm renderers
  security.py   the headers every response carries
  web.py        what every page handler shares (the signed-in user, 404, CSRF-checked forms)
  pages_*.py    the pages, by what they are about
  app.py        the route table and the app
"""
