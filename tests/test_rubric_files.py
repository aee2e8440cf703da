"""The shipped rubric files are what district clerks copy and edit: their comments are Chinese,
and they cite documents by title, never files that are not shipped."""

import re
import tomllib
from pathlib import Path

import pytest

RUBRIC_DIR = Path(__file__).resolve().parent.parent / "flowscore" / "rubrics"
FILES = sorted(RUBRIC_DIR.glob("*.toml"))
CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
SEPARATOR = re.compile(r"#[\s#\-=*~_]*")  # "# ----", "# ====" or a bare "#"
NOT_SHIPPED = ("seeds/", ".txt", "DOMAIN.md", "../shared")


def comments(text: str) -> list[str]:
    """Every comment (from `#` to the end of its line), skipping `#` inside quoted strings."""
    found, quote, i = [], None, 0
    while i < len(text):
        if quote:
            if quote[0] == '"' and text[i] == "\\":  # an escape in a basic string
                i += 2
            elif text.startswith(quote, i):
                i, quote = i + len(quote), None
            else:
                i += 1
        elif text[i] == "#":
            end = text.find("\n", i)
            end = len(text) if end == -1 else end
            found.append(text[i:end].rstrip())
            i = end
        elif text[i] in "\"'":
            quote = text[i] * 3 if text.startswith(text[i] * 3, i) else text[i]
            i += len(quote)
        else:
            i += 1
    return found


def test_comments_skip_strings():
    text = 'a = "x # y"  # real\nb = """\n# not\n"""\nc = \'# no\' # 注释\n'
    assert comments(text) == ["# real", "# 注释"]


def test_all_rubrics_found():
    assert {p.stem for p in FILES} >= {"haishu-2019", "beilun-streets", "province-2013"}


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_comments_are_chinese(path):
    text = path.read_text("utf-8")
    bad = [c for c in comments(text) if not CJK.search(c) and not SEPARATOR.fullmatch(c)]
    assert bad == []


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_no_unshipped_references(path):
    text = path.read_text("utf-8")
    assert [word for word in NOT_SHIPPED if word in text] == []


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_source_is_a_document_title(path):
    data = tomllib.loads(path.read_text("utf-8"))
    assert data["source"].startswith("《")
