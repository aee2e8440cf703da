"""Fill cells of a workbook in a real LibreOffice Calc, as a person would, and save it as xlsx.

Run with Debian's Python (the only one that can ``import uno``)::

    /usr/bin/python3 tests/libreoffice_fill.py IN.xlsx OUT.xlsx '{"D5": "3", "E8": "12"}'

JSON_CELLS maps cell addresses on the first sheet to the text to type. The script starts its own
headless soffice (own profile, own pipe), loads IN hidden, and for each cell selects it
(``.uno:GoToCell``) and types the text with ``.uno:EnterString`` -- the dispatch the input line
uses when a person presses Enter, so LibreOffice parses the text itself (numbers, dates, ``=``
formulas) -- never a direct API write. Then it recalculates, stores OUT with the filter
``Calc MS Excel 2007 XML``, closes the document and ends soffice.

``--try-locked E5,E13`` reports, under ``locked``, whether Calc holds each of these cells
protected (``is_locked``), and types ``99`` into the first of them, reporting what it holds
afterwards (``protected`` says whether Calc sees the sheet protected). Only the first is typed
into: headless Calc 7.4 crashes on the second refused entry of a session. A locked cell that
took the text is no failure here: the caller judges. (Headless, Calc does not apply data
validation to typed text, so only protection is tested by typing.)

On success it prints one JSON object to stdout: per cell what was typed and what Calc made of
it (``type`` VALUE/TEXT/FORMULA/EMPTY, ``value``, ``string``), plus timings. On failure it
prints a message to stderr and exits non-zero. A watchdog kills soffice and exits after
``--timeout`` seconds (default 60) whatever happens, so no run hangs or leaves soffice behind.

Exit codes: 0 ok, 2 usage, 3 timeout, 4 LibreOffice failure, 5 a typed cell did not take.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path
from xml.sax.saxutils import escape

FILTER_XLSX = "Calc MS Excel 2007 XML"
CELL_RE = re.compile(r"^\$?([A-Za-z]{1,3})\$?([1-9][0-9]{0,6})$")

EXIT_USAGE, EXIT_TIMEOUT, EXIT_OFFICE, EXIT_NOT_TAKEN = 2, 3, 4, 5


class FillError(Exception):
    def __init__(self, message: str, code: int = EXIT_OFFICE) -> None:
        super().__init__(message)
        self.code = code


def find_soffice() -> str:
    for cand in (
        shutil.which("soffice"),
        "/usr/bin/soffice",
        "/usr/lib/libreoffice/program/soffice",
    ):
        if cand and os.path.exists(cand):
            return cand
    raise FillError("找不到 soffice（LibreOffice 未安装）")


class Office:
    """One headless soffice with its own profile, listening on its own pipe."""

    def __init__(self, soffice: str, locale: str = "zh-CN") -> None:
        self.soffice = soffice
        self.locale = locale
        self.workdir = Path(tempfile.mkdtemp(prefix="flowscore-lo-"))
        self.profile = self.workdir / "profile"
        self.pipe = f"flowscore_lo_{os.getpid()}_{uuid.uuid4().hex[:8]}"
        self.proc: subprocess.Popen[bytes] | None = None
        self.log = self.workdir / "soffice.log"
        self._lock = threading.Lock()

    def start(self) -> None:
        args = [
            self.soffice,
            f"-env:UserInstallation={self.profile.as_uri()}",
            "--headless",
            "--invisible",
            "--nologo",
            "--nodefault",
            "--norestore",
            "--nolockcheck",
            "--nofirststartwizard",
            f"--accept=pipe,name={self.pipe};urp;StarOffice.ComponentContext",
        ]
        env = dict(os.environ)
        env.pop("PYTHONHOME", None)
        env.pop("PYTHONPATH", None)
        env["SAL_USE_VCLPLUGIN"] = "svp"
        # Its temp files (/tmp/lu*.tmp) then go with the work dir, even after a kill.
        tmp = self.workdir / "tmp"
        tmp.mkdir()
        env["TMPDIR"] = str(tmp)
        self._write_settings()
        with open(self.log, "wb") as log:
            # Own session = own process group: the soffice wrapper, oosplash and soffice.bin
            # can all be ended together with one killpg.
            self.proc = subprocess.Popen(
                args,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                env=env,
                start_new_session=True,
            )

    def _write_settings(self) -> None:
        """Seed the new profile with the locale setting (Tools > Options > Language Settings >
        Locale setting). Calc parses typed text by it ("35.5" is text under de-DE) and would
        otherwise take it from LANG/LC_ALL. Not set through LC_ALL: a locale glibc lacks turns
        LibreOffice's file-name encoding to ASCII, and saving to a Chinese name then fails."""
        user = self.profile / "user"
        user.mkdir(parents=True)
        items = []
        if self.locale:
            items.append(
                '<item oor:path="/org.openoffice.Setup/L10N">'
                '<prop oor:name="ooSetupSystemLocale" oor:op="fuse">'
                f"<value>{escape(self.locale)}</value></prop></item>"
            )
        (user / "registrymodifications.xcu").write_text(
            '<?xml version="1.0" encoding="UTF-8"?>\n'
            '<oor:items xmlns:oor="http://openoffice.org/2001/registry" '
            'xmlns:xs="http://www.w3.org/2001/XMLSchema" '
            'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">\n'
            + "\n".join(items)
            + "\n</oor:items>\n",
            encoding="utf-8",
        )

    def connect(self, deadline: float):
        import uno
        from com.sun.star.connection import NoConnectException

        local = uno.getComponentContext()
        resolver = local.ServiceManager.createInstanceWithContext(
            "com.sun.star.bridge.UnoUrlResolver", local
        )
        url = f"uno:pipe,name={self.pipe};urp;StarOffice.ComponentContext"
        last = ""
        while time.monotonic() < deadline:
            if self.proc is not None and self.proc.poll() is not None:
                raise FillError(
                    f"soffice 启动后立即退出（退出码 {self.proc.returncode}）：{self.log_tail()}"
                )
            try:
                return resolver.resolve(url)
            except NoConnectException as exc:
                last = str(exc.Message)
                time.sleep(0.1)
        raise FillError(f"等待 soffice 连接超时：{last}", EXIT_TIMEOUT)

    def log_tail(self) -> str:
        try:
            return self.log.read_text(errors="replace")[-800:].strip() or "（无输出）"
        except OSError:
            return "（无输出）"

    def kill(self, grace: float = 5.0) -> None:
        """End soffice and everything it started; then remove the work dir. Idempotent."""
        with self._lock:
            proc = self.proc
            if proc is not None:
                try:
                    proc.wait(timeout=grace)
                except subprocess.TimeoutExpired:
                    pass
                for sig in (signal.SIGTERM, signal.SIGKILL):
                    try:
                        os.killpg(proc.pid, sig)  # the group may outlive the wrapper
                    except ProcessLookupError:
                        break
                    try:
                        proc.wait(timeout=3)
                    except subprocess.TimeoutExpired:
                        continue
                    if not _group_alive(proc.pid):
                        break
                    time.sleep(0.2)
                self.proc = None
            shutil.rmtree(self.workdir, ignore_errors=True)
            self._remove_pipe_files()

    def _remove_pipe_files(self) -> None:
        """A killed soffice leaves its pipe sockets in /tmp (a clean exit removes them): the
        accept pipe, and SingleOfficeIPC_<md5 of the profile URL as UTF-16, hex unpadded>."""
        digest = hashlib.md5(self.profile.as_uri().encode("utf-16-le")).digest()
        ipc = "SingleOfficeIPC_" + "".join(format(b, "x") for b in digest)
        for name in (self.pipe, ipc):
            for folder in ("/tmp", "/var/tmp"):
                try:
                    os.unlink(os.path.join(folder, f"OSL_PIPE_{os.getuid()}_{name}"))
                except OSError:
                    pass


