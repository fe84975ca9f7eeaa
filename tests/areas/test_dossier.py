"""The area dossier: documents accepted for what they are, kept private and handed out
only to who may see the area; the analysis and MKBA status and the Rijk contact on the
area page."""

import os

import pytest
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile

from areas.models import AreaDocument, AreaStudy
from core.documents import MAX_DOCUMENT_BYTES
from programme.models import Ministry
from tests import factories
from tests.clients import api_client

pytestmark = pytest.mark.django_db

EXE = b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 200
GOOD = {
    "pdf": (factories.PDF_BYTES, "application/pdf"),
    "docx": (
        factories.docx_bytes(),
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ),
    "xlsx": (
        factories.xlsx_bytes(),
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ),
    "odt": (factories.odt_bytes(), "application/vnd.oasis.opendocument.text"),
}


def stored_files():
    storage = AreaDocument._meta.get_field("file").storage
    root = os.path.join(storage.location, "documents")
    return set(os.listdir(root)) if os.path.isdir(root) else set()


def upload(client, area, content, name="stuk.pdf", **extra):
    data = {
        "area": area.pk,
        "kind": "covenant",
        "title": "Convenant",
        "file": SimpleUploadedFile(name, content),
        **extra,
    }
    return client.post("/api/v1/area-documents/", data, format="multipart")


@pytest.mark.parametrize("kind", sorted(GOOD))
def test_pdf_docx_xlsx_and_odt_are_accepted_by_their_content(kind, liaison_a, area_a):
    content, content_type = GOOD[kind]
    # The name says nothing: a Word file called .bin is still a Word file.
    response = upload(api_client(liaison_a), area_a, content, name="bestand.bin")
    assert response.status_code == 201, response.content
    document = AreaDocument.objects.get(pk=response.json()["id"])
    assert document.content_type == content_type
    assert document.file.name.endswith("." + kind)
    with document.file.open("rb") as stored:
        assert stored.read() == content


def test_a_renamed_program_is_refused_and_nothing_is_stored(liaison_a, area_a):
    before = stored_files()
    response = upload(api_client(liaison_a), area_a, EXE, name="convenant.pdf")
    assert response.status_code == 400
    assert "PDF" in str(response.json())
    assert not AreaDocument.objects.exists()
    assert stored_files() == before


def test_a_zip_that_is_no_office_document_is_refused(area_a, coordinator):
    document = factories.AreaDocumentFactory.build(
        area=area_a,
        uploaded_by=coordinator,
        file=ContentFile(factories.zip_bytes({"evil.exe": EXE}), name="stuk.docx"),
    )
    with pytest.raises(ValidationError):
        document.full_clean()
    with pytest.raises(ValidationError):
        document.save()  # not even a save that skipped full_clean stores it
    assert not AreaDocument.objects.exists()


def test_a_file_over_20_mb_is_refused_and_nothing_is_stored(liaison_a, area_a):
    before = stored_files()
    too_large = factories.PDF_BYTES + b"0" * (MAX_DOCUMENT_BYTES + 1024 * 1024)
    response = upload(api_client(liaison_a), area_a, too_large)
    assert response.status_code == 400
    assert "20 MB" in str(response.json())
    assert not AreaDocument.objects.exists()
    assert stored_files() == before


def test_a_liaison_cannot_upload_into_another_area(liaison_a, area_b):
    before = stored_files()
    response = upload(api_client(liaison_a), area_b, factories.PDF_BYTES)
    assert response.status_code == 400
    assert not AreaDocument.objects.exists()
    assert stored_files() == before


def test_a_viewer_cannot_upload(viewer, area_a):
    assert upload(api_client(viewer), area_a, factories.PDF_BYTES).status_code == 403


def test_the_history_records_who_uploaded_and_who_replaced(liaison_a, coordinator, area_a):
    response = upload(api_client(liaison_a), area_a, factories.PDF_BYTES)
    assert response.status_code == 201, response.content
    document = AreaDocument.objects.get(pk=response.json()["id"])
    assert document.uploaded_by == liaison_a

    client = api_client(coordinator)
    url = f"/api/v1/area-documents/{document.pk}/"
    etag = client.get(url)["ETag"]
    replaced = client.patch(
        url,
        {"file": SimpleUploadedFile("nieuw.odt", factories.odt_bytes())},
        format="multipart",
        HTTP_IF_MATCH=etag,
    )
    assert replaced.status_code == 200, replaced.content
    document.refresh_from_db()
    assert document.uploaded_by == coordinator
    records = list(document.history.order_by("history_date"))
    assert [record.history_user for record in records] == [liaison_a, coordinator]
    assert [record.uploaded_by for record in records] == [liaison_a, coordinator]
    assert records[0].file != records[1].file  # the earlier file stays on record


