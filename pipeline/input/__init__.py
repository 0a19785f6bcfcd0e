"""Reading the user's files (YAML, CSV) into the input model, every problem located."""

from __future__ import annotations

from pathlib import Path

from pipeline.variant import DEFAULT_VARIANT, available_variants


def variant_hint(year_dir: Path) -> str | None:
    """The variant department.yaml names, as far as a glance tells (None if it cannot say): a
    build's render processes warm it up while the loader reads the data for real. Here, not in
    year.py, because a build asks before it imports the loader (pydantic and the model: 0.3 s)."""
    import yaml

    from pipeline.files.read import Refused, read_regular  # a FIFO here must not hang the build

    try:
        department = yaml.safe_load(read_regular(year_dir / "department.yaml", 1 << 20).decode("utf-8"))
        name = department.get("表样", DEFAULT_VARIANT)
    except (OSError, ValueError, AttributeError, yaml.YAMLError, Refused):
        return None
    return name if isinstance(name, str) and name in available_variants() else None
