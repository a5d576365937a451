"""Text out of a published document, in reading order, as lines that remember their table cell.

Each library does what it does well: pdfplumber gives words with their positions (so lines,
paragraph gaps and table columns can be told apart), python-docx gives paragraphs and tables in
body order, the standard library's HTML parser gives blocks and cells. No PDF parser is written
here. Every reader returns the same shape, `Line`s, so the mapping never knows the format.
"""

import io
import re
import zipfile
from dataclasses import dataclass
from html.parser import HTMLParser

from django.utils.translation import gettext as _


class UnreadableDocument(Exception):
    """The document cannot be read: the message says why, in words for the person who uploaded it."""


@dataclass(frozen=True)
class Line:
    text: str
    para: int  # lines of one paragraph share the number; a blank line or a gap starts the next
    row: int | None = None  # table row, when the line sits in a table
    col: int | None = None  # column in that row
    # A PDF line that starts after a hard line break (an address block), not a wrap: kept apart.
    broken: bool = False


# Seeds are plain text with light mark-up left from their conversion: bold, headings, <p> in cells.
_INLINE = [
    (re.compile(r"<sup>(.*?)</sup>", re.I), r"\1"),
    (re.compile(r"\[([^\]]*)\]\(#?[^)]*\)"), r"\1"),
    (re.compile(r"<(https?://[^>]+)>"), r"\1"),
    (re.compile(r"\*\*|__"), ""),
]
_CELL_PARA = re.compile(r"</p>\s*<p>|<br\s*/?>", re.I)
_TAG = re.compile(r"</?[a-zA-Z][^>]*>")
_HEADING_MARK = re.compile(r"^#{1,6}\s+")
_SPACE = re.compile(r"[ \u00a0]+")

MAX_DOCX_UNCOMPRESSED = 50 * 1024 * 1024
MAX_PAGES = 300


def clean(text: str) -> str:
    for pattern, repl in _INLINE:
        text = pattern.sub(repl, text)
    text = _HEADING_MARK.sub("", text.strip())
    return _SPACE.sub(" ", text).strip()


def _cell_lines(cell: str) -> list[str]:
    parts = _CELL_PARA.split(re.sub(r"<(https?://[^>\s]+)>", r"\1", cell))
    return [t for t in (clean(_TAG.sub("", p)) for p in parts) if t]


def lines_from_text(text: str) -> list[Line]:
    """Plain text (the seeds' form): blank lines part paragraphs, tabs part table cells."""
    out: list[Line] = []
    para, row = 0, 0
    for raw in text.replace("\r\n", "\n").replace("\r", "\n").split("\n"):
        if not raw.strip():
            para += 1
            continue
        if "\t" in raw:
            row += 1
            for col, cell in enumerate(raw.split("\t")):
                for piece in _cell_lines(cell):
                    out.append(Line(piece, para, row, col))
            para += 1
            continue
        for piece in _cell_lines(raw):
            out.append(Line(piece, para))
    return out