def test_download_is_an_attachment_the_browser_must_not_sniff(liaison_a, area_a, client_for):
    document = factories.AreaDocumentFactory(area=area_a, title="Convenant Zuid")
    for url in (
        f"/api/v1/area-documents/{document.pk}/download/",
        f"/gebieden/documenten/{document.pk}/",
    ):
        response = client_for(liaison_a).get(url)
        assert response.status_code == 200
        assert response["Content-Type"] == "application/pdf"
        assert response["X-Content-Type-Options"] == "nosniff"
        assert response["Content-Disposition"].startswith("attachment;")
        assert 'filename="convenant-zuid.pdf"' in response["Content-Disposition"]
        assert b"".join(response.streaming_content) == factories.PDF_BYTES


def test_another_areas_liaison_gets_not_found(liaison_b, area_a, client_for):
    document = factories.AreaDocumentFactory(area=area_a)
    client = client_for(liaison_b)
    for url in (
        f"/api/v1/area-documents/{document.pk}/download/",
        f"/api/v1/area-documents/{document.pk}/",
        f"/gebieden/documenten/{document.pk}/",
    ):
        assert client.get(url).status_code == 404, url
        assert client.get(url.replace(str(document.pk), "999999")).status_code == 404
    listed = client.get("/api/v1/area-documents/").json()["results"]
    assert listed == []


def test_anonymous_visitors_are_sent_to_sign_in(area_a, client):
    document = factories.AreaDocumentFactory(area=area_a)
    page = client.get(f"/gebieden/documenten/{document.pk}/")
    assert page.status_code == 302 and "login" in page["Location"]
    assert client.get(f"/api/v1/area-documents/{document.pk}/download/").status_code in (401, 403)


def test_viewers_and_coordinators_download(viewer, coordinator, area_a, client_for):
    document = factories.AreaDocumentFactory(area=area_a)
    for user in (viewer, coordinator):
        assert client_for(user).get(f"/gebieden/documenten/{document.pk}/").status_code == 200


def test_only_coordinators_delete_a_document(liaison_a, coordinator, area_a, client_for):
    document = factories.AreaDocumentFactory(area=area_a)
    url = f"/api/v1/area-documents/{document.pk}/"
    client = api_client(liaison_a)
    response = client.delete(url, HTTP_IF_MATCH=client.get(url)["ETag"])
    assert response.status_code == 403
    admin_delete = f"/admin/areas/areadocument/{document.pk}/delete/"
    assert client_for(liaison_a).post(admin_delete, {"post": "yes"}).status_code == 403
    assert AreaDocument.objects.filter(pk=document.pk).exists()

    client = api_client(coordinator)
    response = client.delete(url, HTTP_IF_MATCH=client.get(url)["ETag"])
    assert response.status_code == 204
    assert not AreaDocument.objects.filter(pk=document.pk).exists()


def test_the_admin_upload_refuses_a_renamed_program(coordinator, area_a, client_for):
    before = stored_files()
    response = client_for(coordinator).post(
        "/admin/areas/areadocument/add/",
        {
            "area": area_a.pk,
            "kind": "covenant",
            "title": "Convenant",
            "file": SimpleUploadedFile("convenant.pdf", EXE),
        },
    )
    assert response.status_code == 200  # the form again, with the reason
    assert "PDF" in response.content.decode()
    assert not AreaDocument.objects.exists()
    assert stored_files() == before


def test_the_admin_records_the_uploader(coordinator, area_a, client_for):
    response = client_for(coordinator).post(
        "/admin/areas/areadocument/add/",
        {
            "area": area_a.pk,
            "kind": "mkba",
            "title": "MKBA Zuid",
            "file": SimpleUploadedFile("mkba.xlsx", factories.xlsx_bytes()),
        },
    )
    assert response.status_code == 302, response.content
    document = AreaDocument.objects.get()
    assert document.uploaded_by == coordinator
    assert document.history.get().history_user == coordinator


