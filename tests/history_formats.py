"""The seeds as HTML, PDF (WeasyPrint) and DOCX (python-docx), made from their text for the import tests."""

import html
import io
from itertools import groupby

from history.reading import lines_from_text

CSS = "body{font-family:sans-serif;font-size:10pt} p{margin:0 0 6pt} td{border:1px solid #000;vertical-align:top;padding:3pt} table{border-collapse:collapse;margin:8pt 0}"


def _blocks(text):
    """(kind, lines) runs: a paragraph's lines, or a table's rows."""
    lines = lines_from_text(text)
    for in_table, run in groupby(lines, key=lambda line: line.row is not None):
        run = list(run)
        if in_table:
            yield "table", [list(r) for _row, r in groupby(run, key=lambda line: line.row)]
        else:
            for _para, para_lines in groupby(run, key=lambda line: line.para):
                yield "para", list(para_lines)


def to_html(text: str) -> str:
    out = [f"<!doctype html><html lang='en'><head><meta charset='utf-8'><style>{CSS}</style></head><body>"]
    for kind, content in _blocks(text):
        if kind == "para":
            out.extend(f"<p>{html.escape(line.text)}</p>" for line in content)
        else:
            out.append("<table>")
            for row in content:
                width = max(line.col for line in row) + 1
                cells = {c: [line.text for line in row if line.col == c] for c in range(width)}
                out.append(
                    "<tr>"
                    + "".join(
                        "<td>" + "".join(f"<p>{html.escape(t)}</p>" for t in cells[c]) + "</td>"
                        for c in range(width)
                    )
                    + "</tr>"
                )
            out.append("</table>")
    out.append("</body></html>")
    return "".join(out)


def to_pdf(text: str) -> bytes:
    from weasyprint import HTML

    return HTML(string=to_html(text)).write_pdf()


def to_docx(text: str) -> bytes:
    import docx

    document = docx.Document()
    for kind, content in _blocks(text):
        if kind == "para":
            for line in content:
                document.add_paragraph(line.text)
        else:
            width = max(line.col for row in content for line in row) + 1
            table = document.add_table(rows=0, cols=width)
            for row in content:
                cells = table.add_row().cells
                for c in range(width):
                    texts = [line.text for line in row if line.col == c]
                    if texts:
                        cells[c].text = texts[0]
                        for t in texts[1:]:
                            cells[c].add_paragraph(t)
    buf = io.BytesIO()
    document.save(buf)
    return buf.getvalue()
