"""The seeds as HTML, PDF (WeasyPrint) and DOCX (python-docx), laid out as such documents are.

Built from the seed text itself, not from the parser's reading of it, so the tests do not copy the
parser: a paragraph of several source lines (an address block, a title) is one paragraph with line
breaks; a run of "- " lines is a bulleted list; "### " is a heading; **bold** and <sup> are kept as
formatting; a tab-separated line is a table row whose cells hold their own paragraphs (<p>...</p>).
"""

import html
import io
import re

CSS = (
    "@page{size:A4;margin:2cm} body{font-family:sans-serif;font-size:10pt} p{margin:0 0 8pt} "
    "ul{margin:0 0 8pt} li{margin:0 0 4pt} h3{font-size:11pt;margin:8pt 0} "
    "td{border:1px solid #000;vertical-align:top;padding:3pt} table{border-collapse:collapse;margin:8pt 0}"
)
_TOKEN = re.compile(r"\*\*(.+?)\*\*|<sup>(.*?)</sup>|\[([^\]]*)\]\([^)]*\)|<(https?://[^>]+)>")
_CELL_SPLIT = re.compile(r"</p>\s*<p>", re.I)


def _blocks(text: str):
    """("table", rows) | ("list", items) | ("heading", lines) | ("para", lines), in source order."""
    text = text.replace("\r\n", "\n")
    for chunk in re.split(r"\n\s*\n", text):
        lines = [line.rstrip() for line in chunk.split("\n") if line.strip()]
        if not lines:
            continue
        if any("\t" in line for line in lines):
            yield "table", [line.split("\t") for line in lines]
        elif all(line.lstrip().startswith("- ") for line in lines):
            yield "list", [line.lstrip()[2:] for line in lines]
        elif lines[0].startswith("#"):
            yield "heading", [re.sub(r"^#+\s*", "", line) for line in lines]
        else:
            yield "para", [line.strip() for line in lines]


def _cell_paragraphs(cell: str) -> list[str]:
    return [p for p in (re.sub(r"</?p>", "", part).strip() for part in _CELL_SPLIT.split(cell.strip())) if p]


def _runs(text: str):
    """(text, bold, superscript) runs of one line of mark-up."""
    pos = 0
    for m in _TOKEN.finditer(text):
        if m.start() > pos:
            yield text[pos : m.start()], False, False
        bold, sup, link, url = m.groups()
        if bold is not None:
            yield from ((t, True, s) for t, _b, s in _runs(bold))
        elif sup is not None:
            yield sup, False, True
        else:
            yield (link if link is not None else url), False, False
        pos = m.end()
    if pos < len(text):
        yield text[pos:], False, False


def _html_inline(text: str) -> str:
    out = []
    for run, bold, sup in _runs(text):
        piece = html.escape(run)
        if sup:
            piece = f"<sup>{piece}</sup>"
        if bold:
            piece = f"<strong>{piece}</strong>"
        out.append(piece)
    return "".join(out)


def to_html(text: str) -> str:
    out = [f"<!doctype html><html lang='en'><head><meta charset='utf-8'><style>{CSS}</style></head><body>"]
    for kind, content in _blocks(text):
        if kind == "para":
            out.append("<p>" + "<br>".join(_html_inline(line) for line in content) + "</p>")
        elif kind == "heading":
            out.append("<h3>" + "<br>".join(_html_inline(line) for line in content) + "</h3>")
        elif kind == "list":
            out.append("<ul>" + "".join(f"<li>{_html_inline(item)}</li>" for item in content) + "</ul>")
        else:
            out.append("<table>")
            width = max(len(row) for row in content)
            for row in content:
                cells = row + [""] * (width - len(row))
                out.append(
                    "<tr>"
                    + "".join(
                        "<td>" + "".join(f"<p>{_html_inline(p)}</p>" for p in _cell_paragraphs(c)) + "</td>"
                        for c in cells
                    )
                    + "</tr>"
                )
            out.append("</table>")
    out.append("</body></html>")
    return "".join(out)


def to_pdf(text: str) -> bytes:
    from weasyprint import HTML

    return HTML(string=to_html(text)).write_pdf()


def _docx_runs(paragraph, line: str) -> None:
    for run_text, bold, sup in _runs(line):
        run = paragraph.add_run(run_text)
        run.bold = bold or None
        run.font.superscript = sup or None


def to_docx(text: str) -> bytes:
    import docx

    document = docx.Document()
    for kind, content in _blocks(text):
        if kind in ("para", "heading"):
            paragraph = document.add_paragraph(style="Heading 3" if kind == "heading" else None)
            for n, line in enumerate(content):
                if n:
                    paragraph.add_run().add_break()
                _docx_runs(paragraph, line)
        elif kind == "list":
            for item in content:
                _docx_runs(document.add_paragraph(style="List Bullet"), item)
        else:
            width = max(len(row) for row in content)
            table = document.add_table(rows=0, cols=width)
            table.style = "Table Grid"
            for row in content:
                cells = table.add_row().cells
                for c, cell_text in enumerate(row):
                    paragraphs = _cell_paragraphs(cell_text)
                    for n, p in enumerate(paragraphs):
                        _docx_runs(cells[c].paragraphs[0] if n == 0 else cells[c].add_paragraph(), p)
    buf = io.BytesIO()
    document.save(buf)
    return buf.getvalue()
