"""Django's {# #} comment ends on its own line: one spread over two lines is shown to the
user as text."""

from pathlib import Path

from django.conf import settings


def template_files():
    base = Path(settings.BASE_DIR)
    yield from (base / "templates").glob("**/*.html")
    for app in base.glob("*/templates"):
        yield from app.glob("**/*.html")


def test_no_template_comment_spreads_over_lines():
    spread = [
        f"{path.relative_to(settings.BASE_DIR)}:{number}"
        for path in template_files()
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1)
        if "{#" in line and "#}" not in line.split("{#", 1)[1]
    ]
    assert spread == [], "use {% comment %} for these: " + ", ".join(spread)
