"""Certificates: the PDF (embedded CJK font, verification URL), the signed
credential (eddsa-jcs-2022) and its offline check, the public verification
page, downloads for the owner only, and revocation."""

import base64
import io
import json
from urllib.parse import urlparse

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client
from django.urls import reverse
from pypdf import PdfReader

from lms.exceptions import ApplicationError
from lms.models import LedgerEntry, Membership
from lms.services import membership_grant
from progress import credentials, services
from progress.models import Certificate, CreditedInterval
from progress.xapi.platform import site_url
from tests.courses.conftest import staff_login
from tests.lms.factories import UserFactory
from tests.progress import completion_factories
from tests.progress.completion_factories import complete
from tests.progress.factories import worker_create

globals().update(completion_factories.fixtures())

pytestmark = pytest.mark.django_db


@pytest.fixture
def certificate(enrolment) -> Certificate:
    assert complete(enrolment) is True
    return Certificate.objects.select_related("enrolment").get(enrolment=enrolment)


@pytest.fixture
def admin(enterprise):
    user = UserFactory(is_staff=True)
    membership_grant(user=user, organisation=enterprise, role=Membership.Role.PLATFORM_ADMIN)
    return user


def english(user=None) -> Client:
    client = Client(headers={"accept-language": "en"})
    if user is not None:
        client.force_login(user)
    return client


def verify_url(certificate) -> str:
    return site_url(reverse("verify:detail", args=[certificate.code]))


# --- The certificate's facts ----------------------------------------------------------


def test_the_certificate_keeps_a_snapshot_of_the_facts(certificate, video_course, worker):
    profile = worker.worker_profile
    assert len(certificate.code) == 20
    assert set(certificate.code) <= set(services.CODE_ALPHABET)
    assert certificate.worker_name == "张伟"
    assert certificate.id_number_masked == profile.id_number_masked
    assert certificate.course_title == "焊条电弧焊入门（初级）"
    assert certificate.trade == "焊工"
    assert certificate.occupation_code == "6-18-02-04"
    assert certificate.level == "初级工"
    assert str(certificate.study_hours) == "0.0"  # 200 s credited
    assert certificate.final_score is None
    assert certificate.issuer_name == "福州闽江技工学校"
    assert certificate.course_revision_id == video_course.live_revision_id


def test_codes_differ(make_course, welder):
    codes = set()
    for n in range(5):
        course = make_course(parent=welder, title=f"课程{n}", slug=f"c-{n}")
        enrolment = services.enrolment_create(user=worker_create(), course=course)
        assert complete(enrolment) is True
        codes.add(Certificate.objects.get(enrolment=enrolment).code)
    assert len(codes) == 5


# --- PDF ------------------------------------------------------------------------------