class _HTMLLines(HTMLParser):
    BLOCKS = {"p", "div", "li", "h1", "h2", "h3", "h4", "h5", "h6", "br", "blockquote", "address", "pre"}
    SKIP = {"script", "style", "head", "title"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.lines: list[Line] = []
        self.buf: list[str] = []
        self.para = 0
        self.row = 0
        self.col: int | None = None
        self.in_row = False
        self.skip = 0

    def _flush(self):
        text = clean("".join(self.buf))
        self.buf = []
        if text:
            in_cell = self.in_row and self.col is not None
            self.lines.append(
                Line(text, self.para, self.row if in_cell else None, self.col if in_cell else None)
            )
        if not (self.in_row and self.col is not None):
            self.para += 1

    def handle_starttag(self, tag, attrs):
        if tag in self.SKIP:
            self.skip += 1
        elif tag == "tr":
            self._flush()
            self.row += 1
            self.in_row, self.col = True, -1
        elif tag in ("td", "th"):
            self._flush()
            self.col = (self.col or 0) + 1 if self.col is not None and self.col >= 0 else 0
        elif tag in self.BLOCKS:
            self._flush()

    def handle_endtag(self, tag):
        if tag in self.SKIP:
            self.skip = max(0, self.skip - 1)
        elif tag == "tr":
            self._flush()
            self.in_row, self.col = False, None
            self.para += 1
        elif tag in self.BLOCKS or tag in ("td", "th"):
            self._flush()

    def handle_data(self, data):
        if not self.skip:
            self.buf.append(data.replace("\n", " "))


def lines_from_html(html: str) -> list[Line]:
    parser = _HTMLLines()
    parser.feed(html)
    parser.close()
    parser._flush()
    return parser.lines


def lines_from_docx(data: bytes) -> list[Line]:
    """Paragraphs and tables in body order; a zip bomb (too large unpacked, too tightly packed, too
    many members: spreadsheets.zipguard) is refused before python-docx opens it."""
    from spreadsheets.zipguard import ArchiveRefused, open_checked

    try:
        with open_checked(io.BytesIO(data), max_bytes=MAX_DOCX_UNCOMPRESSED):
            pass
    except ArchiveRefused as exc:
        raise UnreadableDocument(str(exc)) from exc
    except zipfile.BadZipFile as exc:
        raise UnreadableDocument(_("The Word document is damaged and cannot be read.")) from exc
    import docx
    from docx.table import Table

    try:
        document = docx.Document(io.BytesIO(data))
    except Exception as exc:  # python-docx raises several kinds for a broken package
        raise UnreadableDocument(_("The Word document is damaged and cannot be read.")) from exc
    out: list[Line] = []
    para, row = 0, 0
    for block in document.iter_inner_content():
        if isinstance(block, Table):
            for table_row in block.rows:
                row += 1
                seen = set()
                for col, cell in enumerate(table_row.cells):
                    if id(cell._tc) in seen:  # merged cells repeat
                        continue
                    seen.add(id(cell._tc))
                    for p in cell.paragraphs:
                        text = clean(p.text)
                        if text:
                            out.append(Line(text, para, row, col))
                para += 1
        else:
            for piece in block.text.split("\n"):
                text = clean(piece)
                if text:
                    out.append(Line(text, para))
            para += 1
    return out


def lines_from_pdf(data: bytes) -> list[Line]:
    """Words with positions from pdfplumber, grouped into lines, paragraphs and table cells.

    A paragraph ends where the gap to the next line is clearly larger than the line spacing; a
    table is taken from the ruling lines pdfplumber finds, cell by cell, so columns never mix.
    """
    import pdfplumber
    from pdfminer.pdfdocument import PDFPasswordIncorrect
    from pdfminer.pdfparser import PDFSyntaxError

    _refuse_encrypted(data)
    try:
        pdf = pdfplumber.open(io.BytesIO(data))
        pages = pdf.pages
    except PDFPasswordIncorrect as exc:
        raise UnreadableDocument(_("The PDF is protected by a password: upload a copy without one.")) from exc
    except (PDFSyntaxError, Exception) as exc:
        if "password" in str(exc).lower() or "encrypt" in type(exc).__name__.lower():
            raise UnreadableDocument(
                _("The PDF is protected by a password: upload a copy without one.")
            ) from exc
        raise UnreadableDocument(_("The PDF is damaged and cannot be read.")) from exc
    if len(pages) > MAX_PAGES:
        raise UnreadableDocument(_("The PDF has more than %(n)s pages.") % {"n": MAX_PAGES})
    out: list[Line] = []
    para, row = 0, 0
    ended_in_table = False
    try:
        for page in pages:
            tables = page.find_tables(_table_settings(page))
            boxes = [t.bbox for t in tables]
            words = page.extract_words(keep_blank_chars=False, use_text_flow=True, x_tolerance=1.5)
            outside = [w for w in words if not any(_inside(w, b) for b in boxes)]
            tables_read: list[tuple[float, list[Line]]] = []
            extents: list[tuple[float, float]] = []
            text_lines = _group_lines(outside, extents)
            breaks = _hard_breaks(extents)
            chunk: list[Line] = []
            prev = None
            for n, (top, bottom, size, text) in enumerate(text_lines):
                if prev is not None and top - prev[1] > 0.6 * size:
                    para += 1
                chunk.append(Line(clean(text), para, broken=breaks[n]))
                prev = (top, bottom)
            para += 1
            for t_index, table in enumerate(tables):
                rows: list[Line] = []
                # A table row cut by a page break goes on at the top of the next page: same row.
                continues = (
                    t_index == 0 and ended_in_table and not any(top < table.bbox[1] for top, *_ in text_lines)
                )
                for r_index, cells in enumerate(table.rows):
                    if not (continues and r_index == 0):
                        row += 1
                    for col, cell in enumerate(cells.cells):
                        if cell is None:
                            continue
                        cell_words = [w for w in words if _inside(w, cell)]
                        cprev = None
                        cell_extents: list[tuple[float, float]] = []
                        cell_lines = _group_lines(cell_words, cell_extents)
                        cell_breaks = _hard_breaks(cell_extents)
                        for n, (top, bottom, size, text) in enumerate(cell_lines):
                            if cprev is not None and top - cprev[1] > 0.6 * size:
                                para += 1
                            rows.append(Line(clean(text), para, row, col, broken=cell_breaks[n]))
                            cprev = (top, bottom)
                        para += 1
                tables_read.append((table.bbox[1], rows))
            # Text and tables in the order they stand on the page.
            out.extend(_interleave(chunk, text_lines, tables_read))
            # A page whose last block is a table (short footers aside) may have a row going on at the
            # top of the next page.
            ended_in_table = bool(tables) and not any(
                top > max(t.bbox[3] for t in tables) and len(text) >= 200 for top, _b, _s, text in text_lines
            )
    finally:
        pdf.close()
    if not any(line.text for line in out):
        raise UnreadableDocument(
            _(
                "The PDF has no text layer (it is a scan), and this service does not read scans. Upload the original Word document or a PDF saved from it, or give the scan a text layer first with an OCR tool (for example: ocrmypdf -l eng+cym scan.pdf response.pdf) and upload that."
            )
        )
    return _merge_wrapped([line for line in out if line.text])


_STARTS_OWN_LINE = re.compile(r"^(?:[-•–*]\s|\d{1,3}[.)]\s|recommendation\s+\d|update\s*:)", re.I)


def _merge_wrapped(lines: list[Line]) -> list[Line]:
    """A PDF breaks a paragraph into printed lines: join them back, except where a new item starts."""
    out: list[Line] = []
    for line in lines:
        prev = out[-1] if out else None
        if (
            prev is not None
            and (prev.para, prev.row, prev.col) == (line.para, line.row, line.col)
            and not line.broken
            and not _STARTS_OWN_LINE.match(line.text)
        ):
            out[-1] = Line(f"{prev.text} {line.text}", prev.para, prev.row, prev.col)
        else:
            out.append(line)
    return out


def _refuse_encrypted(data: bytes) -> None:
    """pypdf tells a password-protected PDF from a damaged one more reliably than pdfminer."""
    from pypdf import PdfReader
    from pypdf.errors import PyPdfError

    try:
        reader = PdfReader(io.BytesIO(data))
        encrypted = reader.is_encrypted and not reader.decrypt("")
    except (PyPdfError, ValueError, OSError) as exc:
        raise UnreadableDocument(_("The PDF is damaged and cannot be read.")) from exc
    except Exception as exc:  # pypdf on broken input can raise anything from its parsers
        raise UnreadableDocument(_("The PDF is damaged and cannot be read.")) from exc
    if encrypted:
        raise UnreadableDocument(_("The PDF is protected by a password: upload a copy without one."))


def _table_settings(page) -> dict:
    """Close a table cut by a page break: its open edge is drawn where its column rules stop."""
    verticals = [e for e in page.edges if e["orientation"] == "v"]
    if not verticals:
        return {}
    return {
        "explicit_horizontal_lines": [min(e["top"] for e in verticals), max(e["bottom"] for e in verticals)]
    }


def _inside(word, box) -> bool:
    x0, top, x1, bottom = box
    cx, cy = (word["x0"] + word["x1"]) / 2, (word["top"] + word["bottom"]) / 2
    return x0 <= cx <= x1 and top <= cy <= bottom


def _hard_breaks(extents: list[tuple[float, float]]) -> list[bool]:
    """Which lines follow a hard line break: the first word would have fitted on the line before.

    `extents` are (right edge, width of the first word) per line; the block's right edge is the
    furthest any of its lines reaches, so a wrapped paragraph's lines are never split.
    """
    if not extents:
        return []
    right = max(x1 for x1, _w in extents)
    return [False] + [extents[n - 1][0] + 4 + extents[n][1] < right - 2 for n in range(1, len(extents))]


def _group_lines(words, extents: list | None = None) -> list[tuple[float, float, float, str]]:
    """Words to (top, bottom, size, text) lines, in reading order; `extents` gets (right, first word)."""
    lines: list[list] = []
    for w in sorted(words, key=lambda w: (round(w["top"]), w["x0"])):
        if lines and abs(w["top"] - lines[-1][0]) < 2.5:
            lines[-1][3].append(w)
            lines[-1][1] = max(lines[-1][1], w["bottom"])
        else:
            lines.append([w["top"], w["bottom"], w["bottom"] - w["top"], [w]])
    out = []
    for top, bottom, size, ws in lines:
        ws = sorted(ws, key=lambda w: w["x0"])
        if extents is not None:
            extents.append((ws[-1]["x1"], ws[0]["x1"] - ws[0]["x0"]))
        out.append((top, bottom, size, " ".join(w["text"] for w in ws)))
    return out


def _interleave(chunk: list[Line], text_lines, tables) -> list[Line]:
    """Put each table between the text lines above and below it."""
    if not tables:
        return chunk
    tops = [top for top, *_ in text_lines]
    out: list[Line] = []
    i = 0
    for table_top, rows in sorted(tables, key=lambda t: t[0]):
        while i < len(chunk) and tops[i] < table_top:
            out.append(chunk[i])
            i += 1
        out.extend(rows)
    out.extend(chunk[i:])
    return out


def decode_text(data: bytes) -> str:
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise UnreadableDocument(_("The text file is not in a character set that can be read."))


def read_lines(data: bytes, kind: str) -> list[Line]:
    """The document's lines; `kind` is the checked type: pdf, docx, html or txt."""
    if kind == "pdf":
        return lines_from_pdf(data)
    if kind == "docx":
        return lines_from_docx(data)
    if kind in ("html", "htm"):
        return lines_from_html(decode_text(data))
    if kind == "txt":
        return lines_from_text(decode_text(data))
    raise UnreadableDocument(_("This kind of file cannot be read."))
