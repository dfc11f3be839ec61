"""PDF documents in the business's branding (fpdf2): the one place for the
font, the page, the branded header and the drawing helpers that invoices,
credit notes and statements share (`invoice_pdf.py`, `statements.py`).

Font: DejaVu Sans when the system has it (Debian's `fonts-dejavu-core`),
which prints every script and currency sign people type. Without it the
PDF core font Helvetica is used in the Windows-1252 encoding (so "£", "¥"
and "€" still print); any other character is reduced to its plain letter
("é" stays, "ł" becomes "l") or "?", never an error.

Text is text: every string is drawn as it is (no markdown, no HTML), so a
description that looks like markup prints literally."""

from __future__ import annotations

import unicodedata
from functools import lru_cache
from pathlib import Path

from fpdf import FPDF
from fpdf.enums import XPos, YPos

from portal_app.services import org_profile
from portal_app.settings import get_settings

# Where distributions keep DejaVu Sans (Debian/Ubuntu, Fedora, Arch, Alpine).
FONT_DIRS = (Path("/usr/share/fonts/truetype/dejavu"), Path("/usr/share/fonts/dejavu-sans-fonts"),
             Path("/usr/share/fonts/TTF"), Path("/usr/share/fonts/dejavu"))
FONT_FILES = ("DejaVuSans.ttf", "DejaVuSans-Bold.ttf")
CORE_FONT = "helvetica"
CORE_ENCODING = "windows-1252"  # Latin-1 plus "€" and typographic quotes
MARGIN = 15  # mm
LINE = 5  # mm, a line of body text
GREY = (110, 110, 110)
BLACK = (0, 0, 0)
RULE = (190, 190, 190)
LOGO_HEIGHT = 16  # mm
# Letters that are not an accented form of another (so NFKD leaves them),
# as the core font's nearest.
PLAIN_LETTERS = {"Ł": "L", "ł": "l", "Đ": "D", "đ": "d", "Ħ": "H", "ħ": "h", "ı": "i", "Ŧ": "T", "ŧ": "t",
                 "‐": "-", "‑": "-", "−": "-", "\u00a0": " ", "\u202f": " "}


@lru_cache(maxsize=4)
def _unicode_fonts(dirs: tuple[Path, ...]) -> tuple[Path, Path] | None:
    for folder in dirs:
        regular, bold = (folder / name for name in FONT_FILES)
        if regular.is_file() and bold.is_file():
            return regular, bold
    return None


def unicode_fonts() -> tuple[Path, Path] | None:
    """(regular, bold) DejaVu Sans files, or None when the system has none."""
    return _unicode_fonts(tuple(FONT_DIRS))


def _plain(char: str) -> str:
    """A character the core font cannot print, as near as it can: its base
    letter without accents, else "?"."""
    try:
        char.encode(CORE_ENCODING)
        return char
    except UnicodeEncodeError:
        pass
    if char in PLAIN_LETTERS:
        return PLAIN_LETTERS[char]
    base = "".join(c for c in unicodedata.normalize("NFKD", char) if not unicodedata.combining(c))
    try:
        base.encode(CORE_ENCODING)
        return base or "?"
    except UnicodeEncodeError:
        return "?"


def logo_file() -> Path | None:
    """The instance's logo (PORTAL_LOGO) when it is a PNG or JPEG of at most
    the logo size limit (its bytes say so, not its name); else None."""
    path = get_settings().logo_path
    if path is None or not path.is_file():
        return None
    with path.open("rb") as handle:
        data = handle.read(org_profile.LOGO_MAX_BYTES + 1)
    if len(data) > org_profile.LOGO_MAX_BYTES or org_profile.image_type(data) not in ("image/png", "image/jpeg"):
        return None
    return path


