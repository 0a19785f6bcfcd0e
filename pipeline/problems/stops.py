"""The messages that stop a run (`pipeline.errors.Abort`, raised with a code and its fields),
registered once, by code.

Not problems of the data (those are reported all together, located): one failure the user can act
on, said once with what to do. tests/test_aborts.py raises each.
"""

from __future__ import annotations

from pipeline.problems.catalogue import CATALOGUE, ProblemType
from pipeline.problems.findings import FINDINGS
from pipeline.hints import annex_command

STOPS: dict[str, ProblemType] = {}
# Commands named in the messages, as they run from the project folder (pipeline/hints.py).
BUILD, CHECK = annex_command("build"), annex_command("check")


def stop(code: str, template: str) -> ProblemType:
    """Register a message that stops a run; a code registered twice (anywhere here) is an error."""
    if code in STOPS or code in CATALOGUE or code in FINDINGS:
        raise ValueError(f"code {code!r} registered twice")
    STOPS[code] = entry = ProblemType(code, "error", template)
    return entry


def stop_text(code: str, **fields: object) -> str:
    try:
        return STOPS[code].message(**fields)
    except KeyError:
        raise KeyError(f"stop {code!r} is not in the catalogue (pipeline/problems/catalogue.py)") from None


# output-overlaps-data {how}: where the output folder lies
OVERLAP = {"same": "是同一个文件夹", "inside": "在数据文件夹里面", "contains": "包含数据文件夹"}
# lock-busy {who} and {waited}
LOCK_HOLDER = "（进程 {pid}）"
LOCK_WAITED = "，等待 {seconds:g} 秒后仍未结束"

# The lock (pipeline/files/lock.py)
stop("lock-busy", "另一次生成{who}正在写入 {subject}{waited}；请稍后再试（锁文件 {lock}）")
stop("lock-link", "锁文件 {lock} 是一个符号链接，不是 annex 创建的；annex 不经过链接写入。请删除这个链接后再运行")
stop("lock-not-regular", "锁文件 {lock} 不是普通文件；请删除它后再运行")
stop("lock-hard-link", "锁文件 {lock} 另有硬链接（与别的文件是同一个文件），annex 不写入它；请删除它后再运行")
# Where a build writes (pipeline/build/paths.py)
stop("output-overlaps-data", "输出文件夹 {out} 与数据文件夹 {data} 重叠（输出文件夹{how}）：生成和归档会改写甚至删除数据。"
     "未写入任何文件。请用 --out 指定数据文件夹以外的文件夹，例如 --out build")
stop("output-is-link", "{target} 是一个符号链接（指向 {points_to}），不是 annex 生成的文件夹；"
     "annex 会替换并删除这里的旧输出，因此不经过链接写入。请删除这个链接后再运行 " + BUILD)
stop("output-not-folder", "{target} 不是文件夹；annex 要在这里生成 {year} 年度的输出。请移走它后再运行 " + BUILD)
# A build (pipeline/build/run.py, errors.py)
stop("data-changed-during-check", "{year_dir} 里的文件在检查过程中被修改；请保存好后再运行一次 " + BUILD)
stop("nothing-to-build", "{year_dir} 里没有可生成的项目")
stop("check-failed", "数据有错误，未生成任何文件；请先改正上面的错误（" + CHECK + " 可再次检查）")
stop("render-failed", "{table}（{format}）：写入失败，{reason}")
stop("render-failed-kept", "生成失败：{message}\n{build_dir} 仍是上一次完整的输出，归档未改动。")
stop("archive-failed", "已生成 {build_dir}，但归档失败：{reason}{where}。{build_dir} 已更新，这次输出未归档；"
     "腾出空间（或改正问题）后再运行一次 " + BUILD + "，即会归档")
stop("data-changed-during-build", "已生成 {build_dir}，但 {year_dir} 里的文件在构建过程中被修改，本次输出未归档；"
     "请再运行一次 " + BUILD)
# The archive (pipeline/archive/store.py, verify.py)
stop("archive-root-not-folder", "{root} 应是 annex 建立的归档文件夹，现在却是链接或文件；本次输出未归档。"
     "请把它恢复为文件夹（或移走它）后再运行 " + BUILD)
stop("archive-record-is-folder", "{path} 应是 annex 写的记录文件，现在却是文件夹；本次输出未归档。请移走它后再运行 " + BUILD)
stop("archive-data-link", "已生成 {build_dir}，但数据文件夹里的 {link} 是链接（指向 {points_to}）："
     "annex 不把链接或它指向的文件存进归档，本次输出未归档。请把这个链接换成文件或文件夹本身（或删掉它），再运行 " + BUILD)
