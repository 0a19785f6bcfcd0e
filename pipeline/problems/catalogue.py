"""The catalogue of problems: every problem code annex can report, registered once.

Each entry fixes the code (stable, kebab-case, shown to users and in `--json`), its severity and
its Chinese message template. Call sites pass the code and the template's fields:

    issues.report("budget-not-positive", loc, value=text)
    issues.report("level2-wrong-level1", loc, value=text, level2="数量指标", owner="产出指标", level1="效益指标")

`value` is the text as the user wrote it (shown beside the message); the fields fill the template.
Where one template covers several cases, the words for each case are in phrases.py beside
this file, so every Chinese word a problem can show is in this room. A test (tests/test_catalogue.py)
fails when a registered code has no fixture that produces it.
"""

from __future__ import annotations

import string
from dataclasses import dataclass
from typing import Literal

Severity = Literal["error", "warning", "info"]  # info: counted and listed, never alarming


@dataclass(frozen=True)
class ProblemType:
    code: str
    severity: Severity
    template: str  # Chinese: what is wrong and what is expected; str.format fields in braces

    @property
    def fields(self) -> frozenset[str]:
        return frozenset(f for _, f, _, _ in string.Formatter().parse(self.template) if f)

    def message(self, **fields: object) -> str:
        missing, extra = self.fields - fields.keys(), fields.keys() - self.fields
        if missing or extra:
            raise TypeError(f"problem {self.code!r} takes fields {sorted(self.fields)}, not {sorted(fields)}")
        return self.template.format(**fields)


CATALOGUE: dict[str, ProblemType] = {}


def problem(code: str, severity: Severity, template: str) -> ProblemType:
    """Register a problem type; a code registered twice is a programming error."""
    if code in CATALOGUE:
        raise ValueError(f"problem code {code!r} registered twice")
    entry = ProblemType(code, severity, template)
    if entry.fields & {"code", "loc", "value"}:
        raise ValueError(f"problem {code!r}: code, loc and value are Issues.report's own arguments, not fields")
    CATALOGUE[code] = entry
    return entry


def lookup(code: str) -> ProblemType:
    try:
        return CATALOGUE[code]
    except KeyError:
        raise KeyError(f"problem code {code!r} is not in the catalogue (pipeline/problems/catalogue.py)") from None


# --- the problems ---------------------------------------------------------------------------------
# Grouped by the stage that finds them. Keep templates short, say the fix, name no internals.

# Reading one file (input/yaml_file.py, input/csv_file.py) -----------------------------------------

problem("file-unreadable", "error", "无法读取文件：{reason}")
problem("file-too-large", "error", "文件过大（{size}），上限 {limit}")
problem("file-encoding", "error",
        "这不是 UTF-8 或 GBK/GB18030 文本文件（可能是 UTF-16 编码、两种编码混在一起，或是二进制文件）；请用文本编辑器另存为 UTF-8")
problem("empty-file", "error", "文件是空的（或只有注释）；请按数据格式填写内容")
problem("yaml-syntax", "error", "YAML 语法错误：{hint}{detail}")
problem("key-not-text", "error", "冒号前面的栏目名必须是一段简单的文字（如「项目名称」），不能是列表或花括号")
problem("duplicate-key", "error",
        "「{key}」写了两次（第一次在第 {first_line} 行）；同一层只能写一次，否则前面的值会被悄悄覆盖。请删除或合并其中一处")
problem("not-a-mapping", "error", "文件内容是一个{shape}；应为每行一项的「栏目: 内容」，例如「项目名称: …」")
problem("csv-encoding", "error",
        "CSV 文件是{encoding}；支持 UTF-8（含 BOM）和 GB18030/GBK。请在 Excel 中「另存为」→「CSV UTF-8（逗号分隔）」")
problem("csv-syntax", "error", "CSV 格式错误：{detail}")
problem("csv-empty", "error", "CSV 文件是空的；第一行应为表头：{header}")
problem("csv-unknown-column", "error", "未知的列「{column}」；{suggestion}可用的列：{columns}")
problem("csv-duplicate-column", "error", "列「{column}」出现了两次")
problem("csv-missing-column", "error", "缺少列「{column}」；表头应为：{header}")
problem("csv-ragged-row", "error", "这一行有 {cells} 个单元格，表头有 {columns} 列；请检查是否多了或少了逗号")

