"""How the office's Word documents look (the circular, the feedback sheets): a rubric's
``[document]`` section, every field optional, the defaults GB/T 9704. Read by the Word writers;
validated with the rest of the rubric."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, kw_only=True, slots=True)
class DocumentStyle:
    """How the Word outputs look. The defaults are GB/T 9704; the office may change any field
    (``[document]`` in the rubric file). Font fields are fallback chains, first choice first.

    Page (millimetres): ``paper_*`` the sheet, ``margin_*`` the distances of the type area
    from the edges (37/35/28/26 give GB/T 9704's 156 × 225 mm), ``footer_distance_mm`` from the
    bottom edge to the page number's line.

    Type (points): ``title_size_pt`` 2号 = 22, ``body_size_pt`` 3号 = 16, ``table_size_pt``
    小四 = 12 for table cells, ``footer_size_pt`` 4号 = 14; ``line_pitch_pt`` the body's fixed
    line distance (28.95 pt gives GB/T 9704's 22 lines in the 225 mm type area),
    ``title_line_pitch_pt`` the title's.

    Texts: ``title_template`` the circular's title, ``{scheme}`` standing for the scheme's title
    (with the year in front when the scheme title has none); ``feedback_title`` the feedback
    sheets' title; ``addressee`` the line under the title (主送机关); ``footer_template`` the
    page-number line, ``{page}`` standing for the page number; ``seal_text`` the seal line of
    the closing block; ``blank_date`` what is printed when no date is given; ``annex_title`` the
    title of the circular's annex (附件).
    """

    paper_width_mm: float = 210.0
    paper_height_mm: float = 297.0
    margin_top_mm: float = 37.0
    margin_bottom_mm: float = 35.0
    margin_left_mm: float = 28.0
    margin_right_mm: float = 26.0
    header_distance_mm: float = 15.0
    footer_distance_mm: float = 22.0

    title_fonts: tuple[str, ...] = ("方正小标宋简体", "华文中宋", "宋体", "SimSun")
    body_fonts: tuple[str, ...] = ("仿宋_GB2312", "仿宋", "FangSong")
    heading_fonts: tuple[str, ...] = ("黑体", "SimHei")  # 一、二、… (GB/T 9704 一级标题)
    subheading_fonts: tuple[str, ...] = ("楷体_GB2312", "楷体", "KaiTi")  # （一）（二）…
    footer_fonts: tuple[str, ...] = ("宋体", "SimSun")
    latin_font: str = "Times New Roman"  # digits and Latin letters in body and tables

    title_size_pt: float = 22.0
    body_size_pt: float = 16.0
    table_size_pt: float = 12.0
    footer_size_pt: float = 14.0
    line_pitch_pt: float = 28.95
    title_line_pitch_pt: float = 35.0

    title_template: str = "关于{scheme}结果的通报"
    feedback_title: str = "考核反馈单"
    addressee: str = "各考核单位："
    annex_title: str = "各单位考核得分明细"
    footer_template: str = "— {page} —"
    seal_text: str = "考核单位（盖章）"
    blank_date: str = "____年__月__日"

    def __post_init__(self) -> None:
        for name in ("title_fonts", "body_fonts", "heading_fonts", "subheading_fonts"):
            if not getattr(self, name):
                raise ValueError(f"DocumentStyle.{name} 至少要有一种字体")
        if not self.footer_fonts:
            raise ValueError("DocumentStyle.footer_fonts 至少要有一种字体")
        if "{page}" not in self.footer_template:
            raise ValueError("DocumentStyle.footer_template 中须有 {page}")
        try:  # the only fields the writers fill in: a stray {…} must not fail the writing
            self.title_template.format(scheme="")
            self.footer_template.format(page=1)
        except (KeyError, IndexError, ValueError):
            raise ValueError(
                "title_template 只能用 {scheme}（细则名称），footer_template 只能用 {page}（页码）"
            ) from None

    @property
    def type_width_mm(self) -> float:
        return self.paper_width_mm - self.margin_left_mm - self.margin_right_mm

    @property
    def type_height_mm(self) -> float:
        return self.paper_height_mm - self.margin_top_mm - self.margin_bottom_mm


DEFAULT_STYLE = DocumentStyle()
