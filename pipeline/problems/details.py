"""The words that fill a problem's {detail}, by key, for the checks that say what is wrong in a
phrase: the scoring rule sets' own checks (pipeline/scoring/ruleset.py, problem rules-invalid),
their pydantic validators raising with a key of RULES_DETAIL."""

from __future__ import annotations

# rules-invalid {detail}
RULES_DETAIL = {
    "not-regular": "不是普通文件，或超过 256 KB",
    "unreadable": "无法读取（{error}）",
    "duplicate": "这一项写了两次",
    "not-mapping": "应为「键: 值」的映射",
    "missing": "缺少这一项",
    "literal": "可选：{options}",
    "number": "应为数字",
    "number-bound": "应为数字（{reason}）",
    "name-not-stem": "name 应与文件名相同：{stem}",
    # raised by the validators (ValueError(key))
    "bands-ordered": "每一档的 min 不大于 max，至少一档",
    "grades-descending": "grades 应从高到低排列，最后一档的 min 为 0",
}


def rules_detail(key: str, **fields: object) -> str:
    return RULES_DETAIL[key].format(**fields)