# Characters in any text ---------------------------------------------------------------------------

problem("forbidden-character", "error",
        "包含文档里不允许的控制字符 {char}（常见于从 Word 粘贴的分行符）；请删除或改为普通换行")
problem("bidi-control", "error", "包含改变文字方向的控制字符 {char}，打印出来的文字会与实际不符；请删除")
problem("invisible-character", "warning", "包含看不见的字符 {char}（常见于从网页粘贴）；建议删除")

# Values and their types (input/model.py's validators, the loader's lenient readings) -------------

problem("missing-key", "error", "缺少必填项「{key}」")
problem("unknown-key", "error", "「{key}」不是可以填写的栏目；{suggestion}可用的栏目：{allowed}")
problem("wrong-type", "error", "应为{expected}")
problem("amount-format", "error", "金额{reason}；请写万元数，例如 {example}")
problem("fullwidth-digits", "warning", "金额用了全角数字，已按「{fixed}」读取；请改用半角数字")
problem("date-format", "error", "日期应写成 2024-04-23 这样（年-月-日，四位年份，用半角短横线连接）")
problem("date-invalid", "error", "没有这一天（请检查月份和日子）；日期写成 2024-04-23 这样")
problem("date-format-lenient", "warning", "日期已按「{fixed}」读取；请直接写成 {fixed}")
problem("text-too-long", "error", "文字过长（{n} 字），表格的一个单元格最多 {max} 字")

# The year folder and its files (input/year.py) ----------------------------------------------------

problem("year-folder", "error", "年度文件夹的名字应是四位年份，例如 data/2023")
problem("year-not-found", "error", "找不到这个年度文件夹")
problem("missing-file", "error", "缺少 department.yaml：每个年度文件夹都要有它（单位名称、填报日期等）")
problem("unknown-variant", "error", "没有这个表样；可用的表样：{variants}（templates/ 下的文件夹）")
problem("missing-folder", "error", "缺少 projects 文件夹：每个项目一个 YAML 文件放在这里")
problem("not-yaml", "warning", "不是 .yaml 文件，已忽略；项目文件应以 .yaml 结尾")
problem("no-projects", "error", "projects 文件夹里没有项目文件（每个项目一个，如 01-项目名称.yaml）")
problem("file-name", "error", "项目文件名{reason}，例如 01-政法智能化建设.yaml（序号决定在汇编中的顺序）")
problem("duplicate-number", "error", "序号 {number} 与 {other} 重复；每个项目的序号应不同")
problem("csv-unknown-project", "error", "这一行的项目名称与任何项目文件都不一致；{candidates}")
problem("csv-duplicate-row", "error", "「{name}」在第 {first_line} 行已经出现；每个项目只能有一行")
problem("csv-goal-number", "error", "「目标」应是目标序号 1、2、3…（最多 20）")
problem("figure-twice", "error", "「{key}」同时写在项目文件（{here}）和 {there}；只能在一处填写，请删除其中一处")
problem("indicators-twice", "error", "绩效指标同时写在项目文件（{here}）和 {there}；一个项目只能用其中一处")

# Rules against the form variant and across values (check/rules.py) --------------------------------

problem("empty-text", "error", "「{key}」不能为空；请填写内容")
problem("not-an-option", "error", "「{given}」不是「{key}」的选项；表样 {variant} 可选：{options}")
problem("missing-choice", "error", "缺少必填项「{key}」；可选：{options}")
problem("missing-department", "error", "缺少「主管部门」：项目文件和 department.yaml 都没有填写")
problem("missing-figure", "error", "缺少必填项「{key}」（写在项目文件里，或写在 {csv}）")
problem("unused-key", "error", "表样 {variant} 没有「{key}」这一栏；请删除，或在 department.yaml 换用别的表样")
problem("unused-remark", "error",
        "表样 {variant} 没有「{key}」这一栏；请删除，或写在项目的「偏差原因分析」「改进措施」里")