def test_the_pdf_opens_with_chinese_text_and_the_verification_url(certificate, worker):
    response = english(worker).get(reverse("certificates:pdf", args=[certificate.code]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert f"certificate-{certificate.code}.pdf" in response["Content-Disposition"]

    reader = PdfReader(io.BytesIO(response.content))
    assert len(reader.pages) == 1
    text = reader.pages[0].extract_text()
    assert verify_url(certificate) in text
    assert "焊条电弧焊入门（初级）" in text
    assert "职业技能培训合格证书" in text
    assert certificate.id_number_masked in text
    assert certificate.ledger_entry_hash in text
    fonts = [font.get_object() for font in reader.pages[0]["/Resources"]["/Font"].values()]
    embedded = [
        font["/BaseFont"]
        for font in fonts
        if "/FontDescriptor" in font and "/FontFile2" in font["/FontDescriptor"]
    ]
    assert embedded and "WenQuanYi" in embedded[0]


# --- The signed credential ---------------------------------------------------------------


def download_credential(client, certificate) -> bytes:
    response = client.get(reverse("certificates:credential", args=[certificate.code]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json; charset=utf-8"
    return response.content


def test_the_credential_is_an_open_badge_and_verifies(certificate, worker):
    document = json.loads(download_credential(english(worker), certificate))
    assert document["type"] == ["VerifiableCredential", "OpenBadgeCredential"]
    assert document["@context"][0] == "https://www.w3.org/ns/credentials/v2"
    assert document["id"] == verify_url(certificate)
    assert document["issuer"]["name"] == "福州闽江技工学校"
    subject = document["credentialSubject"]
    assert subject["achievement"]["name"] == "焊条电弧焊入门（初级）"
    assert subject["identifier"][0]["identityHash"] == "张伟"
    raw_id = worker.worker_profile.id_number_masked
    assert raw_id not in json.dumps(document, ensure_ascii=False)  # not even masked
    proof = document["proof"]
    assert proof["type"] == "DataIntegrityProof"
    assert proof["cryptosuite"] == "eddsa-jcs-2022"
    assert proof["proofValue"].startswith("z")

    assert credentials.credential_verify(document, keys=credentials.verification_keys())


def write(tmp_path, name: str, content: bytes):
    path = tmp_path / name
    path.write_bytes(content)
    return str(path)


def test_one_changed_byte_fails_verification(certificate, worker, tmp_path):
    content = download_credential(english(worker), certificate)
    tampered = content.replace("焊条".encode(), "焊丝".encode(), 1)
    assert len(tampered) == len(content) and tampered != content

    out = io.StringIO()
    call_command("verify_credential", write(tmp_path, "good.json", content), stdout=out)
    assert "The credential verifies" in out.getvalue()

    with pytest.raises(CommandError, match="the credential was altered or signed by another key"):
        call_command("verify_credential", write(tmp_path, "bad.json", tampered))

    # One byte of the signature itself.
    document = json.loads(content)
    value = document["proof"]["proofValue"]
    document["proof"]["proofValue"] = value[:-1] + ("2" if value[-1] != "2" else "3")
    with pytest.raises(credentials.CredentialInvalid):
        credentials.credential_verify(document, keys=credentials.verification_keys())


def test_a_wrong_key_fails_and_the_published_keys_verify(certificate, worker, tmp_path):
    path = write(tmp_path, "c.json", download_credential(english(worker), certificate))
    other = Ed25519PrivateKey.generate().public_key()
    raw = other.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    with pytest.raises(CommandError, match="does not verify"):
        call_command("verify_credential", path, "--public-key", base64.b64encode(raw).decode())

    keys = Client().get(reverse("verify:keys"))
    assert keys.status_code == 200
    methods = keys.json()["verificationMethod"]
    assert methods[0]["type"] == "Multikey"
    assert methods[0]["publicKeyMultibase"].startswith("z6Mk")
    out = io.StringIO()
    call_command("verify_credential", path, "--keys", write(tmp_path, "k.json", keys.content),
                 stdout=out)  # fmt: skip
    assert "The credential verifies" in out.getvalue()


def test_verify_credential_refuses_what_is_not_a_credential(tmp_path):
    with pytest.raises(CommandError, match="is not JSON"):
        call_command("verify_credential", write(tmp_path, "x.json", b"{not json"))
    with pytest.raises(CommandError, match="has no proof"):
        call_command("verify_credential", write(tmp_path, "y.json", b'{"name": "x"}'))
    with pytest.raises(CommandError, match="Cannot read"):
        call_command("verify_credential", str(tmp_path / "missing.json"))


def test_the_issuer_profile_is_published(certificate):
    document = certificate.credential
    response = Client().get(urlparse(document["issuer"]["id"]).path)
    assert response.status_code == 200
    assert response.json()["name"] == "福州闽江技工学校"
    assert Client().get(reverse("verify:issuer", args=["nope"])).status_code == 404
    assert Client().get(reverse("verify:issuer", args=["999999"])).status_code == 404


# --- The public verification page --------------------------------------------------------


def test_the_verification_page_shows_the_facts_without_login(certificate):
    response = english().get(reverse("verify:detail", args=[certificate.code]))
    assert response.status_code == 200
    page = response.content.decode()
    for fact in (
        certificate.worker_name,
        certificate.id_number_masked,
        certificate.course_title,
        "焊工",
        "6-18-02-04",
        "初级工",
        certificate.issuer_name,
        certificate.ledger_entry_hash,
        str(certificate.course_revision_id),
        certificate.code,
    ):
        assert fact in page
    assert "This certificate is valid" in page
    assert "REVOKED" not in page


@pytest.mark.parametrize("change", ["one_character", "short", "junk"])
def test_an_unknown_or_tampered_code_is_404_with_the_form(certificate, change):
    code = certificate.code
    wrong = {
        "one_character": code[:-1] + ("A" if code[-1] != "A" else "B"),
        "short": code[:10],
        "junk": "<script>",
    }[change]
    response = english().get(reverse("verify:detail", args=[wrong]))
    assert response.status_code == 404
    page = response.content.decode()
    assert "No certificate has the code" in page
    assert 'name="code"' in page
    assert "<script>" not in page
    assert certificate.worker_name not in page


def test_the_form_accepts_a_code_as_people_type_it(certificate):
    typed = "-".join([certificate.code[:5], certificate.code[5:10], certificate.code[10:]]).lower()
    response = english().get(reverse("verify:form"), {"code": typed})
    assert response.status_code == 302
    assert response["Location"] == reverse("verify:detail", args=[certificate.code])
    assert english().get(reverse("verify:form")).status_code == 200
    assert english().get(reverse("verify:form"), {"code": "nonsense"}).status_code == 404


# --- Downloads ------------------------------------------------------------------------------


def test_only_the_owner_downloads(certificate, enterprise):
    urls = [
        reverse("certificates:pdf", args=[certificate.code]),
        reverse("certificates:credential", args=[certificate.code]),
    ]
    stranger = english(worker_create(organisation=enterprise))
    anonymous = english()
    for url in urls:
        assert stranger.get(url).status_code == 404
        assert anonymous.get(url).status_code == 302  # to the login page
    assert stranger.get(reverse("certificates:pdf", args=["X" * 20])).status_code == 404


# --- Revocation -------------------------------------------------------------------------------


def test_only_a_platform_admin_revokes_and_a_reason_is_required(certificate, worker, admin):
    with pytest.raises(ApplicationError) as refused:
        services.certificate_revoke(certificate=certificate, actor=worker, reason="我自己")
    assert refused.value.extra["status"] == 403
    with pytest.raises(ApplicationError) as empty:
        services.certificate_revoke(certificate=certificate, actor=admin, reason="   ")
    assert empty.value.extra["status"] == 400
    certificate.refresh_from_db()
    assert certificate.revoked_at is None
    assert not LedgerEntry.objects.filter(kind="progress.certificate_revoked").exists()


def test_a_revoked_certificate_says_so_on_its_page_and_in_the_ledger(certificate, admin, worker):
    services.certificate_revoke(certificate=certificate, actor=admin, reason="考试舞弊")
    certificate.refresh_from_db()
    assert certificate.revoked_by == admin
    entry = LedgerEntry.objects.get(kind="progress.certificate_revoked")
    assert entry.payload == {
        "enrolment": str(certificate.enrolment_id),
        "certificate": certificate.code,
        "reason": "考试舞弊",
    }
    page = english().get(reverse("verify:detail", args=[certificate.code])).content.decode()
    assert "This certificate was REVOKED" in page
    assert "考试舞弊" in page
    assert "This certificate is valid" not in page

    with pytest.raises(ApplicationError) as again:
        services.certificate_revoke(certificate=certificate, actor=admin, reason="再次")
    assert again.value.extra["status"] == 409

    # The worker still downloads it, marked as revoked.
    pdf = english(worker).get(reverse("certificates:pdf", args=[certificate.code]))
    assert "已撤销 REVOKED" in PdfReader(io.BytesIO(pdf.content)).pages[0].extract_text()


def test_the_admin_lists_certificates_and_revokes_with_a_reason(certificate, admin, worker):
    client = english()
    staff_login(client, admin)
    listing = client.get(reverse("certificates_admin:index"))
    assert listing.status_code == 200
    assert certificate.code in listing.content.decode()
    found = client.get(reverse("certificates_admin:index"), {"q": certificate.worker_name})
    assert certificate.code in found.content.decode()

    url = reverse("certificates_admin:revoke", args=[certificate.pk])
    assert client.get(url).status_code == 200
    refused = client.post(url, {"reason": ""})
    assert refused.status_code == 400
    certificate.refresh_from_db()
    assert certificate.revoked_at is None

    response = client.post(url, {"reason": "证书信息有误"})
    assert response.status_code == 302
    certificate.refresh_from_db()
    assert certificate.revoked_reason == "证书信息有误"


def test_workers_cannot_reach_the_certificate_admin(certificate, worker):
    client = english(worker)
    assert client.get(reverse("certificates_admin:index")).status_code in (302, 403)
    response = client.post(
        reverse("certificates_admin:revoke", args=[certificate.pk]), {"reason": "x"}
    )
    assert response.status_code in (302, 403)
    certificate.refresh_from_db()
    assert certificate.revoked_at is None


# --- The demo ----------------------------------------------------------------------------


def test_the_demo_worker_holds_a_certificate(
    db, settings, tmp_path, django_capture_on_commit_callbacks
):
    """load_demo plays the fitting course's videos once they are transcoded
    (on commit), and the flusher's check issues the certificate."""
    settings.MEDIA_ROOT = tmp_path
    out = io.StringIO()
    with django_capture_on_commit_callbacks(execute=True):
        call_command("load_demo", stdout=out)
    certificate = Certificate.objects.get()
    assert certificate.worker_name == "林美华"
    assert certificate.course_title == "钳工基本操作：划线、锯削与锉削"
    assert f"/verify/{certificate.code}/" in out.getvalue()
    assert CreditedInterval.objects.filter(user=certificate.enrolment.user).exists()
    assert english().get(reverse("verify:detail", args=[certificate.code])).status_code == 200


def test_a_course_without_a_provider_is_issued_by_the_platform(make_course, welder, worker):
    """No training provider (the column allows it, for courses made before
    providers): the platform issues it, with its own profile."""
    course = make_course(parent=welder, title="安全生产常识", slug="safety")
    type(course).objects.filter(pk=course.pk).update(provider=None)
    course.refresh_from_db()
    enrolment = services.enrolment_create(user=worker, course=course)
    assert complete(enrolment) is True
    certificate = Certificate.objects.get(enrolment=enrolment)
    assert certificate.issuer_name == "Jiangxue"
    issuer = certificate.credential["issuer"]
    assert urlparse(issuer["id"]).path == reverse("verify:issuer", args=["platform"])
    assert Client().get(urlparse(issuer["id"]).path).json()["name"] == "Jiangxue"
    assert credentials.credential_verify(
        certificate.credential, keys=credentials.verification_keys()
    )
