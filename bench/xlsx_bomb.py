"""Raw XLSX files written straight into a zip, streamed, so that huge sheets cost no memory to make.

`write_xlsx(target, rows)` writes a workbook whose first sheet holds `rows` (iterables of text)
as inline strings; `tail` is written verbatim after the last row (tests use it for a broken
sheet that a bounded reader must never reach).
"""

import zipfile
from xml.sax.saxutils import escape

CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
    "</Types>"
)
ROOT_RELS = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
    'officeDocument" Target="xl/workbook.xml"/></Relationships>'
)
WORKBOOK = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
    'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
    '<sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>'
)
WORKBOOK_RELS = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
    'worksheet" Target="worksheets/sheet1.xml"/></Relationships>'
)


def _column(index: int) -> str:
    name = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        name = chr(65 + rest) + name
    return name


def _header_xml(cells, number=1) -> str:
    parts = [f'<row r="{number}">']
    for index, text in enumerate(cells):
        parts.append(f'<c r="{_column(index)}{number}" t="inlineStr"><is><t>{escape(str(text))}</t></is></c>')
    parts.append("</row>")
    return "".join(parts)


def _write(target, chunks) -> None:
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        archive.writestr("[Content_Types].xml", CONTENT_TYPES)
        archive.writestr("_rels/.rels", ROOT_RELS)
        archive.writestr("xl/workbook.xml", WORKBOOK)
        archive.writestr("xl/_rels/workbook.xml.rels", WORKBOOK_RELS)
        with archive.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as sheet:
            sheet.write(
                b'<?xml version="1.0" encoding="UTF-8"?>'
                b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
            )
            for chunk in chunks:
                sheet.write(chunk.encode())
            sheet.write(b"</sheetData></worksheet>")


def write_xlsx(target, rows, *, tail: str = "") -> None:
    """A workbook whose first sheet holds `rows` (iterables of text) as inline strings."""
    _write(target, [*(_header_xml(cells, number) for number, cells in enumerate(rows, 1)), tail])


def write_bomb(target, n_rows: int = 1_000_000, n_cells: int = 20) -> None:
    """The attack's shape: a header, then rows of `n_cells` number cells with no cell references."""
    body = "<c><v>1</v></c>" * n_cells

    def chunks():
        yield _header_xml([f"Column {i}" for i in range(n_cells)])
        for start in range(2, n_rows + 1, 1000):
            yield "".join(f"<row>{body}</row>" for _ in range(min(1000, n_rows + 1 - start)))

    _write(target, chunks())