problem("too-many-decimals", "error", "金额最多 {max} 位小数（单位万元，6 位已到 0.01 元）")
problem("budget-not-positive", "error", "预算数应大于 0（单位万元）")
problem("spent-negative", "error", "执行数不能为负数（单位万元）")
problem("spent-above-budget", "warning", "执行数 {spent} 大于预算数 {planned}，执行率将超过 100%；请核对")
problem("unknown-fund-source", "error", "未知的资金来源「{key}」；可用：{sources}")
problem("missing-fund-source", "error", "缺少资金来源「{key}」（没有就写 0）")
problem("amount-negative", "error", "「{key}」不能为负数")
problem("funds-not-positive", "error", "各来源的全年预算数合计应大于 0")
problem("funds-spent-above-budget", "warning",
        "全年执行数合计 {spent} 大于全年预算数合计 {planned}，执行率将超过 100%；请核对")
problem("too-many-indicators", "error", "共 {count} 条绩效指标，上限 {max} 条；请合并或精简指标")
problem("no-indicators", "warning", "这个项目没有填写任何绩效指标；表中的绩效目标将是空白")
problem("empty-value", "warning", "「{key}」是空的，表中将是空白单元格；如有数值请补上")
problem("unknown-level1", "error", "「{level1}」不是一级指标；可选：{options}")
problem("level2-wrong-level1", "error", "二级指标「{level2}」属于一级指标「{owner}」，不应放在「{level1}」下")
problem("nonstandard-level2", "warning",
        "「{level2}」不是「{level1}」的标准二级指标（{standard}）；请确认。核对无误的，可在「已确认警告」里写上"
        "「nonstandard-level2: {level2}」，以后不再提示这一个")
problem("level1-not-adjacent", "error",
        "「{level1}」的指标行被其他一级指标隔开了；同一目标里同一一级指标的行应连在一起，才能合并单元格")
problem("duplicate-title", "error", "标题「{title}」与 {other} 相同；每张表的标题应不同（用「表名」区分）")
problem("duplicate-name", "error", "项目名称与 {other} 相同；每个项目的名称应不同")

# Scoring (check/rules.py; forms with 评分) ---------------------------------------------------------

problem("scoring-field-unused", "error", "「{key}」只在 department.yaml 设置「评分: true」时使用；请删除它，或打开评分")
problem("missing-score", "error", "{why}，每条指标都要填写「{key}」")
problem("weight-negative", "error", "「{key}」不能为负数")
problem("score-above-weight", "error", "得分 {score} 大于分值 {weight}；得分应在 0 到分值之间")
problem("weights-sum", "error", "预算执行分值 {budget_weight} 加各指标分值之和为 {total}，应为 {expected}")
problem("weights-split", "warning", "各一级指标的分值为 {split}；标准为 {standard}，请确认（核对无误的，可在「已确认警告」里写上 weights-split）")

# --- hostile input: files, encodings, limits (issue 13) ----------------------------------------
# What the year folder may hold (pipeline/input/tree.py, pipeline/files/read.py): regular files and folders.
problem("data-symlink", "error",
        "这是一个符号链接（指向 {target}）；年度文件夹里只能放文件本身，annex 不跟随链接，"
        "以免检查、生成和归档看到的不是同一份数据。请把链接换成它指向的文件或文件夹的副本")
problem("data-not-regular", "error",
        "这是一个{kind}，不是普通文件；annex 只读取普通文件（数据文件的名字也不能用在文件夹上）。"
        "请删除或换成普通文件")
problem("data-name-encoding", "error",
        "文件名不是 UTF-8 编码（无法识别的字节显示为 \\xNN）；请在文件管理器中重命名这个文件")
problem("csv-mixed-encoding", "error",
        "这个单元格是 UTF-8 编码的文字（应为「{meant}」），而文件其他地方不是 UTF-8（第 {line} 行起按 GB18030 读取，"
        "这里会印成「{shown}」）：同一个文件混用了两种编码。请在 Excel 中「另存为」→「CSV UTF-8（逗号分隔）」")
problem("replacement-character", "warning",
        "包含替换字符「�」：有文字在之前的编码转换中丢失了，打印出来的不是原文；请对照原文改正")
problem("yaml-tag-mismatch", "error",
        "标签 !!{tag} 与后面的文字不符（YAML 会把它读成空值或是/否）；请删除 !!{tag}，直接写文字")
problem("file-number-too-long", "error",
        "文件名开头的序号太长：序号最多 4 位数字（1–9999），例如 01-政法智能化建设.yaml")