@pytest.mark.parametrize("rows", [1, 10, 50])
def test_the_list_costs_the_same_queries_at_any_length(
    rows, liaison_a, area_a, django_assert_max_num_queries
):
    factories.AreaDocumentFactory.create_batch(rows, area=area_a)
    client = api_client(liaison_a)
    with django_assert_max_num_queries(12):
        response = client.get("/api/v1/area-documents/", {"page_size": 50})
    assert response.status_code == 200
    assert response.json()["count"] == rows


def test_a_study_names_a_document_of_its_own_area_only(area_a, area_b):
    other = factories.AreaDocumentFactory(area=area_b)
    study = factories.AreaStudyFactory.build(area=area_a, document=other)
    with pytest.raises(ValidationError) as refused:
        study.full_clean()
    assert "document" in refused.value.message_dict


def test_the_area_page_shows_the_dossier(liaison_a, area_a, client_for):
    ministry = Ministry.objects.get(code="VRO")
    area_a.rijk_contact_name = "Jan Rijksen"
    area_a.rijk_contact_ministry = ministry
    area_a.rijk_contact_email = "jan.rijksen@minvro.nl"
    area_a.save()
    analysis = factories.AreaDocumentFactory(
        area=area_a, kind=AreaDocument.Kind.ANALYSIS, title="Gebiedsanalyse Zuid"
    )
    factories.AreaStudyFactory(
        area=area_a,
        kind=AreaStudy.Kind.ANALYSIS,
        status=AreaStudy.Status.DONE,
        summary="Onderwijs en veiligheid vragen de meeste aandacht.",
        document=analysis,
    )
    factories.AreaDocumentFactory(area=area_a, title="Convenant Zuid")

    response = client_for(liaison_a).get(f"/gebieden/{area_a.pk}/")
    html = response.content.decode()
    assert response.status_code == 200
    assert "Jan Rijksen" in html and "jan.rijksen@minvro.nl" in html
    assert ministry.name_nl in html or ministry.name_en in html
    assert "Onderwijs en veiligheid vragen de meeste aandacht." in html
    assert f"/gebieden/documenten/{analysis.pk}/" in html
    assert "Convenant Zuid" in html
    rows = response.context["studies"]
    assert [row["study"] is not None for row in rows] == [True, False]  # MKBA not started


def test_the_rijk_contact_is_read_by_all_and_set_by_coordinators_only(
    coordinator, liaison_a, area_a
):
    url = f"/api/v1/areas/{area_a.pk}/"
    client = api_client(coordinator)
    response = client.patch(
        url,
        {"rijk_contact_name": "Jan Rijksen", "rijk_contact_ministry": "VRO"},
        format="json",
        HTTP_IF_MATCH=client.get(url)["ETag"],
    )
    assert response.status_code == 200, response.content
    assert response.json()["rijk_contact_ministry"] == "VRO"

    client = api_client(liaison_a)
    body = client.get(url).json()
    assert body["rijk_contact_name"] == "Jan Rijksen"
    client.patch(
        url,
        {"rijk_contact_name": "Iemand anders"},
        format="json",
        HTTP_IF_MATCH=client.get(url)["ETag"],
    )
    area_a.refresh_from_db()
    assert area_a.rijk_contact_name == "Jan Rijksen"


def test_a_document_whose_file_went_missing_is_not_found(liaison_a, area_a, client_for):
    document = factories.AreaDocumentFactory(area=area_a)
    document.file.storage.delete(document.file.name)
    assert client_for(liaison_a).get(f"/gebieden/documenten/{document.pk}/").status_code == 404


def test_the_area_form_offers_a_study_only_its_own_areas_documents(
    liaison_a, area_a, area_b, client_for
):
    own = factories.AreaDocumentFactory(area=area_a)
    other = factories.AreaDocumentFactory(area=area_b)
    response = client_for(liaison_a).get(f"/admin/areas/area/{area_a.pk}/change/")
    assert response.status_code == 200
    (studies,) = [
        inline
        for inline in response.context["inline_admin_formsets"]
        if inline.formset.model is AreaStudy
    ]
    choices = {document.pk for document in studies.formset.form.base_fields["document"].queryset}
    assert own.pk in choices and other.pk not in choices
