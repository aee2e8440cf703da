"""Word 97–2003 (.doc), WPS Writer (.wps), RTF and "Word" HTML files turned into .docx by
LibreOffice, so they are read like any .docx.

No Python library reads the binary Word format's tables reliably, and LibreOffice does, when it
is installed; on most office PCs it is not, and then each such file gets a finding telling the
clerk how to re-save it as .docx (``open/docx.py``). When it is:

* **The input is never touched**: each file is copied into a temporary folder under a plain
  ASCII name (``f0001.doc``) first: soffice derives file names from its locale's code set, so a
  Chinese name can fail under ``LANG=C``, and it writes lock files beside what it opens. The
  copy is made from the file's bytes read as every input is (``files.read_bounded``: a regular
  file, no more than ``--max-size``), so a name that has since become a FIFO or a link to a
  device copies nothing.
* **One soffice run converts a whole batch**: starting LibreOffice costs about a second, a
  small document a few hundredths more (10 files: 1.5 s in one run against ~10 s one by one).
* **Bounded in time**: a run gets ``limits.convert_timeout`` plus ``PER_FILE`` seconds for each
  further file, then its whole process group is killed (soffice starts oosplash and soffice.bin). After a
  timeout or a crash, the files without output are tried one at a time, each with
  ``convert_timeout``, so one hostile file cannot cost the others.
* **Private**: its own profile (``-env:UserInstallation``) and temporary files inside the
  folder, so it neither disturbs nor waits for a LibreOffice the user has open; the folder is
  always removed (``Converter`` is a context manager), also when the run is stopped by a
  signal (the soffice group is ended first).

The batch is converted in the main process before the files are read (``folder``); the
workers then read each result as a .docx.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from flowscore.inputs.open.files import NotRegular, TooLarge, read_bounded
from flowscore.inputs.safety import Limits

PER_FILE = 10.0  # seconds a batch run gets per file after the first (a small one takes 0.05)
_EXTENSIONS = {"doc": ".doc", "rtf": ".rtf", "html": ".htm", "works": ".wps"}
_WINDOWS_PLACES = ("ProgramFiles", "ProgramFiles(x86)", "ProgramW6432")


@dataclass(frozen=True, kw_only=True)
class Conversion:
    """One file's outcome: the converted .docx (inside the converter's folder), or why not."""

    docx: str = ""
    problem: str = ""  # "" done · "missing" no LibreOffice · "failed" · "timeout"
    seconds: float = 0.0  # the soffice run that made it (a batch: the whole run)
    timeout: float = 0.0  # the limit that was hit, for the message


def find_soffice() -> str | None:
    """LibreOffice's ``soffice`` on PATH, or where its installers put it (Windows, macOS)."""
    for name in ("soffice", "libreoffice"):
        found = shutil.which(name)
        if found:
            return found
    places: list[str] = []
    if sys.platform == "win32":
        for var in _WINDOWS_PLACES:
            base = os.environ.get(var)
            if base:
                places.append(os.path.join(base, "LibreOffice", "program", "soffice.exe"))
    elif sys.platform == "darwin":
        places.append("/Applications/LibreOffice.app/Contents/MacOS/soffice")
    return next((p for p in places if os.path.isfile(p)), None)


