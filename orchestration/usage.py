"""Command-line arguments: their types, the help layout, and the argument error.

The error is for an argument the pipeline cannot work with, found before anything runs.
"""

import argparse
import re


class UsageError(Exception):
    """An argument the pipeline cannot work with.

    Names the argument the user gave (or the setting that stands for it); the command
    line prints it as an argument error and exits 2.
    """

    def __init__(self, argument: str, message: str):
        """An argument error naming ``argument``."""
        super().__init__(f"argument {argument}: {message}")
        self.argument = argument


MONTH = re.compile(r"\d{4}-(0[1-9]|1[0-2])")


def month(text: str) -> str:
    """The argparse type of --from / --to: a calendar month as YYYY-MM."""
    if not MONTH.fullmatch(text):
        raise argparse.ArgumentTypeError(f"expected YYYY-MM (e.g. 2019-11), got {text!r}")
    return text


class HelpFormatter(argparse.RawDescriptionHelpFormatter):
    """Examples kept as written in the epilog (descriptions come wrapped)."""