def _group_alive(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def prop(name: str, value):
    from com.sun.star.beans import PropertyValue

    p = PropertyValue()
    p.Name = name
    p.Value = value
    return p


def fill(
    in_path: Path,
    out_path: Path,
    cells: dict[str, str],
    office: Office,
    deadline: float,
    locked: tuple[str, ...] = (),
) -> dict:
    timings: dict[str, float] = {}
    t0 = time.monotonic()
    office.start()
    ctx = office.connect(deadline)
    timings["start_connect_s"] = round(time.monotonic() - t0, 3)
    desktop = ctx.ServiceManager.createInstanceWithContext("com.sun.star.frame.Desktop", ctx)
    try:
        return _fill_document(ctx, desktop, in_path, out_path, cells, office, timings, locked)
    finally:
        try:
            desktop.terminate()
        except Exception:
            pass  # the bridge goes away with the office: DisposedException is the normal end


def _type(dispatcher, frame, controller, sheet, target: str, text: str):
    """Select ``target`` and type ``text`` as a person does; the cell afterwards."""
    dispatcher.executeDispatch(frame, ".uno:GoToCell", "", 0, (prop("ToPoint", target),))
    sel = controller.getSelection()
    at = None
    if hasattr(sel, "getCellAddress"):
        a = sel.getCellAddress()
        at = (a.Sheet, a.Column, a.Row)
    elif hasattr(sel, "getRangeAddress"):  # a merged cell is selected whole
        r = sel.getRangeAddress()
        at = (r.Sheet, r.StartColumn, r.StartRow)
    cell = sheet.getCellRangeByName(target)
    want = cell.getCellAddress()
    if at != (want.Sheet, want.Column, want.Row):
        raise FillError(f"无法选中单元格 {target}")
    # What the input line does when a person types and presses Enter.
    dispatcher.executeDispatch(frame, ".uno:EnterString", "", 0, (prop("StringName", text),))
    return cell


def _state(cell, typed: str) -> dict:
    return {
        "typed": typed,
        "type": cell.getType().value,  # CellContentType: EMPTY / VALUE / TEXT / FORMULA
        "value": cell.getValue(),
        "string": cell.getString(),
        "formula": cell.getFormula(),
    }


def _fill_document(ctx, desktop, in_path, out_path, cells, office, timings, locked=()) -> dict:
    import uno

    dispatcher = ctx.ServiceManager.createInstanceWithContext(
        "com.sun.star.frame.DispatchHelper", ctx
    )
    # Open a private copy under an ASCII name: Calc writes a lock file (.~lock.NAME#) beside the
    # document, and one left by a killed run makes every later hidden load of that file fail
    # (returns None); and see the note on file names where the output is stored.
    work_in = office.workdir / ("input" + in_path.suffix.lower())
    shutil.copyfile(in_path, work_in)
    t1 = time.monotonic()
    doc = desktop.loadComponentFromURL(
        uno.systemPathToFileUrl(str(work_in)),
        "_blank",
        0,
        (prop("Hidden", True), prop("ReadOnly", False)),
    )
    if doc is None or not doc.supportsService("com.sun.star.sheet.SpreadsheetDocument"):
        if doc is not None:
            doc.close(True)
        raise FillError(f"LibreOffice 未能把 {in_path.name} 作为电子表格打开")
    timings["load_s"] = round(time.monotonic() - t1, 3)

    report: dict = {"cells": {}, "sheet": "", "locale": office.locale, "timings": timings}
    try:
        controller = doc.getCurrentController()
        frame = controller.getFrame()
        sheet = doc.getSheets().getByIndex(0)
        controller.setActiveSheet(sheet)  # GoToCell addresses the active sheet
        report["sheet"] = sheet.getName()

        t2 = time.monotonic()
        not_taken: list[str] = []
        for addr, text in cells.items():
            target = addr.replace("$", "").upper()
            cell = _type(dispatcher, frame, controller, sheet, target, text)
            report["cells"][target] = _state(cell, text)
            if text.strip() and report["cells"][target]["type"] == "EMPTY":
                not_taken.append(target)
        report["protected"] = bool(sheet.isProtected())
        report["locked"] = {}
        for i, addr in enumerate(locked):
            target = addr.replace("$", "").upper()
            cell = sheet.getCellRangeByName(target)
            if i == 0:  # the second refusal of a session crashes headless Calc (7.4)
                cell = _type(dispatcher, frame, controller, sheet, target, "99")
            state = _state(cell, "99" if i == 0 else "")
            state["is_locked"] = bool(cell.getPropertyValue("CellProtection").IsLocked)
            report["locked"][target] = state
        timings["type_s"] = round(time.monotonic() - t2, 3)
        if not_taken:
            raise FillError(
                "以下单元格输入后仍为空（可能受工作表保护）：" + "、".join(not_taken),
                EXIT_NOT_TAKEN,
            )

        t3 = time.monotonic()
        doc.calculateAll()
        timings["recalc_s"] = round(time.monotonic() - t3, 3)

        t4 = time.monotonic()
        # Stored under an ASCII name in the work dir, then moved: soffice encodes file names
        # by its locale's codeset (ASCII under LANG=C), so a Chinese name can fail to save.
        work_out = office.workdir / "output.xlsx"
        doc.storeToURL(
            uno.systemPathToFileUrl(str(work_out)),
            (prop("FilterName", FILTER_XLSX), prop("Overwrite", True)),
        )
        timings["store_s"] = round(time.monotonic() - t4, 3)
        out_path.parent.mkdir(parents=True, exist_ok=True)
        partial = out_path.with_name(f".{out_path.name}.{os.getpid()}.tmp")
        try:
            shutil.copyfile(work_out, partial)
            os.replace(partial, out_path)
        finally:
            partial.unlink(missing_ok=True)
    finally:
        try:
            doc.close(True)
        except Exception:
            try:
                doc.dispose()
            except Exception:
                pass
    return report


def parse_args(argv: list[str]) -> tuple[Path, Path, dict[str, str], float, str, tuple[str, ...]]:
    ap = argparse.ArgumentParser(
        description="用 LibreOffice Calc 按人工方式填写单元格并另存为 xlsx"
    )
    ap.add_argument("input", type=Path)
    ap.add_argument("output", type=Path)
    ap.add_argument("cells", help='JSON：{"D5": "3", "E8": "12"}（第一个工作表）')
    ap.add_argument("--timeout", type=float, default=60.0, help="总超时秒数（默认 60）")
    ap.add_argument(
        "--locale",
        default="zh-CN",
        help="LibreOffice 解析输入所用的区域设置（BCP 47，默认 zh-CN；空串则沿用环境变量）",
    )
    ap.add_argument(
        "--try-locked",
        default="",
        help="逗号分隔的单元格：工作表保护应拒绝输入的格子，各键入 99 后报告其内容",
    )
    ns = ap.parse_args(argv)
    try:
        raw = json.loads(ns.cells)
    except json.JSONDecodeError as exc:
        raise FillError(f"JSON_CELLS 不是合法的 JSON：{exc}", EXIT_USAGE) from exc
    if not isinstance(raw, dict) or not raw:
        raise FillError('JSON_CELLS 应为非空对象，如 {"D5": "3"}', EXIT_USAGE)
    cells: dict[str, str] = {}
    for k, v in raw.items():
        if not isinstance(k, str) or not CELL_RE.match(k.strip()):
            raise FillError(f"不是单元格地址：{k!r}", EXIT_USAGE)
        if not isinstance(v, str):
            raise FillError(f"{k} 的内容应为字符串（按键入的文字），实际为 {v!r}", EXIT_USAGE)
        cells[k.strip()] = v
    inp = ns.input.resolve()
    if not inp.is_file():
        raise FillError(f"输入文件不存在：{inp}", EXIT_USAGE)
    if ns.timeout <= 0:
        raise FillError("--timeout 应为正数", EXIT_USAGE)
    locked = tuple(a.strip() for a in ns.try_locked.split(",") if a.strip())
    for a in locked:
        if not CELL_RE.match(a):
            raise FillError(f"不是单元格地址：{a!r}", EXIT_USAGE)
    return inp, ns.output.resolve(), cells, ns.timeout, ns.locale, locked


def main(argv: list[str] | None = None) -> int:
    for stream in (sys.stdout, sys.stderr):  # Chinese messages even under LANG=C
        stream.reconfigure(encoding="utf-8", errors="backslashreplace")
    try:
        in_path, out_path, cells, timeout, locale, locked = parse_args(
            sys.argv[1:] if argv is None else argv
        )
    except FillError as exc:
        print(f"错误：{exc}", file=sys.stderr)
        return exc.code
    try:
        import uno  # noqa: F401
    except ImportError:
        print(
            f"错误：{sys.executable} 无法 import uno，请用 /usr/bin/python3 运行（需 python3-uno）",
            file=sys.stderr,
        )
        return EXIT_OFFICE

    started = time.monotonic()
    deadline = started + timeout
    try:
        office = Office(find_soffice(), locale)
    except FillError as exc:
        print(f"错误：{exc}", file=sys.stderr)
        return exc.code

    timed_out = threading.Event()

    def watchdog() -> None:
        # A UNO call blocked in C never returns to Python's signal handlers, so the hard
        # timeout lives in a thread: kill soffice (unblocking the call), then leave.
        timed_out.set()
        print(f"错误：超过 {timeout:g} 秒仍未完成，已强制结束 soffice", file=sys.stderr)
        office.kill(grace=0)
        out_path.unlink(missing_ok=True)
        os._exit(EXIT_TIMEOUT)

    timer = threading.Timer(timeout, watchdog)
    timer.daemon = True
    timer.start()
    code = 0
    try:
        report = fill(in_path, out_path, cells, office, deadline, locked)
        if not out_path.is_file() or out_path.stat().st_size == 0:
            raise FillError(f"LibreOffice 未写出 {out_path}")
    except FillError as exc:
        code = EXIT_TIMEOUT if timed_out.is_set() else exc.code
        if not timed_out.is_set():
            print(f"错误：{exc}", file=sys.stderr)
    except Exception as exc:  # UNO exceptions: RuntimeException, IOException, DisposedException
        code = EXIT_TIMEOUT if timed_out.is_set() else EXIT_OFFICE
        if not timed_out.is_set():
            msg = getattr(exc, "Message", "") or str(exc)
            print(f"错误：LibreOffice 操作失败：{type(exc).__name__}: {msg}", file=sys.stderr)
            print(f"soffice 输出：{office.log_tail()}", file=sys.stderr)
    finally:
        timer.cancel()
        office.kill(grace=5.0)
    if code:
        out_path.unlink(missing_ok=True)
        return code
    report["timings"]["total_s"] = round(time.monotonic() - started, 3)
    print(json.dumps(report, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