stop("archive-folder-unlistable", "无法读取 {folder}（{reason}）")
# Finding the year (pipeline/input/folders.py)
stop("no-data-folder-here", "当前文件夹（{cwd}）里没有 {data} 文件夹；请先进入项目文件夹（含 data 文件夹的那个）"
     "再运行，或用 --data 指明数据文件夹在哪里，例如 --data /home/用户名/绩效自评/data")
stop("no-data-folder", "找不到数据文件夹 {data}；请检查 --data 后面的路径")
stop("no-year-folder", "{data} 里没有年度文件夹（如 {data}/2023）")
stop("year-folder-missing", "找不到 {year_dir}；现有年度：{have}")
# annex convert (pipeline/write/convert.py)
stop("convert-target", "目前只能转为 {supported}（不是「{target}」）")
stop("convert-already", "{path} 已经是 表样: {target}，不需要转换")
stop("convert-source", "只能把表样 {source} 的数据转为 {supported}；{path} 的表样是 {variant}")
stop("convert-csv-scores", "{csv} 里的指标在 {target} 表样下还需要「分值」「得分」两列，"
     "转换不改写 CSV；请先把这些指标写进各项目的 YAML 文件（或改用工作簿），再运行转换")
stop("convert-link", "{path} 是一个符号链接；转换不通过符号链接改写数据，请换成真实的文件或文件夹")
stop("convert-unreadable", "无法读取 {path}；请先运行 " + CHECK + " 查看原因")
stop("convert-not-utf8", "{path} 不是 UTF-8 编码；请用 WPS 或文本编辑器另存为 UTF-8 后再转换")
stop("convert-broken", "{path} 有格式错误，无法转换；请先运行 " + CHECK + " 查看并改正")
stop("convert-too-many-backups", "{folder} 里已有太多 {name} 文件夹；请先清理")
stop("convert-not-regular", "{path} 是符号链接或不是普通文件；转换不会写入它")
# annex new-year (pipeline/write/new_year.py)
FOR_EXAMPLE = "（例如 {file}：{message}）"  # new-year-source-errors {example}: the first error
stop("new-year-exists", "{year_dir} 已经存在；开新年度不会改动已有的年度")
stop("new-year-no-source", "{data} 里没有 {year} 年以前的年度可以作为起点；请用 --from 指定")
stop("new-year-source-missing", "找不到 {year_dir}；请用 --from 指定一个已有的年度")
stop("new-year-source-errors", "{year} 年的数据有 {count} 个错误{example}；请先用 " + CHECK + " --year {year} 查看并改正，再开始新年度")
# Options the commands cannot use (pipeline/cli/)
stop("schema-which", "只能是 {first} 或 {second}")
stop("export-no-year", "{data} 里没有年度文件夹；新的年度请用 --year 指定，例如 --year 2024")
stop("problems-style", "--problems 只能是 {allowed}，不是「{name}」")


# --- files, build and archive, import (issues 21/22, helper F): places reached through links, OS errors
# link-on-the-way {doing}: what annex was about to do below the link
LINK_DOING = {"archive": "写入归档", "workbook": "写入工作簿"}
stop("link-on-the-way", "{link} 是一个符号链接（指向 {target}），不是文件夹；annex 不经过链接{doing}，以免写到 {base} "
     "以外。未写入任何文件。请删除这个链接（或换成真正的文件夹）后再运行")