problem("project-too-long", "error",
        "这个项目的文字共 {n} 字，超过一张表的上限 {max} 字（约 40 页）；请精简，或把说明放在附件里")
problem("amount-too-large", "error", "金额过大（整数部分 {n} 位）；最多 {max} 位整数，请检查单位和位数")
problem("glyph-missing", "error",
        "PDF 用的字体里没有{char}这个字，生成 PDF 时会失败；请改用常用字（或拼音、文字说明）。确实要印这个字，"
        "请信息中心安装一款有这个字的字体并在表样里改用它（字符编码 {codepoint}，现用字体 {families}）")

# --- a clerk's first hour (issue 16): reviewed warnings, Chinese YAML causes, CSV as Excel keeps it ---

problem("accept-not-a-warning", "error",
        "「{given}」不是可以确认的警告代码（只有警告可以确认，错误必须改正）；可确认：{codes}")
problem("level2-same-as-level1", "warning",
        "二级指标与一级指标同名（都是「{level1}」）；「{level1}」的标准二级指标：{standard}。请改用其中一个，"
        "或在「已确认警告」里写上本警告的代码")
problem("csv-project-without-file", "error",
        "「{name}」在 {csv} 里有 {rows} 行，但 projects 文件夹里没有它的项目文件；请新建 projects/序号-{name}.yaml（如 12-{name}.yaml）"
        "（写上「项目名称: {name}」和项目的其他信息），或改用工作簿填写；如果是名称写错了，请改成已有项目的名称")
problem("csv-amount-thousands", "error",
        "金额带千位分隔符（Excel/WPS 的「会计专用」或「数值」格式会这样保存）；请在 Excel/WPS 里选中这一列，"
        "把单元格格式设为「常规」后重新保存 CSV，应为 {example}")
problem("yaml-tab", "error",
        "这一行用制表符（Tab 键）缩进；YAML 只能用空格缩进。请把行首的制表符换成空格，与同一层的上下行对齐")
problem("yaml-fullwidth-colon", "error",
        "「{key}」后面是全角冒号「：」；栏目名和内容之间要用半角冒号加空格，请改成「{key}: 」（切换到英文标点再输入冒号）")
problem("yaml-fullwidth-space", "error",
        "这一行开头有全角空格（中文输入法下的空格）；YAML 只能用半角空格缩进。请删除行首的全角空格，改用半角空格与上下行对齐")

# --- the workbook (data/<year>/*.xlsx; pipeline/input/workbook) ---------------------------------------
problem("workbook-format", "error",
        "这是{what}，annex 读取 .xlsx 工作簿；请在 Excel 或 WPS 中「文件 → 另存为」，文件类型选「Excel 工作簿（*.xlsx）」")
problem("workbook-unreadable", "error", "无法读取这个工作簿（{reason}）；请在 Excel 或 WPS 中打开并另存为 .xlsx")
problem("workbook-too-large", "error", "工作簿过大（{mb} MB；上限 50 MB）")
problem("workbook-missing-sheet", "error", "工作簿缺少工作表「{sheet}」；项目数据需要「项目」和「指标」两张表（make export 生成的工作簿里都有）")
problem("workbook-unknown-sheet", "warning", "工作表「{sheet}」不是 annex 读取的表（项目、指标、单位），已忽略")
problem("workbook-missing-column", "error", "工作表「{sheet}」缺少列「{column}」；第 1 行应有这个表头")
problem("workbook-unknown-column", "warning", "工作表「{sheet}」的列「{column}」不是 annex 读取的列，已忽略（辅助列可以保留）{suggestion}")
problem("workbook-duplicate-column", "error", "列「{column}」出现了两次（第一次在 {first}）；每个表头只能有一列")
problem("workbook-formula-uncached", "error",
        "这个单元格是公式，但文件里没有保存计算结果（生成它的程序不计算公式）；请在 Excel 或 WPS 中打开并保存一次")
problem("workbook-format-inexact", "warning",
        "单元格的数字格式（如科学计数、分数）无法按显示原样读取，已按常规格式读作「{text}」；请把这一列设为「文本」或「数值」格式")
