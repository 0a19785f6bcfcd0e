"""The judgement of a 定性 indicator (pipeline/form/attainment.py), against cases written by hand."""

from decimal import Decimal

import pytest

from pipeline.form.attainment import judge


@pytest.mark.parametrize("target, actual, weight, score, met", [
    ("使用人员满意", "使用人员满意", None, None, True),  # the same text: met
    (" 使用人员满意", "使用人员满意 ", None, None, True),
    ("全市26个乡镇联通政法专网", "完成较好", None, None, None),  # two texts annex cannot compare
    ("", "认可", None, None, None),  # nothing to compare with
    ("≥5个", "", None, None, None),
    ("提升执法效率", "良好", Decimal(10), Decimal(10), True),  # the clerk's full score
    ("提升执法效率", "良好", Decimal(10), Decimal("8.5"), False),  # the clerk's lower score
    ("提升执法效率", "提升执法效率", Decimal(10), Decimal(8), True),  # met as written (check asks for a reason)
    ("提升执法效率", "良好", Decimal(0), Decimal(0), None),  # a weight of 0 says nothing
])
def test_judge(target, actual, weight, score, met):
    assert judge(target, actual, weight, score) is met