class Document(FPDF):
    """An A4 page in the business's branding with a page-numbered footer."""

    def __init__(self, title: str) -> None:
        super().__init__(orientation="portrait", unit="mm", format="A4")
        fonts = unicode_fonts()
        self.unicode = fonts is not None
        if fonts is not None:
            self.add_font("body", "", str(fonts[0]))
            self.add_font("body", "B", str(fonts[1]))
            self.family = "body"
        else:
            self.core_fonts_encoding = CORE_ENCODING
            self.family = CORE_FONT
        settings = get_settings()
        self.set_margins(MARGIN, MARGIN, MARGIN)
        self.set_auto_page_break(True, margin=MARGIN + 5)
        self.set_title(title)
        self.set_author(settings.portal_name)
        self.set_creator(settings.portal_name)
        self.footer_text = title
        self.add_page()

    # fpdf2 calls this for every string it draws: the core font gets
    # characters it can encode, never an exception.
    def normalize_text(self, text: str) -> str:
        if not self.unicode:
            text = "".join(_plain(c) for c in text)
        return super().normalize_text(text)

    def style(self, size: float = 10, *, bold: bool = False, colour: tuple[int, int, int] = BLACK) -> None:
        self.set_font(self.family, "B" if bold else "", size)
        self.set_text_color(*colour)

    def footer(self) -> None:
        self.set_y(-MARGIN)
        self.style(8, colour=GREY)
        self.cell(0, LINE, f"{self.footer_text} · page {self.page_no()} of {{nb}}", align="C")

    # ------------------------------------------------------------ drawing helpers

    def line_of(self, text: str, *, size: float = 10, bold: bool = False, colour: tuple[int, int, int] = BLACK,
                align: str = "L", width: float = 0) -> None:
        """A paragraph (wrapped to `width`, the whole line by default), then the next line."""
        self.style(size, bold=bold, colour=colour)
        self.multi_cell(width, LINE, text, align=align, new_x=XPos.LMARGIN, new_y=YPos.NEXT)

    def rule(self, gap: float = 3) -> None:
        self.ln(gap / 2)
        self.set_draw_color(*RULE)
        self.line(self.l_margin, self.get_y(), self.w - self.r_margin, self.get_y())
        self.ln(gap / 2)

    def branded_header(self, title: str, facts: list[tuple[str, str]], *, stamp: str = "") -> None:
        """The business (logo, name, address, tax id) on the left, the
        document's title and facts (("Number", "INV-…"), …) on the right, a
        stamp ("PAID", "VOID") in large letters under the title."""
        settings = get_settings()
        top = self.get_y()
        half = (self.w - self.l_margin - self.r_margin) / 2
        logo = logo_file()
        if logo is not None:
            try:
                self.image(str(logo), x=self.l_margin, y=top, h=LOGO_HEIGHT)
                self.set_y(top + LOGO_HEIGHT + 2)
            except Exception:  # noqa: BLE001 — a broken logo file leaves the name alone, never a failed PDF
                self.set_y(top)
        self.line_of(settings.portal_name, size=14, bold=True, width=half)
        if settings.business_address:
            self.line_of(settings.business_address, size=9, colour=GREY, width=half)
        if settings.business_tax_id:
            self.line_of(f"Tax ID: {settings.business_tax_id}", size=9, colour=GREY, width=half)
        left_bottom = self.get_y()
        self.set_xy(self.l_margin + half, top)
        self.style(16, bold=True)
        self.multi_cell(half, 8, title, align="R", new_x=XPos.LEFT, new_y=YPos.NEXT)
        if stamp:
            self.style(18, bold=True, colour=(190, 30, 30) if stamp == "VOID" else (20, 120, 50))
            self.multi_cell(half, 9, stamp, align="R", new_x=XPos.LEFT, new_y=YPos.NEXT)
        for name, value in facts:
            self.style(9, colour=GREY)
            self.multi_cell(half, LINE, f"{name}: {value}", align="R", new_x=XPos.LEFT, new_y=YPos.NEXT)
        self.set_xy(self.l_margin, max(left_bottom, self.get_y()) + 4)
        self.rule()

    def block(self, heading: str, lines: list[str]) -> None:
        """A small heading ("Bill to") and the non-empty lines under it."""
        self.line_of(heading, size=8, bold=True, colour=GREY)
        for text in lines:
            if text:
                self.line_of(text, size=10)
        self.ln(2)

    def figures(self, rows: list[tuple[str, str]], *, strong: tuple[str, ...] = ()) -> None:
        """Label and amount pairs in the right half (totals): those labelled
        in `strong` in bold."""
        width = (self.w - self.l_margin - self.r_margin) / 2
        for name, value in rows:
            bold = name in strong
            self.set_x(self.l_margin + width)
            self.style(10, bold=bold)
            self.cell(width * 0.55, 6, name, align="L")
            self.cell(width * 0.45, 6, value, align="R", new_x=XPos.LMARGIN, new_y=YPos.NEXT)

    def grid(self, headings: tuple[str, ...], rows: list[tuple[str, ...]], *, widths: tuple[float, ...],
             align: tuple[str, ...]) -> None:
        """A table whose cells wrap (a long description grows its row) and
        whose headings repeat on each page."""
        self.style(9)
        with self.table(col_widths=widths, text_align=align, line_height=LINE, first_row_as_headings=True,
                        borders_layout="HORIZONTAL_LINES", padding=(1, 1), markdown=False,
                        repeat_headings=1) as table:
            table.row(list(headings))
            for values in rows:
                table.row(list(values))
        self.ln(3)

    def output_bytes(self) -> bytes:
        return bytes(self.output())