problem("workbook-number", "error", "「序号」应是 1、2、3…（决定在汇编中的顺序）")
problem("workbook-duplicate-number", "error", "序号 {number} 与 {other} 重复；每个项目的序号应不同")
problem("workbook-no-projects", "error", "「项目」表里还没有项目；从第 2 行起每行填一个项目（指标填在「指标」表）")
problem("workbook-blank-name", "error", "这一行有内容但「项目名称」是空的；每个项目一行，请填写项目名称")
problem("workbook-blank-first-name", "error",
        "「项目名称」是空的，上面也没有可以沿用的项目；请在这个项目的第一行填写项目名称（之后的空白行沿用上一行）")
problem("workbook-unknown-project", "error", "这一行的项目名称与「项目」表里的任何项目都不一致；{hint}")
problem("workbook-goal-number", "error", "「目标」应是目标序号 1、2、3…（最多 20）；空白沿用上一行，第一行默认 1")
problem("workbook-duplicate-key", "error", "「{key}」在这张表里已经写过（{first}）；每一项只能写一次")
problem("workbook-key-twice", "error", "「{key}」同时写在「单位」表和 {other}；只能在一处填写，请删除其中一处")
# --- import of Word tables (annex import) and a new year (annex new-year) ------------------------
# An import problem's location is the document, and the table and label in its field:
# Loc("2023-自评表.docx", field="第 6 张表 项目类别").

problem("import-not-docx", "error", "这是 {kind} 格式的文件，annex 只能读取 .docx；请在 Word 或 WPS 中打开它，「另存为」Word 文档（.docx）后再导入")
problem("import-unreadable", "error", "无法作为 Word 文档（.docx）打开：{reason}")
problem("import-no-table", "error", "没有找到可识别的项目支出绩效自评表（按表样 {variants} 的标签查找）；请确认文件里的表格是自评表")
problem("import-mixed-variants", "error", "这张表是表样 {variant} 的，其他表是 {majority}；一个年度只能用一种表样，这张表未导入")
problem("import-missing", "error", "没有读到「{label}」；该项未导入，请在 {file} 中填写")
problem("import-checkbox-none", "error", "{group}：没有勾选任何一项；未导入，请在 {file} 中填写「{group}」（可选：{options}）")
problem("import-checkbox-many", "error", "{group}：勾选了 {count} 个框（{ticked}）；未导入，请在 {file} 中填写其中一项")
problem("import-checkbox-unread", "error", "{group}：读不出是哪几个选项（应为 {options}，最好带序号 1、2、3）；未导入，请在 {file} 中填写「{group}」")
problem("import-option-renamed", "warning", "{group} 第 {n} 项印作「{printed}」，表样为「{expected}」；按序号读作「{expected}」")
problem("import-amount", "error", "「{label}」印作「{printed}」，不是金额数字；未导入，请在 {file} 中填写")
problem("import-rate-differs", "warning", "执行率印作 {printed}，annex 按 {spent} ÷ {planned} 计算为 {computed}；生成时以计算值为准")
problem("import-total-differs", "warning", "{label}印作 {printed}，annex 计算为 {computed}；生成时以计算值为准")
problem("import-title-copied", "warning", "标题「{title}」与第 {other} 张表相同（像是复制时没改）；未作为表名导入，标题将按项目名称「{name}」生成")
problem("import-title-unread", "warning", "没有读到这张表的标题（应为「{pattern}」）；标题将按项目名称生成")
problem("import-differs", "warning", "{label}印作「{printed}」，其他 {count} 张表为「{majority}」；取「{majority}」")
problem("import-not-found", "error", "没有读到{label}；请在 {file} 中填写")
problem("import-year-missing", "error", "标题里没有读到年度；请用 --year 指定，例如 --year 2023")
problem("not-filled", "error", "本年度尚未填写「{key}」")

# --- scoring rules as data (issue 24 part 1): rule sets, 定量 targets, scores checked and computed ---
# pipeline/scoring/ (the rule sets in templates/rules/), pipeline/check/scoring.py

problem("unknown-rules", "error", "没有评分规则「{given}」；可用的评分规则：{rules}（templates/rules/ 下的文件名）")
problem("rules-invalid", "error", "评分规则文件有误：{detail}")
problem("rules-unknown-key", "error", "评分规则里没有「{key}」这一项；这一层可用：{allowed}")
problem("rules-denominator", "error",
        "评分规则 {rules} 以「年初预算数」为执行率的分母，表样 {variant} 没有年初预算数；请换用别的评分规则")
