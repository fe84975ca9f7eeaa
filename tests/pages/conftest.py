# The dashboard's data set, shared with the cache tests.
from tests.pages.test_pages import quarter, track_2  # noqa: F401