# path-error* {reason}: the system's reason (OS_REASONS); {option}: the option whose path it is
stop("path-error-option", "{option} 给出的路径 {path}：{reason}。请检查路径后再运行")
stop("path-error", "路径 {path}：{reason}")
# pipeline/files/oserrors.py: the system's reasons, by errno name
OS_REASONS = {
    "ENOENT": "不存在（或路径中的某个文件夹不存在）",
    "ENAMETOOLONG": "名字太长：一个文件夹或文件的名字最多 255 字节（约 85 个汉字），整个路径最多 4096 字节",
    "EACCES": "没有权限读写这里",
    "EPERM": "系统不允许在这里这样操作",
    "EROFS": "在只读的磁盘或文件系统上，不能写入",
    "ENOSPC": "磁盘空间已满",
    "EDQUOT": "超出了磁盘配额",
    "ENOTDIR": "路径中有一段是文件而不是文件夹",
    "EISDIR": "是一个文件夹，这里需要的是文件",
    "ELOOP": "经过的符号链接太多（可能是互相指向的链接）",
    "EEXIST": "已经存在",
    "ENOTEMPTY": "文件夹不是空的",
    "EXDEV": "与目标不在同一个磁盘上，无法直接移动",
    "EBUSY": "正被别的程序占用",
    "ETXTBSY": "正被别的程序占用",
    "EIO": "读写出错（磁盘或网络存储故障）",
    "EINVAL": "不能这样使用（例如 /proc 之类的系统文件夹）",
    "EMFILE": "同时打开的文件太多",
    "ENFILE": "系统同时打开的文件太多",
    "ENXIO": "不是可以读写的普通文件或文件夹",
    "ENODEV": "不是可以读写的普通文件或文件夹",
    "EOPNOTSUPP": "所在的文件系统不支持这个操作",
    "EFBIG": "文件太大",
    "EAGAIN": "暂时无法读写（被占用），请稍后再试",
}


# --- the commands' own checks (issue 20, helper V): options and arguments a command cannot use
# annex build (pipeline/cli/commands/build.py)
stop("build-format", "不支持的格式「{unknown}」；可用：{formats}")
stop("build-jobs-too-few", "--jobs 至少为 1")
stop("build-jobs-too-many", "--jobs 最多为 {most}（CPU 核数的 2 倍）：更多的进程只多占内存（每个约 100 MB），不会更快")
stop("note-empty", '--note 后面要写备注的内容，例如 --note "报送财政局"')
stop("note-not-archived", "--note 记在归档版本里；{option} 不归档，不能同时使用")
stop("note-unsavable", "--note 里有无法保存的字符（不是 UTF-8 的字节或控制字符）；请只写文字，例如 --note \"报送财政局\"；"
     "终端不是 UTF-8 编码时请先改成 UTF-8")
