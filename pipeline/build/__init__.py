"""`annex build`: render a year's bundle, re-rendering only what changed, and swap it in whole.

The outputs of build/<year>/ are one file per project and format under 分表/ plus the bundle in
each format. A state file next to them records, per project, a hash of everything its outputs
depend on (the filled form, the variant's templates, the package version) and the hash of each
output. A rebuild renders only the projects whose hash changed, links the other outputs into a
staging folder, reassembles the bundles, and swaps the staging folder with build/<year>/ in one
rename. A rebuild whose input files did not change at all stops before loading them (and before
importing the loader and renderers: it answers in a few tenths of a second at any size).

The modules, in the order a build uses them (file writes, the folder swap and the lock are
pipeline/files/):
  run.py      build(): the story, top to bottom, over a Context
  front.py    check_year: load, validate, compute (the front half of every run, and `annex check`)
  options.py  BuildOptions (what to do), Hooks (progress), BuildReport (what was done)
  state.py    the record of the last build (.annex-state.json) and the hashes it compares
  plan.py     what must be rendered again, and the output paths
  staging.py  the staging folder, the lock file, what killed builds left
  workers.py  the render processes, started and stopped in one place
  tasks.py    the rendering they run
  pieces.py   the 项目清单's PDF pages kept from the last build, the others laid out side by side
  keep.py     what users changed or added under build/<year>/, moved aside, never deleted
  paths.py    where a build may write: never into the data, never through a link
  errors.py   the ways a build stops (each an Abort)
  watch.py    annex build --watch's polling loop
"""

from pipeline.build.errors import BuildError, CheckFailed, RenderError
from pipeline.build.options import BuildOptions, BuildReport, Hooks
from pipeline.build.plan import FORMATS
from pipeline.build.run import build
from pipeline.build.workers import Workers

__all__ = ["FORMATS", "BuildError", "BuildOptions", "BuildReport", "CheckFailed", "Hooks", "RenderError",
           "Workers", "build"]