problem("score-computed", "info", "{count} 条定量指标没有填写得分，已按评分规则 {rules} 计算并打印：{rows}")
problem("score-differs", "warning",
        "按评分规则应得 {computed} 分（{formula}），填的是 {entered}；请核对。如确认按所填得分，"
        "在「已确认警告」里写上本警告的代码")
problem("treated-qualitative", "info", "按定性指标核对，得分不按公式计算：{why}")
problem("qualitative-score-missing", "error",
        "定性指标的「得分」要自己填写（annex 只计算定量指标{why}）：0 到 {weight} 分，评分规则 {rules} 的分档为 {bands}")
problem("qualitative-below-full", "warning",
        "实际完成值与年初目标值相同，得分 {score} 却低于分值 {weight}；请在「{key}」里说明扣分的理由")
problem("reason-missing-indicator", "warning", "得分 {score} 低于分值 {weight}，需要说明偏差原因；请填写「{key}」")
problem("reason-missing-rate", "warning",
        "执行率 {rate} 低于评分规则 {rules} 要求说明原因的 {threshold}%；请填写「{key}」")

# --- a clerk's second hour (issue 22): confirmations that cannot hide a typo ---------------------------
problem("level2-typo", "error",
        "「{given}」像是「{standard}」写错了（差一个字）；请改成「{standard}」（属于「{level1}」）。"
        "写错的标准名称是错误，不能在「已确认警告」里确认")
problem("accept-entry-format", "error",
        "「已确认警告」的每一项应写作 代码（如 nonstandard-level2），或 代码: 值（只确认这个值），"
        "或分行写 代码:、值:、项目:（值、项目可省略；只有这三项）")

# --- workbooks read under limits, cell by cell; export that reads back (issues 21, 22: workbook) ---
problem("workbook-column-typo", "error",
        "表头「{column}」不是 annex 读取的列；是不是「{meant}」？已按「{meant}」读取这一列，请把表头改为「{meant}」")
problem("workbook-over-limit", "error",
        "工作簿超出 annex 的读取上限：{what}（上限 {limit}）；一个年度的数据远小于此，请检查是否存入了大量空白、重复或无关的内容")
problem("workbook-cell-unreadable", "error", "这个单元格无法读取：{reason}；请在 Excel 或 WPS 中重新输入这个值后保存（这一行未读入）")
problem("workbook-hidden", "warning", "{what}是隐藏的，annex 照样读取其中的内容；请在 Excel 或 WPS 中取消隐藏，核对后再生成")
problem("workbook-hidden-value", "warning",
        "这个单元格的数字格式把数值隐藏了（单元格看起来是空的或只有文字），实际存的是 {text}；annex 按 {text} 读取，请把格式改为「常规」或「数值」后核对")
problem("workbook-display-rounded", "warning",
        "单元格显示为 {text}，实际存的是 {stored}；annex 按显示的 {text} 读取。若应为 {stored}，请增加这一列的小数位数")
problem("workbook-total-differs", "warning",
        "合计行的{key}写的是 {written}，上面各项目之和为 {total}；合计行不作为项目读取，生成时以计算值为准，请核对")
problem("workbook-sheet-sorted", "error",
        "「{sheet}」表看起来被排序过：留空表示「同上」的单元格已不在原来那一行下面，读出来会张冠李戴，这张表未读入。"
        "请撤销排序（Ctrl+Z，或打开排序前的文件），或在每一行都填上项目名称、目标、一级指标、二级指标后再排序")
problem("unchanged-from-last-year", "warning",
        "这个项目的 {cells} 与 {year} 年的数据完全相同；如果工作簿是从上一年复制来的，请确认这些数字已改为本年度的")

# --- files, build and archive, import (issue 21/22 helper F) ------------------------------------------
problem("import-nested-table", "error",
        "「{label}」这一行（第 {row} 行）的格子里嵌着 {count} 张表格；annex 不读嵌套表格里的内容（它不会被当成这一栏的值）。"
        "请在 Word 里把嵌套的表格改成普通文字（「表格工具 → 转换为文本」）后再导入，或导入后在项目文件里填写这一栏")
