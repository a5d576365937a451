class ExportFormatConverter:
    """`csv` or `xlsx` in an export URL; anything else does not match (404)."""

    regex = "csv|xlsx"

    def to_python(self, value):
        return value

    def to_url(self, value):
        return value
