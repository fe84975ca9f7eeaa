from django.conf import settings
from django.urls import reverse
from django.utils import translation

from reporting.services import STEP_LABELS


def test_dutch_by_default_even_for_an_english_browser(superuser_client):
    response = superuser_client.get(reverse("admin:index"), HTTP_ACCEPT_LANGUAGE="en-US,en")
    assert response.headers["Content-Language"] == "nl"
    assert "Programmaregister" in response.content.decode()


def test_english_when_chosen(superuser_client):
    response = superuser_client.post(
        reverse("set_language"), {"language": "en", "next": reverse("admin:index")}
    )
    assert response.status_code == 302
    assert superuser_client.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"
    response = superuser_client.get(reverse("admin:index"))
    assert response.headers["Content-Language"] == "en"
    assert "Programme register Liveability and Safety" in response.content.decode()
    assert 'lang="en"' in response.content.decode()


def test_workflow_labels_are_dutch():
    with translation.override("nl"):
        assert [str(label) for label in STEP_LABELS.values()] == [
            "Indienen",
            "Goedkeuren",
            "Terugsturen",
            "Heropenen",
        ]
