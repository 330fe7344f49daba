"""Every CSV the platform writes goes through this writer, so no cell can run as a formula.

A spreadsheet treats a cell that starts with `=`, `+`, `-` or `@` (and, in some programs, a tab or
a carriage return before them) as a formula: a team named `=HYPERLINK("https://evil.example", "x")`
would become a live link, or worse, in the hosts' export. The OWASP rule is to prefix such a cell
with a single quote, which every spreadsheet shows as text. A cell that is a plain number (`-1.5`,
`+3`, `2e-4`) stays as it is, so numeric columns keep sorting and summing as numbers.

Lines end with CR LF, as RFC 4180 says. This also matters for safety: Python 3.11 quotes a cell
holding a line break only when that character is part of the line terminator, so with `\n` alone
a name holding a CR would end the row early and start a forged one."""
import csv
import re

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
PLAIN_NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?")


def neutralise(value):
    """The cell as a spreadsheet should show it: text that could start a formula gets a leading `'`."""
    if not isinstance(value, str) or not value.startswith(FORMULA_STARTS):
        return value
    if PLAIN_NUMBER.fullmatch(value):
        return value
    return "'" + value


class SafeWriter:
    """A `csv.writer` whose every row is neutralised first."""

    def __init__(self, stream, **options):
        self._writer = csv.writer(stream, lineterminator="\r\n", **options)

    def writerow(self, row):
        return self._writer.writerow([neutralise(cell) for cell in row])

    def writerows(self, rows):
        for row in rows:
            self.writerow(row)


def writer(stream, **options):
    """Use instead of `csv.writer` (same options, but the line terminator is always CR LF)."""
    return SafeWriter(stream, **options)
