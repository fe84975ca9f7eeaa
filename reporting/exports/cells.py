# Characters that make a spreadsheet treat typed text as a formula (CSV injection).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def as_text(value):
    """Text a user typed, made safe for a spreadsheet: a leading formula character is
    escaped with a quote, so the cell shows the text and never runs it."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value
