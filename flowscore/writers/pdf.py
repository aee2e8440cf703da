"""PDF copies of the Word outputs, made by LibreOffice when it is installed.

The office prints and hands on what flowscore writes; a PDF prints the same on every PC,
whatever fonts it has. LibreOffice is an optional helper, so nothing here may break a run:
every failure (not installed, a timeout, a file it could not convert) comes back as a
Chinese reason in ``PdfOutcome.problem``, never as an exception or a traceback.

How LibreOffice is run, and why:

- all files in one ``soffice --headless --convert-to pdf`` call (its start-up takes seconds),
  in chunks of ``CHUNK`` files so a command line and a timeout stay bounded;
- with a private profile (``-env:UserInstallation``) in a temporary folder, so it neither
  waits for nor disturbs a LibreOffice the clerk has open, and leaves nothing behind;
- on copies of the inputs under plain ASCII names in that folder: the inputs are never
  opened in place (LibreOffice puts lock files beside what it opens) and a unit's Chinese
  name cannot meet a file-system encoding problem;
- with a time limit that grows with the number of files; at the limit the whole process
  group it started is ended;
- on Linux, with a private fontconfig file that maps the Chinese font names the documents
  ask for (仿宋_GB2312, 方正小标宋简体, 黑体, …) to installed CJK fonts of the same kind (a
  serif for 宋/仿宋/楷, a sans for 黑体), so that a PC without them prints a 仿宋 body in a
  Song-style face rather than whatever fontconfig's first guess is.

Each PDF is moved into place only once it is complete (``os.replace``).
"""

from __future__ import annotations

import errno
import os
import shutil
import signal
import subprocess
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from flowscore.rubric.document import DEFAULT_STYLE, DocumentStyle

CHUNK = 200  # files per soffice call
BASE_TIMEOUT = 90.0  # seconds for one call's start-up (a fresh profile is made each time)
PER_FILE_TIMEOUT = 10.0  # seconds per file on top

_CANDIDATES = (
    "soffice",
    "libreoffice",
    "/usr/bin/soffice",
    "/usr/lib/libreoffice/program/soffice",
    "/opt/libreoffice/program/soffice",
    "/Applications/LibreOffice.app/Contents/MacOS/soffice",
    r"C:\Program Files\LibreOffice\program\soffice.exe",
    r"C:\Program Files (x86)\LibreOffice\program\soffice.exe",
)
_SYSTEM_FONTCONFIG = Path("/etc/fonts/fonts.conf")
_SERIF = ("Noto Serif CJK SC", "Source Han Serif SC", "AR PL UMing CN", "serif")
_SANS = ("Noto Sans CJK SC", "Source Han Sans SC", "WenQuanYi Zen Hei", "sans-serif")
_LATIN_SERIF = ("Liberation Serif", "Tinos", "Noto Serif", "DejaVu Serif", "serif")


@dataclass(frozen=True, kw_only=True, slots=True)
class PdfOutcome:
    """What a conversion did: the PDFs written (final paths, in the order asked) and, when
    something went wrong, why (Chinese, one sentence; empty when every file was converted)."""

    written: tuple[Path, ...] = ()
    problem: str = ""

    @property
    def ok(self) -> bool:
        return not self.problem


def find_soffice() -> str | None:
    """The LibreOffice program to run, or None."""
    for name in _CANDIDATES:
        found = shutil.which(name) if os.sep not in name and "\\" not in name else None
        if found:
            return found
        if (os.sep in name or "\\" in name) and os.path.isfile(name) and os.access(name, os.X_OK):
            return name
    return None


def libreoffice_available() -> bool:
    return find_soffice() is not None


def timeout_for(files: int) -> float:
    """Seconds one soffice call may take for ``files`` files."""
    return BASE_TIMEOUT + PER_FILE_TIMEOUT * files


_ERRNO_REASONS = {
    errno.ENOENT: "文件或文件夹不存在",
    errno.EACCES: "没有访问权限",
    errno.EPERM: "没有访问权限",
    errno.ENOSPC: "磁盘空间不足",
    errno.EROFS: "磁盘只读",
    errno.ENAMETOOLONG: "文件名过长",
}


