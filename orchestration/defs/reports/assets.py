"""Report assets (charts) are added by the indicator work; none yet."""

REPORT_ASSETS: list = []
