"""The one error for a source file that cannot be loaded.

Every reader (customs portal files, Comtrade files and API records, GDP and FX files,
reference lists) raises it, so the CLI, the asset and the check report all name the same
three things: the file, the line and the field.
"""

from __future__ import annotations


class SourceFileError(ValueError):
    """A source file that cannot be loaded: names the file, the line and the field."""

    def __init__(self, file: object, line: int | None, field: str | None, reason: str):
        self.file = str(file)
        self.line = line
        self.field = field
        self.reason = reason
        super().__init__(str(self))

    def __str__(self) -> str:
        where = self.file
        if self.line is not None:
            where += f", line {self.line}"
        if self.field is not None:
            where += f", field '{self.field}'"
        return f"{where}: {self.reason}"

    def __reduce__(self):
        # Dagster pickles errors across processes; the default would lose the fields.
        return (type(self), (self.file, self.line, self.field, self.reason))
