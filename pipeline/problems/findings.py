"""What `annex verify` finds in an archive, and what storing a version met: registered once, by code.

Not problems of the data (those are pipeline/problems/catalogue.py's, located at a file and line):
each finding is said at a version ("2023/v003") and a path inside it. Every Chinese word a finding
can show is here, the phrases that fill the templates' fields too. tests/test_aborts.py checks
that each code is reported somewhere; tests/test_archive_tamper.py produces them.
"""

from __future__ import annotations

from pipeline.problems.catalogue import CATALOGUE, ProblemType
from pipeline.hints import annex_command

FINDINGS: dict[str, ProblemType] = {}


def finding(code: str, template: str) -> ProblemType:
    """Register what verify can find; a code registered twice (here or as a problem) is an error."""
    if code in FINDINGS or code in CATALOGUE:
        raise ValueError(f"code {code!r} registered twice")
    FINDINGS[code] = entry = ProblemType(code, "error", template)
    return entry


def finding_text(code: str, **fields: object) -> str:
    try:
        return FINDINGS[code].message(**fields)
    except KeyError:
        raise KeyError(f"finding {code!r} is not in the catalogue (pipeline/problems/catalogue.py)") from None


# archive-mode-changed {change}: a changed permission as the clerk sees it (can it be changed, opened)
MODE_CHANGE = {"writable": "被设成了可以改写（归档应是只读的，以防被改动）", "unreadable": "被设成了不能打开",
               "other": "的访问权限被改动"}
# {kind}: what stands where a file or folder of the archive should be
ENTRY_KIND = {"link": "链接", "folder": "文件夹", "file": "文件", "other": "不是普通文件的东西"}
# head-* {record}: which of the two head records
HEAD_RECORD = {"archive": "归档里的 {name}", "copy": "输出文件夹里的副本 {name}"}
# {named} / {recorded_by}: who recorded the link being followed down the chain
LINK_OWNER = {"head": "记录的最新版本", "below": "链上的上一版本", "manifest": "{version} 的清单",
              "manifest-link": "{version} 的清单记下的上一版本", "none": ""}


def link_owner(key: str, version: str = "") -> str:
    return LINK_OWNER[key].format(version=version)


def head_record(key: str, name: str) -> str:
    return HEAD_RECORD[key].format(name=name)


finding("archive-head-unreadable", "{record} 无法读取（{reason}）")
finding("archive-head-link", "{record} 被换成了链接（annex 只写普通文件）")
finding("archive-head-not-regular", "{record} 不是 annex 写的普通文件")
finding("archive-head-damaged", "{record} 无法读取（已损坏或被改写）")
finding("archive-head-wrong-year", "{record} 记录的是 {recorded} 年度，不是 {year} 年度")
finding("archive-head-missing", "记录最新版本的 {name} 不见了")
finding("archive-head-gone", "{record}（记录最新版本的文件）不见了")
finding("archive-head-disagree", "{record} 与{copy} 记录的最新版本不同（{names}）")
finding("archive-folder-gone", "这个年度的归档文件夹 {root} 不见了（记录的最新版本是 {version}）")
finding("archive-folder-replaced", "归档文件夹 {root} 被换成了{kind}")
finding("archive-folder-unreadable", "无法读取归档文件夹 {root}（{reason}）")
finding("archive-off-chain", "不在版本链上：annex 没有记录过这个版本（可能是被放进来、改名或互换的）")
finding("archive-mode-changed", "{change}；请查明是谁改的，核对内容后改回（权限应为 {want}，现为 {got}）")
finding("archive-version-mode-changed", "版本文件夹{change}；请查明是谁改的，核对内容后改回（权限应为 {want}，现为 {got}）")
finding("archive-leftover", "中断的构建留下的临时内容，下次运行 " + annex_command("build") + " 时清除")
finding("archive-version-replaced", "版本文件夹被换成了{kind}")
finding("archive-misnamed", "名称不是 annex 给的版本名（多余的{kind}，或被改名的版本）")
finding("archive-extra", "归档里多余的{kind}")
finding("archive-manifest-too-large", "清单 manifest.json 大得不像 annex 写的清单，未读取")
finding("archive-manifest-replaced", "清单 manifest.json 被换成了{kind}")
finding("archive-manifest-unreadable", "清单 manifest.json 无法读取（{reason}）")
finding("archive-manifest-missing", "清单 manifest.json 缺失或无法读取")
finding("archive-manifest-swapped", "文件夹 {folder} 里是 {version} 的清单（版本被改名或互换）")
finding("archive-manifest-wrong-year", "清单记的是 {recorded} 年度，不是 {year} 年度")
finding("archive-before-chain", "这些版本由旧版 annex 存入，没有版本链；下次运行 " + annex_command("build") + " 起，新版本会链接到最新的一个")
finding("archive-version-missing", "版本缺失：{named}是 {version}，它却不在了（被删除、改名，或换成了文件、链接）")
finding("archive-unverifiable", "它的清单哈希记在缺失或无法读取的版本里，无法核对")
finding("archive-manifest-hash", "清单与{recorded_by}记下的哈希不符（清单被改写，或版本被替换）")
finding("archive-chain-cut", "清单没有链接上一版本，但比它早的版本还在")
finding("archive-previous-invalid", "清单里的上一版本「{previous}」不合规")
finding("archive-entry-outside", "清单里的条目指向版本文件夹以外或不合规，未打开")
finding("archive-unreadable", "无法读取（{reason}）")
finding("archive-file-unreadable", "无法读取")
finding("archive-extra-folder", "清单里没有的多余文件夹")
finding("archive-became-link", "被换成了链接（归档里只应有普通文件和文件夹）")
finding("archive-extra-link", "清单里没有的多余链接")
finding("archive-folder-became-file", "文件夹被换成了文件")
finding("archive-extra-file", "清单里没有的多余文件")
finding("archive-not-regular", "不是普通文件（管道、设备等）")
finding("archive-content-changed", "内容与清单不符（已被改动）")
finding("archive-file-missing", "文件缺失")
finding("archive-folder-missing", "文件夹缺失（其中 {n} 个文件）")
finding("archive-unchecked", "其中 {n} 个文件未核对")

# What storing a version met (pipeline/archive/store.py): the version's notes, shown by the build.
# archive-note-head-lost {what}
HEAD_LOST = {"gone": "不见了", "differs": "的清单与记录的不符（被改写或替换）"}
finding("archive-note-head-lost", "记录的最新版本 {version} {what}；新版本不沿用它的文件，编号接在 {after} 之后")
finding("archive-note-head-missing", "记录最新版本的 head.json 不见了；新版本接在 {after} 之后")
finding("archive-note-not-reused",
        "{version} 里的 {names} 与它的清单不符（已被改动），新版本没有沿用，存的是本次的文件；运行 " + annex_command("verify") + " 查看")

# --- a link above the year's archive folder (issue 21.3, helper F): pipeline/files/links.py
finding("archive-root-linked", "归档文件夹 {link} 被换成了链接（指向 {target}）：归档不在输出文件夹里")