def os_reason(exc: OSError) -> str:
    """An operating-system error in Chinese (its own text is in the system's language)."""
    return _ERRNO_REASONS.get(exc.errno or 0, f"系统错误 {exc.errno}" if exc.errno else "系统错误")


def _xml(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def fontconfig_text(style: DocumentStyle) -> str:
    """A fontconfig file: the system's configuration, then each of ``style``'s font names
    preferring installed fonts of its kind (missing preferences are skipped by fontconfig)."""
    serif = {*style.title_fonts, *style.body_fonts, *style.subheading_fonts, *style.footer_fonts}
    sans = set(style.heading_fonts) - serif
    aliases = []
    for names, prefer in ((sorted(serif), _SERIF), (sorted(sans), _SANS)):
        for name in names:
            families = "".join(f"<family>{_xml(p)}</family>" for p in prefer)
            aliases.append(
                f'<alias binding="same"><family>{_xml(name)}</family>'
                f"<prefer>{families}</prefer></alias>"
            )
    latin = "".join(f"<family>{_xml(p)}</family>" for p in _LATIN_SERIF)
    aliases.append(
        f'<alias binding="same"><family>{_xml(style.latin_font)}</family>'
        f"<prefer>{latin}</prefer></alias>"
    )
    return (
        '<?xml version="1.0"?>\n<!DOCTYPE fontconfig SYSTEM "fonts.dtd">\n<fontconfig>\n'
        f'<include ignore_missing="yes">{_SYSTEM_FONTCONFIG}</include>\n'
        + "\n".join(aliases)
        + "\n</fontconfig>\n"
    )


def _environment(work: Path, style: DocumentStyle) -> dict[str, str]:
    env = dict(os.environ)
    # The venv's Python must not leak into LibreOffice's own (it embeds one).
    for var in ("PYTHONHOME", "PYTHONPATH"):
        env.pop(var, None)
    if "FONTCONFIG_FILE" not in env and _SYSTEM_FONTCONFIG.is_file():
        conf = work / "fonts.conf"
        conf.write_text(fontconfig_text(style), encoding="utf-8")
        env["FONTCONFIG_FILE"] = str(conf)
    return env


def _end_group(proc: subprocess.Popen[bytes]) -> None:
    """End the process group this module started (soffice starts a child of its own)."""
    try:
        if os.name == "posix":
            os.killpg(proc.pid, signal.SIGKILL)
        else:
            proc.kill()
    except OSError:
        pass
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        pass


def _run(program: str, args: list[str], *, env: dict[str, str], timeout: float) -> str:
    """Run soffice; a Chinese reason when it did not finish well, else ''."""
    try:
        proc = subprocess.Popen(
            [program, *args],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            env=env,
            # its own process group, ended whole on a timeout (POSIX; ignored elsewhere)
            start_new_session=os.name == "posix",
        )
    except OSError as exc:
        return f"无法启动 LibreOffice（{os_reason(exc)}）"
    try:
        code = proc.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        _end_group(proc)
        return f"LibreOffice 转换超过 {timeout:.0f} 秒仍未完成，已停止"
    if code != 0:
        return f"LibreOffice 转换失败（退出码 {code}）"
    return ""


def _is_pdf(path: Path) -> bool:
    try:
        with path.open("rb") as f:
            return f.read(5) == b"%PDF-"
    except OSError:
        return False


def _convert_chunk(
    program: str,
    jobs: Sequence[tuple[Path, Path]],
    *,
    style: DocumentStyle,
    timeout: float | None,
) -> tuple[list[Path], list[Path], str]:
    """Convert one chunk: (written targets, sources not converted, reason)."""
    with tempfile.TemporaryDirectory(prefix="flowscore-pdf-") as tmp:
        work = Path(tmp)
        inputs, outputs = work / "in", work / "out"
        inputs.mkdir()
        outputs.mkdir()
        names = []
        try:
            for i, (source, _target) in enumerate(jobs):
                name = f"f{i:05d}{source.suffix.lower()}"
                shutil.copyfile(source, inputs / name)
                names.append(name)
        except OSError as exc:
            return [], [s for s, _ in jobs], f"无法读取要转换的文件（{os_reason(exc)}）"
        args = [
            f"-env:UserInstallation={(work / 'profile').as_uri()}",
            "--headless",
            "--norestore",
            "--nolockcheck",
            "--convert-to",
            "pdf",
            "--outdir",
            str(outputs),
            *(str(inputs / n) for n in names),
        ]
        limit = timeout if timeout is not None else timeout_for(len(jobs))
        reason = _run(program, args, env=_environment(work, style), timeout=limit)
        written, failed = [], []
        for name, (source, target) in zip(names, jobs, strict=True):
            pdf = outputs / (Path(name).stem + ".pdf")
            if not _is_pdf(pdf):
                failed.append(source)
                continue
            try:
                _move_into_place(pdf, target)
            except OSError as exc:
                failed.append(source)
                reason = reason or f"无法写出 {target.name}（{os_reason(exc)}）"
                continue
            written.append(target)
        return written, failed, reason


def _move_into_place(pdf: Path, target: Path) -> None:
    """Copy beside ``target`` under a temporary name, then rename: never a half-written PDF."""
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        shutil.copyfile(pdf, tmp)
        os.chmod(tmp, 0o644)
        os.replace(tmp, target)
    finally:
        if tmp.exists():
            tmp.unlink()


def _failure(reason: str, failed: Sequence[Path]) -> str:
    shown = "、".join(p.name for p in failed[:3]) + ("等" if len(failed) > 3 else "")
    what = f"{shown}共 {len(failed)} 个文件未能转换为 PDF"
    return f"{what}：{reason}" if reason else what


def convert_to_pdf(
    jobs: Sequence[tuple[Path, Path]],
    *,
    style: DocumentStyle = DEFAULT_STYLE,
    timeout: float | None = None,
) -> PdfOutcome:
    """Convert each (document, pdf target) pair; the targets written and, when any was not,
    why. ``timeout`` overrides ``timeout_for`` per soffice call. Never raises for a failed
    conversion."""
    try:
        return _convert_all([(Path(s), Path(t)) for s, t in jobs], style=style, timeout=timeout)
    except Exception:  # a PDF is an extra: whatever went wrong is reported, not raised
        return PdfOutcome(problem="生成 PDF 时发生意外错误，没有生成 PDF")


def _convert_all(
    jobs: list[tuple[Path, Path]], *, style: DocumentStyle, timeout: float | None
) -> PdfOutcome:
    if not jobs:
        return PdfOutcome()
    program = find_soffice()
    if program is None:
        return PdfOutcome(problem="未安装 LibreOffice，没有生成 PDF")
    written: list[Path] = []
    failed: list[Path] = []
    reasons: list[str] = []
    for start in range(0, len(jobs), CHUNK):
        try:
            done, missed, reason = _convert_chunk(
                program, jobs[start : start + CHUNK], style=style, timeout=timeout
            )
        except OSError as exc:  # the temporary folder itself could not be made
            done, missed = [], [s for s, _ in jobs[start : start + CHUNK]]
            reason = f"无法准备临时文件夹（{os_reason(exc)}）"
        written += done
        failed += missed
        if reason and reason not in reasons:
            reasons.append(reason)
    if failed:
        return PdfOutcome(written=tuple(written), problem=_failure("；".join(reasons), failed))
    return PdfOutcome(written=tuple(written))


def pdfs_beside(
    documents: Sequence[Path], *, style: DocumentStyle = DEFAULT_STYLE, timeout: float | None = None
) -> PdfOutcome:
    """Convert each document to a PDF of the same name in the same folder."""
    return convert_to_pdf(
        [(Path(d), Path(d).with_suffix(".pdf")) for d in documents], style=style, timeout=timeout
    )
