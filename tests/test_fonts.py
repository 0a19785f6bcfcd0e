"""Fonts of the PDF: the fonts form.css names are the fonts used, and a missing font or glyph stops
the build with a message that says what is missing and how to install it."""

from __future__ import annotations

import io
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from pypdf import PdfReader

from pipeline.errors import Abort
from pipeline.render.pdf import fonts, harfbuzz
from pipeline.build.front import check_year
from pipeline.render.pdf.render import render_form_pdf
from pipeline.variant import TEMPLATES_DIR, load_variant
from test_pdf import make_form

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def variant():
    return load_variant("hubei-2023")


@pytest.fixture(scope="module")
def seed_forms():
    return check_year(ROOT / "data" / "2023").bundle.forms


def variant_with_css(tmp_path: Path, **stacks: str):
    """A copy of hubei-2023 whose form.css sets `--font-<role>` to the given stacks."""
    folder = tmp_path / "hubei-2023"
    shutil.copytree(TEMPLATES_DIR / "hubei-2023", folder)
    css = folder / "form.css"
    text = css.read_text(encoding="utf-8")
    for role, stack in stacks.items():
        text, n = re.subn(rf"--font-{role}:[^;]*;", f"--font-{role}: {stack};" if stack else "", text)
        assert n == 1
    css.write_text(text, encoding="utf-8")
    return load_variant("hubei-2023", root=tmp_path)


def fonts_printing(pdf: bytes) -> dict[str, str]:
    """Character -> the font (BaseFont without its subset tags) whose glyph prints it; the
    renderer's common-character copy of a font ("TAG+Common+Name") counts as that font."""
    out = {}
    for page in PdfReader(io.BytesIO(pdf)).pages:
        for ref in page["/Resources"]["/Font"].values():
            font = ref.get_object()
            name = str(font["/BaseFont"]).split("+")[-1]
            cmap = font["/ToUnicode"].get_object().get_data()
            for u in re.findall(rb"<[0-9a-fA-F]{4}>\s*<([0-9a-fA-F]+)>", cmap):
                out[bytes.fromhex(u.decode()).decode("utf-16-be")] = name
    return out


def test_the_seed_bundle_is_covered(seed_forms, variant):
    fonts.check_fonts(seed_forms, variant)  # raises FontError otherwise


def test_the_check_reads_each_font_once_per_process(seed_forms, variant):
    fonts.check_fonts(seed_forms, variant)
    before = harfbuzz.font_chars.cache_info().misses
    fonts.check_fonts(seed_forms, variant)
    assert harfbuzz.font_chars.cache_info().misses == before


def test_an_uncovered_character_stops_with_its_code_point_and_table(variant):
    form = make_form(variant, reason="原因：𠀀字无字形")  # U+20000 (CJK Ext. B): not in Noto CJK SC
    with pytest.raises(fonts.FontError) as caught:
        render_form_pdf(form, variant)
    message = str(caught.value)
    assert "U+20000" in message and "「𠀀」" in message
    assert "01-测试" in message  # the table that prints it
    assert "Noto Serif CJK SC" in message
    assert "sudo apt-get install fonts-noto-cjk" in message and "make fonts" in message
    # An expected failure: the CLI prints its message, with no traceback, whoever raised it.
    assert isinstance(caught.value, Abort) and caught.value.message == message


def test_the_css_names_the_fonts_used(tmp_path, variant):
    other = variant_with_css(tmp_path, text='"Noto Sans CJK SC", "DejaVu Sans"', mark='"DejaVu Sans Mono"')
    form = make_form(variant, reason="偏差原因")
    printed = fonts_printing(render_form_pdf(form, other))
    assert printed["偏"] == "Noto-Sans-CJK-SC" and printed["☑"] == printed["☐"] == "DejaVu-Sans-Mono"
    printed = fonts_printing(render_form_pdf(form, variant))
    assert printed["偏"] == "Noto-Serif-CJK-SC" and printed["☑"] == printed["☐"] == "DejaVu-Sans"
    assert printed["附"] == "Noto-Sans-CJK-SC"  # 附件 2. is in the heading font


def test_a_font_named_in_the_css_but_not_installed_stops(tmp_path, variant):
    other = variant_with_css(tmp_path, text='"Annex Missing Serif", "DejaVu Sans"')
    with pytest.raises(fonts.FontError) as caught:
        render_form_pdf(make_form(variant), other)
    assert caught.value.missing == ("Annex Missing Serif",)
    assert "未安装字体「Annex Missing Serif」" in str(caught.value)