stop("note-some-formats", "--note 记在归档版本里，而只生成部分格式（--format）时不归档；请去掉 --format")
# annex diff (pipeline/cli/commands/diff.py)
stop("diff-one-version", "{year} 年度只有一个可读的归档版本，没有可比较的；改了数据再运行 {command} 即有第二个版本")
stop("diff-no-version", "没有版本「{text}」；现有版本：{have}（可写作 v1、1 或 v001）")
stop("diff-manifest-unreadable", "{version} 的清单无法读取；运行 {command} 查看")
stop("diff-archived-errors", "{version} 存档的数据在当前版本的 annex 下有 {count} 个错误，无法比较；可运行 {command} 查看")
# annex import (pipeline/cli/commands/import_.py)
stop("import-file-missing", "找不到文件 {path}")
stop("import-no-documents", "没有要导入的 .docx 文件")
stop("import-nothing-read", "没有导入任何数据：没有可识别的自评表")
stop("import-no-year", "没有导入任何数据：不知道是哪个年度（用 --year 指定）")
# annex verify (pipeline/cli/commands/verify.py)
stop("verify-year-not-archived", "{year} 年度还没有归档版本")
stop("verify-damaged", "归档有 {count} 处问题")
stop("verify-head-form", "--head 应是 verify 打印的核对码（由 0–9 和 a–f 组成的 64 个字符，至少写前 12 个）")
# the archive's versions, for history and diff (pipeline/cli/locate.py)
stop("archive-empty", "{root} 里还没有归档版本；先运行 " + BUILD)
stop("year-not-archived", "{year} 年度还没有归档版本（有归档的年度：{have}）")
stop("year-not-archived-none", "{year} 年度还没有归档版本（有归档的年度：无）")
# annex check --mark (pipeline/cli/commands/check.py)
stop("mark-no-workbook", "{year_dir} 里没有 .xlsx 工作簿，--mark 无可标注")
stop("mark-many-workbooks", "{year_dir} 里有 {count} 个工作簿；--mark 只标注一个，请只留一个")
stop("mark-not-xlsx", "--mark 的文件应以 .xlsx 结尾，不是「{name}」")
stop("mark-in-data", "--mark 的文件不能写在年度文件夹 {year_dir} 里，也不能是链接；请换个位置")
# annex user, annex serve (pipeline/cli/commands/user.py, serve.py)
stop("user-passwords-differ", "两次输入的密码不一致")
stop("user-action", "不认识「{action}」；可用：{actions}")
stop("user-name-needed", "annex user {action} 需要用户名")
stop("user-workspace-needed", "annex user add 需要 --workspace 工作区名")
stop("user-exists", "用户「{name}」已存在；改密码用 annex user passwd {name}")
stop("user-missing", "没有用户「{name}」")
stop("serve-cert-and-key", "--cert 和 --key 要一起给出")
# the browser's door (pipeline/serve/auth.py, pages_data.py, uploads.py)
stop("account-name", "用户名「{name}」不可用：只能用汉字、字母、数字和 - _ . @，最多 32 个字符")
stop("account-workspace", "工作区名「{name}」不可用：只能用汉字、字母、数字和 - _，最多 64 个字符")
stop("account-password-short", "密码太短：至少 {least} 个字符")
stop("form-year", "年度应是四位数字，例如 2024")
stop("form-no-file", "没有选择文件")
stop("form-busy-upload", "正在生成，请等生成结束后再上传")
stop("form-busy-import", "正在生成，请等生成结束后再导入")
stop("form-import-nothing", "这个 Word 文件里没有可识别的自评表，没有导入任何数据")
stop("form-import-has-data", "{year} 年度已有数据；要用这个 Word 文件的内容替换同名文件，请勾选「替换」后再确认导入")
stop("form-year-exists", "{year} 年度已经存在；开始新年度不会改动已有的年度")
stop("form-year-no-source", "没有 {year} 年以前的年度可以作为起点；请先上传工作簿或导入 Word 文件")
stop("upload-too-large", "文件太大：上限 {mb} MB")
stop("upload-empty", "没有选择文件，或文件是空的")
stop("upload-unpacks-too-large", "文件解压后过大，不是正常的工作簿或 Word 文件")
stop("upload-not-zip", "这不是 .xlsx 工作簿或 .docx 文件（旧版 .xls / .doc 请在 WPS 或 Excel、Word 中另存为 .xlsx / .docx）")
stop("upload-wrong-parts", "这不是 .xlsx 工作簿或 .docx 文件（内容不对）")
stop("upload-folder-link", "{folder} 是符号链接；annex 不通过链接写数据，请管理员检查工作区")
stop("upload-target-not-regular", "data/{year}/{name} 不是普通文件；请管理员检查工作区")
# the data writers (pipeline/write/data_folder.py, workbook.py, marked.py)
stop("year-folder-unsafe", "{year_dir} 是符号链接或不是文件夹；annex 不会写入它，请先移走")
# year-has-data {what}: what the year folder holds; {shown}: its first entries (SHOWN_MORE when more)
YEAR_HOLDS = {"projects": "{count} 个项目文件", "data": "数据"}
SHOWN_MORE = "{first} 等 {count} 项"
stop("year-has-data", "{where} 里已经有 {what}（{shown}）；再导入会多出一套项目，未写入任何文件。"
     "要用这些 Word 表替换这个年度的全部数据：加 --replace（原有的 {where}/ 整个移到 "
     "{where}{aside}<时间>/ 保留，不删除）；只想看看读出的数据：--data 指定一个新的空文件夹。")
stop("export-data-errors", "{year_dir} 的数据有 {count} 个错误；请先运行 {command} 查看并修正，再导出")
stop("export-exists", "{out} 已存在；要覆盖请加 --force，或用 --out 指定别的文件名")
stop("export-not-xlsx", "{out}：导出的工作簿应以 .xlsx 结尾")
stop("mark-unopenable", "{display} 无法作为工作簿打开（{error}），没有可标注的单元格")
stop("mark-too-large", "{display} 太大，不标注")
stop("mark-unpacks-too-large", "{display} 解压后太大，不标注")


# --- the PDF's fonts (issue 20, helper V): pipeline/render/pdf/fonts.py FontError's words, by part
FONT_WORDS = {
    "head": "无法生成 PDF：字体问题（字体在 {css} 中指定）",
    "undefined": "  - form.css 未定义字体：{roles}",
    "role": "--font-{role}",
    "missing": "  - 未安装字体「{family}」",
    "char": "「{char}」（{key}，编码 U+{codepoint:04X}）",
    "more": " 等共 {count} 个字符",
    "uncovered": "  - 字体「{families}」里没有这些字：{listed}{more}",
    "install": "安装方法：sudo apt-get install fonts-noto-cjk fonts-dejavu-core（或在项目目录运行 make fonts）",
    "change": "请把这些字改成常用字（或拼音、文字说明）；确实要印这些字，请信息中心安装有这些字的字体，并在表样的 form.css 里改用它。",
}
