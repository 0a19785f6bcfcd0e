"""The phrases that fill the catalogue's templates: where one template covers several cases, the
words for each case (a value's expected type, a limit passed, a cell's fault), and the helpers
that list names and suggest the one meant. Registered problems are in catalogue.py."""

from __future__ import annotations

# wrong-type {expected}: what a value of each kind should be.
EXPECTED_TYPE = {
    "text": "一段文字",
    # YAML reads these words as yes/no or as empty, not as text: say so, and how to keep the word.
    "text-bool": "一段文字；yes、no、on、off、true、false 在 YAML 里是「是/否」，不是文字：要写这个词请加引号，例如 \"yes\"",
    "text-null": "一段文字；这里写的是空值（null、~ 或什么也没写）：没有内容请写 \"\"，要写 null 这个词请加引号，例如 \"null\"",
    "list": "列表（每一项以「- 」开头）",
    "mapping": "一组「栏目: 内容」（每项一行，比上一行多缩进两格）",
    "bool": "「true」或「false」",
    "amount": "金额数字（万元），例如 60 或 155.65",
    "other": "正确的类型（{detail}）",  # a pydantic error type no file of ours should meet
}

# amount-format {reason}
AMOUNT_REASON = {
    "thousands": "不能带千位分隔符",
    "percent": "不能带百分号",
    "unit": "不能带单位（单位固定为万元）",
    "other": "不是有效的数字",
}

AMOUNT_EXAMPLE = "60 或 155.65"

# not-a-mapping {shape}
SHAPE = {"list": "列表", "scalar": "单个值"}

# csv-encoding {encoding}
CSV_ENCODING = {
    "binary": "二进制内容（不是文本 CSV 文件）",
    "utf-16": "UTF-16 编码",
    "unknown": "无法识别的编码（可能混用了多种编码）",
}

# csv-syntax {detail}: Python's csv module's complaint, in the user's words (its own words otherwise)
CSV_ERROR = {
    "field larger than field limit": "有一个单元格超过 13 万字，多半是引号没有成对、后面的内容都被读进了这个单元格；请检查这一行附近的引号",
    "line contains NUL": "文件里有空字符（NUL），可能不是文本 CSV 文件；请在 Excel 中重新「另存为」CSV",
    "new-line character seen in unquoted field": "单元格里有换行却没有用引号括起来；请在 Excel 中重新「另存为」CSV",
}

def csv_detail(exc: Exception) -> str:
    text = str(exc)
    return next((words for start, words in CSV_ERROR.items() if text.startswith(start)), text)

# yaml-syntax {hint}: what PyYAML's complaint usually means, in the user's words.
YAML_HINT = {
    "tab": "YAML 不能用 Tab 缩进，请改用空格",
    "quote": "引号没有闭合，请检查这一行附近的引号是否成对",
    "colon-space": "冒号后面要有空格，或含冒号的文字要用引号括起来",
    # `实际完成值: 完成率: 100%`: the space is there; the text's own colon reads as a second key.
    "colon-in-text": "文字里的半角冒号加空格「: 」会被当作又一个栏目名；请把文字里的冒号改成全角「：」，"
                     "或把整段文字用引号括起来，例如 \"完成率: 100%\"",
    "documents": "一个文件只能有一个文档，请删除多余的 --- 分隔线",
    "nesting": "括号或缩进嵌套层数过多",
    "colon-missing": "缺少冒号，或缩进不一致",
    "indent": "这一行的缩进与同一层的上下行不一致；同一层的栏目名（或列表的「- 」）要对齐",
    "indent-more": "这一行比上一行多缩进了，而上一行已经写了内容；同一层的栏目名要左对齐",
    "alias": "以「*」开头的文字会被当作别名；如果是普通文字，请用引号括起来",
    "bracket": "方括号或花括号没有闭合；如果是普通文字，请用引号括起来",
    "other": "请检查这一行附近的缩进、冒号和引号",
    "escape": "引号里的转义序列无效（例如 \\ud800 不是一个字符）；请直接写这个字符，或删除反斜杠",
}

# file-name {reason}: what is wrong with a project file's name (one or more, joined)
FILE_NAME_FAULT = {
    "extension": "的扩展名应为 .yaml（不是 {suffix}）",
    "no-name": "在序号后面还要有「-项目名称」",
    "no-number": "应以序号开头",
}

# (a refused file's words: pipeline/problems/refusals.py)
# file-too-large {size} and {limit} for a file whose YAML aliases expand past the limit of values
EXPANDED = "锚点/别名展开后"

VALUES = "{n} 个值"

NONE = "无"  # an empty listing

def listing(items) -> str:
    """Options, keys, names: as a Chinese list."""
    return "、".join(str(i) for i in items)

def suggestion(close: str | None) -> str:
    """unknown-key {suggestion}: the closest allowed key, if one is close."""
    return f"是不是「{close}」？" if close else ""

def candidates(close: list[str], names: list[str]) -> str:
    """csv-unknown-project {candidates}: the closest project names, else the first few."""
    if close:
        return f"最接近的项目：{listing(close)}"
    return f"现有项目：{listing(names[:5])}{'…' if len(names) > 5 else ''}"

# import-missing, -checkbox-*, -amount, -not-found {file}: where the user writes what import could not read
WRITE_INTO = {"project": "项目文件", "department": "department.yaml"}

UNNAMED_PROJECT = "未命名项目"  # the file name of a table whose 项目名称 could not be read

# workbook-over-limit {what} {limit}, import-unreadable {reason}: which limit a package passed
PACKAGE_LIMIT = {
    "members": "压缩包内有 {n:,} 个文件", "unpacked": "解压后 {mb} MB", "elements": "XML 元素过多",
    "strings": "共享字符串过多", "chars": "共享字符串过长", "cells": "有内容的单元格过多",
}

LIMIT_COUNT, LIMIT_CHARS, LIMIT_MB = "{n:,} 个", "{n:,} 个字符", "{mb} MB"

PACKAGE_FAULT = {"limit": "超出读取上限：{what}（上限 {limit}）", "broken": "文件已损坏（{detail}）",
                 "no-workbook": "没有 workbook.xml"}

# workbook-cell-unreadable {reason}: what is wrong with the cell's XML
CELL_FAULT = {
    "date-range": "日期数值 {v} 超出范围", "format": "按数字格式「{fmt}」无法显示（{error}）",
    "shared": "引用的共享字符串「{v}」不存在", "boolean": "逻辑值应为 0 或 1，却是「{v}」",
    "date": "日期「{v}」无法识别", "type": "单元格类型「{v}」无法识别", "number": "存为数字的内容「{v}」不是数字",
    "number-range": "数字「{v}」超出范围",
}
