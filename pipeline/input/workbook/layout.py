"""The workbook's layout, a contract with users (spec/workbook.md): sheet names, column headers, and
which blank cells continue the value above. Read by input/workbook and written by `annex export`."""

from __future__ import annotations

PROJECT_SHEET = "项目"
INDICATOR_SHEET = "指标"
UNIT_SHEET = "单位"
SHEETS = (PROJECT_SHEET, INDICATOR_SHEET, UNIT_SHEET)

NUMBER = "序号"
PROJECT_TEXTS = ("项目名称", "表名", "主管部门", "项目实施单位", "项目类别", "项目属性", "项目类型")
PROJECT_AMOUNTS = ("预算数", "执行数")
PROJECT_CLOSING = ("偏差原因分析", "改进措施")
OVERALL_GOAL = "年度总体目标"
OVERALL_KEYS = ("预期目标", "实际完成情况")
FUNDS = "项目资金"
FUND_FIGURES = ("年初预算数", "全年预算数", "全年执行数")
FUND_SEPARATOR = "·"
# 已确认警告 (warning codes separated by 、 , or spaces; each may be narrowed to a value or a project) is
# read from the 单位 sheet, for the whole year: a workbook is one file for all its projects.
ACCEPTED = "已确认警告"
PROJECT_REQUIRED = ("项目名称", "项目实施单位")
PROJECT_COLUMNS = (NUMBER,) + PROJECT_TEXTS + PROJECT_AMOUNTS + PROJECT_CLOSING + OVERALL_KEYS

GOAL = "目标"
LEVELS = ("一级指标", "二级指标", "三级指标")
VALUES = ("年初目标值", "实际完成值")
SCORES = ("分值", "得分")
REMARK = "偏差原因分析及改进措施"
INDICATOR_REQUIRED = ("项目名称",) + LEVELS + VALUES
INDICATOR_COLUMNS = ("项目名称", GOAL) + LEVELS + VALUES + SCORES + (REMARK,)
CONTINUED = ("项目名称", GOAL, "一级指标", "二级指标")  # blank or merged: the value above, as Excel users expect

UNIT_KEY, UNIT_VALUE = "项目", "内容"
DATE_FORMATS = ("填报日期",)
FLAG_KEYS = ("评分",)

SUFFIXES = (".xlsx", ".xlsm")
FOREIGN = {".xls": "旧版 Excel 97-2003 工作簿（.xls）", ".et": "WPS 表格文件（.et）", ".ods": "OpenDocument 表格（.ods）",
           ".numbers": "Numbers 表格", ".xlsb": "Excel 二进制工作簿（.xlsb）"}
