"""Synthetic departments shaped like the real seed: seeded, so every run measures the same input."""

from __future__ import annotations

import random
from decimal import Decimal
from pathlib import Path

import yaml

LEVELS = {
    "产出指标": ["数量指标", "质量指标", "时效指标", "成本指标"],
    "效益指标": ["经济效益指标", "社会效益指标", "生态效益指标", "可持续影响指标"],
    "满意度指标": ["服务对象满意度指标"],
}
# Words from the seed bundle, so texts have its characters and lengths.
WORDS = ("全市 政法 智能化 建设 网络 覆盖 乡镇 专网 联动 机制 实战 效能 维稳 救助 司法 案件 培训 调解 纠纷 矛盾 "
         "综治 中心 平安 创建 宣传 整治 考核 理赔 经济 社会 稳定 发展 群众 安全感 满意度 铁路 护路 探头 视频 "
         "监控 法学会 研讨 会员 基地 扫黑除恶 常态化 营商 环境 法治 文化 队伍 督查 信访 保障 运行 系统 维护").split()


def _text(rng: random.Random, low: int, high: int) -> str:
    out = ""
    target = rng.randint(low, high)
    while len(out) < target:
        out += rng.choice(WORDS)
        if rng.random() < 0.15:
            out += rng.choice("，、；")
    return out[:target]


def _amount(rng: random.Random, low: int, high: int, places: int) -> Decimal:
    return Decimal(rng.randint(low * 10**places, high * 10**places)).scaleb(-places)


def project(rng: random.Random, n: int) -> dict:
    planned = _amount(rng, 20, 1200, rng.choice([0, 0, 1, 2]))
    spent = (planned * Decimal(rng.randint(40, 100)) / 100).quantize(Decimal("0.0001"))
    rows = []
    for level1, count in (("产出指标", rng.randint(2, 4)), ("效益指标", rng.randint(1, 4)), ("满意度指标", 1)):
        for _ in range(count):
            rows.append({
                "一级指标": level1, "二级指标": rng.choice(LEVELS[level1]), "三级指标": _text(rng, 4, 30),
                "年初目标值": _text(rng, 2, 24), "实际完成值": rng.choice(["已完成", "完成较好", "基本完成", _text(rng, 2, 16)]),
            })
    return {
        "项目名称": f"第{n}号{_text(rng, 4, 12)}专项经费",
        "项目实施单位": _text(rng, 3, 10) + "科",
        "项目类别": rng.choice(["部门预算项目", "市直专项", "省对下转移支付项目"]),
        "项目属性": rng.choice(["持续性项目", "新增性项目"]),
        "项目类型": rng.choice(["常年性项目", "延续性项目", "一次性项目"]),
        "预算数": str(planned),
        "执行数": str(spent),
        "年度绩效目标": [{"指标": rows}],
        "偏差原因分析": "\n".join(f"{i}. {_text(rng, 10, 50)}。" for i in range(1, rng.randint(1, 3) + 1)),
        "改进措施": _text(rng, 10, 100),
    }


def write_department(root: Path, tables: int, seed: int = 2024, year: int = 2023) -> Path:
    """data folder with one year of `tables` projects; returns the year folder."""
    rng = random.Random(seed)
    year_dir = root / str(year)
    (year_dir / "projects").mkdir(parents=True, exist_ok=True)
    (year_dir / "department.yaml").write_text(
        "单位名称: 示例市委政法委员会\n填报日期: 2024-04-23\n主管部门: 示例市委政法委员会\n表样: hubei-2023\n",
        encoding="utf-8",
    )
    width = max(2, len(str(tables)))
    for n in range(1, tables + 1):
        text = yaml.safe_dump(project(rng, n), allow_unicode=True, sort_keys=False)
        (year_dir / "projects" / f"{n:0{width}d}-项目{n}.yaml").write_text(text, encoding="utf-8")
    return year_dir