class Converter:
    """A temporary folder where LibreOffice converts copies of Word files; removed on close."""

    def __init__(self, limits: Limits) -> None:
        self.limits = limits
        self.soffice = find_soffice()
        self.folder = Path(tempfile.mkdtemp(prefix="flowscore-word-"))
        self._count = 0

    def __enter__(self) -> Converter:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        shutil.rmtree(self.folder, ignore_errors=True)

    def convert(self, sources: list[tuple[str, str]]) -> dict[str, Conversion]:
        """(path, content kind) → each path's Conversion. Every file in one soffice run."""
        if not sources:
            return {}
        if self.soffice is None:
            return {path: Conversion(problem="missing") for path, _ in sources}
        inbox, outbox = self.folder / "in", self.folder / "out"
        inbox.mkdir(exist_ok=True)
        outbox.mkdir(exist_ok=True)
        copies: dict[str, Path] = {}
        out: dict[str, Conversion] = {}
        for path, kind in sources:
            self._count += 1
            copy = inbox / f"f{self._count:04d}{_EXTENSIONS.get(kind, '.doc')}"
            try:
                copy.write_bytes(read_bounded(Path(path), self.limits.max_size))
            except (OSError, NotRegular, TooLarge):  # gone, not a regular file, too large
                out[path] = Conversion(problem="failed")
                continue
            copies[path] = copy
        if not copies:
            return out
        budget = self.limits.convert_timeout + PER_FILE * (len(copies) - 1)
        state, seconds = self._run(list(copies.values()), outbox, budget)
        retry: list[tuple[str, Path, Path]] = []
        for path, copy in copies.items():
            made = outbox / (copy.stem + ".docx")
            if _complete(made):
                out[path] = Conversion(docx=str(made), seconds=seconds)
            elif state == "ok" or len(copies) == 1:
                problem = "timeout" if state == "timeout" else "failed"
                out[path] = Conversion(problem=problem, seconds=seconds, timeout=budget)
            else:
                retry.append((path, copy, made))
        for path, copy, made in retry:  # the run was killed or crashed: one at a time
            made.unlink(missing_ok=True)
            limit = self.limits.convert_timeout
            state, seconds = self._run([copy], outbox, limit)
            if _complete(made):
                out[path] = Conversion(docx=str(made), seconds=seconds)
            else:
                problem = "timeout" if state == "timeout" else "failed"
                out[path] = Conversion(problem=problem, seconds=seconds, timeout=limit)
        return out

    def _run(self, files: list[Path], outbox: Path, timeout: float) -> tuple[str, float]:
        """One soffice run: ``ok`` (it exited 0), ``crashed`` or ``timeout``; its seconds."""
        assert self.soffice is not None
        profile = self.folder / "profile"
        tmp = self.folder / "tmp"
        tmp.mkdir(exist_ok=True)
        args = [
            self.soffice,
            f"-env:UserInstallation={profile.as_uri()}",
            "--headless",
            "--invisible",
            "--nologo",
            "--nodefault",
            "--norestore",
            "--nolockcheck",
            "--convert-to",
            "docx:MS Word 2007 XML",
            "--outdir",
            str(outbox),
            *map(str, files),
        ]
        env = dict(os.environ)
        for var in ("PYTHONHOME", "PYTHONPATH"):  # ours would confuse LibreOffice's own Python
            env.pop(var, None)
        env.update(TMPDIR=str(tmp), TMP=str(tmp), TEMP=str(tmp))
        if sys.platform != "win32":
            env["SAL_USE_VCLPLUGIN"] = "svp"
        started = time.monotonic()
        try:
            with open(self.folder / "soffice.log", "ab") as log:
                proc = subprocess.Popen(
                    args,
                    stdin=subprocess.DEVNULL,
                    stdout=log,
                    stderr=subprocess.STDOUT,
                    env=env,
                    cwd=self.folder,
                    **_own_group(),
                )
        except OSError:
            return "crashed", 0.0
        try:
            code = proc.wait(timeout=timeout)
            state = "ok" if code == 0 else "crashed"
        except subprocess.TimeoutExpired:
            state = "timeout"
        finally:
            _end_group(proc)
            self._remove_pipe(profile)  # nobody listens on it now, however the run ended
        return state, round(time.monotonic() - started, 3)

    @staticmethod
    def _remove_pipe(profile: Path) -> None:
        """A killed soffice leaves its single-instance pipe in /tmp, and so, now and then, does
        one that ends by itself (seen after a first start on a new profile):
        ``OSL_PIPE_<uid>_SingleOfficeIPC_<md5 of the profile URL as UTF-16, hex unpadded>``."""
        if sys.platform == "win32":
            return
        digest = hashlib.md5(profile.as_uri().encode("utf-16-le")).digest()
        name = "SingleOfficeIPC_" + "".join(format(b, "x") for b in digest)
        for folder in ("/tmp", "/var/tmp"):
            try:
                os.unlink(os.path.join(folder, f"OSL_PIPE_{os.getuid()}_{name}"))
            except OSError:
                pass


def _own_group() -> dict[str, Any]:
    """Popen settings that put soffice and whatever it starts into a group of its own."""
    if sys.platform == "win32":
        return {"creationflags": subprocess.CREATE_NEW_PROCESS_GROUP}
    return {"start_new_session": True}


def _end_group(proc: subprocess.Popen[bytes]) -> None:
    """End ``proc`` and everything it started (soffice → oosplash → soffice.bin)."""
    if sys.platform == "win32":
        if proc.poll() is None:
            subprocess.run(
                ["taskkill", "/F", "/T", "/PID", str(proc.pid)],
                capture_output=True,
                check=False,
            )
            proc.kill()
        proc.wait()
        return
    for sig in (signal.SIGTERM, signal.SIGKILL):
        try:
            os.killpg(proc.pid, sig)  # the group may outlive the wrapper that led it
        except (ProcessLookupError, PermissionError):
            break
        try:
            proc.wait(timeout=3)
        except subprocess.TimeoutExpired:
            continue
        if not _group_alive(proc.pid):
            break
        time.sleep(0.2)
    if proc.poll() is None:
        proc.kill()
        proc.wait()


def _group_alive(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _complete(path: Path) -> bool:
    """A whole zip: a run killed mid-write leaves a file without its end record."""
    try:
        size = path.stat().st_size
        if size < 22:
            return False
        with open(path, "rb") as f:
            f.seek(max(0, size - 65_557))
            return b"PK\x05\x06" in f.read()
    except OSError:
        return False
