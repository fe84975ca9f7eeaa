import datetime

import pytest
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.urls import reverse
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice
from freezegun import freeze_time

from accounts.models import AreaMembership
from areas.models import Area
from tests.factories import UserFactory

PASSWORD = "test-wachtwoord-123"
LOGIN = "/admin/login/"


def sign_in(client, email, password=PASSWORD):
    return client.post(LOGIN, {"username": email, "password": password, "next": "/admin/"})


def test_five_failures_lock_the_username_from_that_address(client, db, caplog):
    user = UserFactory(email="doelwit@example.org")
    for _ in range(5):
        sign_in(client, user.email, "fout-wachtwoord")

    response = sign_in(client, user.email)

    assert response.status_code == 429
    assert "_auth_user_id" not in client.session
    assert any("locking out" in record.getMessage().lower() for record in caplog.records)


def test_lockout_does_not_block_another_username(client, db):
    victim = UserFactory(email="doelwit@example.org")
    other = UserFactory(email="collega@example.org")
    for _ in range(5):
        sign_in(client, victim.email, "fout-wachtwoord")

    response = sign_in(client, other.email)

    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(other.pk)


def test_sign_in_with_email_ignores_case(client, db):
    user = UserFactory(email="persoon@example.org")
    response = sign_in(client, "Persoon@Example.org")
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(user.pk)


def test_session_ends_after_thirty_idle_minutes(client, db, settings):
    assert settings.SESSION_IDLE_TIMEOUT == 30 * 60
    user = UserFactory(is_superuser=True)
    with freeze_time("2026-11-25 09:00") as clock:
        sign_in(client, user.email)
        clock.tick(datetime.timedelta(minutes=29))
        assert client.get("/admin/").status_code == 200
        clock.tick(datetime.timedelta(minutes=31))
        assert client.get("/admin/").status_code == 302


def test_session_ends_ten_hours_after_sign_in_however_active(client, db, settings):
    assert settings.SESSION_ABSOLUTE_LIFETIME == 10 * 60 * 60
    user = UserFactory(is_superuser=True)
    with freeze_time("2026-11-25 08:00") as clock:
        sign_in(client, user.email)
        for _ in range(30):  # a request every 20 minutes keeps it from idling out
            clock.tick(datetime.timedelta(minutes=20))
            assert client.get("/admin/").status_code == 200
        clock.tick(datetime.timedelta(minutes=20))  # 10 h 20 min after sign-in
        assert client.get("/admin/").status_code == 302


def test_deactivated_user_is_signed_out_on_the_next_request(client, db):
    user = UserFactory(is_superuser=True)
    sign_in(client, user.email)
    assert client.get("/admin/").status_code == 200

    user.is_active = False
    user.save()

    assert client.get("/admin/").status_code == 302


def test_removed_membership_takes_effect_on_the_next_request(client_for, liaison_a, area_a):
    client = client_for(liaison_a)
    change_url = reverse("admin:areas_area_change", args=[area_a.pk])
    assert client.get(change_url).status_code == 200

    AreaMembership.objects.filter(user=liaison_a).delete()

    assert client.get(change_url).status_code == 302
    response = client.get(reverse("admin:areas_area_changelist"))
    assert list(response.context["cl"].result_list) == []
    assert Area.objects.filter(pk=area_a.pk).exists()


def test_password_validators_refuse_a_weak_password(db):
    with pytest.raises(ValidationError):
        validate_password("wachtwoord")
    validate_password("een-lang-en-ongewoon-wachtwoord-42")


class TestSecondFactor:
    @pytest.fixture(autouse=True)
    def require_second_factor(self, settings):
        settings.REQUIRE_SECOND_FACTOR = True

    def test_staff_without_a_verified_device_does_not_enter_the_admin(self, client, db):
        user = UserFactory(is_superuser=True)
        client.force_login(user)
        response = client.get("/admin/")
        assert response.status_code == 302 and response.url.startswith(LOGIN)

    def test_login_page_asks_for_the_token(self, client, db):
        response = client.get(LOGIN)
        assert "otp_token" in response.content.decode()

    def test_staff_with_a_verified_totp_device_enters(self, client, db, rf):
        user = UserFactory(is_superuser=True)
        device = TOTPDevice.objects.create(user=user, name="telefoon", confirmed=True)
        client.force_login(user)
        session = client.session
        request = rf.get("/")
        request.session = session
        request.user = user
        otp_login(request, device)
        session.save()

        assert client.get("/admin/").status_code == 200


def test_second_factor_is_off_in_development(settings, client, db):
    assert settings.REQUIRE_SECOND_FACTOR is False
    client.force_login(UserFactory(is_superuser=True))
    assert client.get("/admin/").status_code == 200
