"""annex clean: delete the year outputs annex wrote; what the user changed or added is moved aside."""

from __future__ import annotations

from pipeline.cli.options import DEFAULT_OUT, OutOpt
from pipeline.cli.output import say


def clean(out: OutOpt = DEFAULT_OUT) -> None:
    """删除输出文件夹里 annex 生成的各年度输出；被改动过或不是 annex 生成的文件移到「年度.已修改-时间」文件夹，不删除。归档不动。"""
    from pipeline.build.clean import clean as clean_outputs, summary

    for line in summary(clean_outputs(out)):
        say(line)