def test_a_css_without_a_font_role_stops(tmp_path, variant):
    other = variant_with_css(tmp_path, mark="")
    with pytest.raises(fonts.FontError, match="--font-mark"):
        fonts.check_fonts([make_form(variant)], other)


def test_without_cjk_fonts_the_pdf_stops_with_how_to_install(tmp_path):
    # A real fontconfig setup that only knows DejaVu: no mocking of the lookup.
    conf = tmp_path / "fonts.conf"
    conf.write_text(
        '<?xml version="1.0"?>\n<!DOCTYPE fontconfig SYSTEM "fonts.dtd">\n<fontconfig>\n'
        "  <dir>/usr/share/fonts/truetype/dejavu</dir>\n"
        f"  <cachedir>{tmp_path / 'cache'}</cachedir>\n</fontconfig>\n",
        encoding="utf-8",
    )
    out = tmp_path / "out.pdf"
    script = (
        "from pathlib import Path\n"
        "from pipeline.build.front import check_year\n"
        "from pipeline.variant import load_variant\n"
        "from pipeline.render.pdf.render import render_form_pdf\n"
        "form = check_year(Path('data/2023')).bundle.forms[0]\n"
        f"Path({str(out)!r}).write_bytes(render_form_pdf(form, load_variant('hubei-2023')))\n"
    )
    env = {**os.environ, "FONTCONFIG_FILE": str(conf)}
    run = subprocess.run([sys.executable, "-c", script], cwd=ROOT, env=env, capture_output=True, text=True,
                         timeout=120)
    assert run.returncode != 0 and not out.exists()
    assert "FontError" in run.stderr
    assert "未安装字体「Noto Serif CJK SC」" in run.stderr and "未安装字体「Noto Sans CJK SC」" in run.stderr
    assert "DejaVu Sans」" not in run.stderr  # installed in that setup: not reported
    assert "sudo apt-get install fonts-noto-cjk" in run.stderr


def test_a_character_outside_the_common_set_prints_from_the_full_font(variant):
    # 堃 and 喆 are not in GB 2312, so not in the renderer's common-character copy of the font.
    pdf = render_form_pdf(make_form(variant, project_name="堃喆项目", reason="偏差原因"), variant)
    fonts_used = {}
    for page in PdfReader(io.BytesIO(pdf)).pages:
        for ref in page["/Resources"]["/Font"].values():
            font = ref.get_object()
            cmap = font["/ToUnicode"].get_object().get_data()
            for u in re.findall(rb"<[0-9a-fA-F]{4}>\s*<([0-9a-fA-F]+)>", cmap):
                fonts_used.setdefault(bytes.fromhex(u.decode()).decode("utf-16-be"), set()).add(
                    str(font["/BaseFont"]).split("+", 1)[-1])
    assert fonts_used["堃"] == fonts_used["喆"] == {"Noto-Serif-CJK-SC"}
    assert fonts_used["偏"] == {"Common+Noto-Serif-CJK-SC"}
    assert "堃喆项目" in "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages)


def test_common_copies_are_made_once_per_machine(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    source = fonts.find_font("Noto Serif CJK SC")
    copy = fonts.common_copy(source)
    assert copy.parent == tmp_path / "cache" / "annex" / "fonts"
    made = copy.stat().st_mtime_ns
    assert fonts.common_copy(source) == copy and copy.stat().st_mtime_ns == made  # found, not made again
    assert list(copy.parent.iterdir()) == [copy]  # no partial file left
    chars = harfbuzz.font_chars(copy, 0)
    assert ord("偏") in chars and ord("堃") not in chars  # GB 2312, not beyond
    assert copy.stat().st_size < source.file.stat().st_size / 3


@pytest.mark.slow
def test_without_a_cache_folder_the_pdf_is_the_same(tmp_path, variant, seed_forms):
    # XDG_CACHE_HOME under a file: the folder cannot be made, each process makes its own copies.
    (tmp_path / "file").write_text("")
    out = tmp_path / "out.pdf"
    script = (
        "from pathlib import Path\n"
        "from pipeline.build.front import check_year\n"
        "from pipeline.variant import load_variant\n"
        "from pipeline.render.pdf.render import render_form_pdf\n"
        "form = check_year(Path('data/2023')).bundle.forms[0]\n"
        f"Path({str(out)!r}).write_bytes(render_form_pdf(form, load_variant('hubei-2023')))\n"
    )
    env = {**os.environ, "XDG_CACHE_HOME": str(tmp_path / "file" / "cache")}
    run = subprocess.run([sys.executable, "-c", script], cwd=ROOT, env=env, capture_output=True, text=True,
                         timeout=120)
    assert run.returncode == 0, run.stderr
    assert out.read_bytes() == render_form_pdf(seed_forms[0], variant)
