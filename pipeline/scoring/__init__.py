"""Scoring rules as data: rule sets (templates/rules/*.yaml), reading 定量 targets, and the scores.

  ruleset.py  the rule set model and its loader (every problem located)
  targets.py  `≥8000人次` -> (≥, 8000, 人次)
  score.py    预算执行, each indicator, the total and grade, by a rule set
"""
