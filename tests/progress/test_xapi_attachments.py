"""Statement attachments (xAPI 1.0.3 Data 2.4.11, Communication 1.5.2) and
signed statements (Data 2.6) over HTTP, through Django's test client.

Each refusal is checked against the MUST it breaks and asserts that nothing
was stored: neither a statement nor attachment data."""

import base64
import copy
import datetime
import email
import hashlib
import json
import uuid
from email import policy

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.x509.oid import NameOID

from progress.xapi.models import XAPIAttachment, XAPIStatement
from tests.progress.test_xapi_statements import basic, client_make, statement

SIGNATURE = "http://adlnet.gov/expapi/attachments/signature"
USAGE = "http://example.com/attachment-usage/test"
TEXT = b"here is a simple attachment"
# Binary data with CR, LF, a would-be delimiter line and bytes that are not UTF-8.
BINARY = bytes(range(256)) + b"\r\n--not-the-boundary\r\n\n\r" + "焊接".encode("gbk")
BOUNDARY = "abcABC0123'()+_,-./:=?"


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def attachment(data: bytes = TEXT, *, content_type="text/plain", **extra) -> dict:
    return {
        "usageType": USAGE,
        "display": {"en-US": "A test attachment", "zh-CN": "测试附件"},
        "contentType": content_type,
        "length": len(data),
        "sha2": sha256(data),
        **extra,
    }


def part(data: bytes = TEXT, *, sha2=None, content_type="text/plain", encoding="binary", **headers):
    """One attachment part: (headers, data). ``None`` leaves a header out."""
    fields = {
        "Content-Type": content_type,
        "Content-Transfer-Encoding": encoding,
        "X-Experience-API-Hash": sha256(data) if sha2 is None else sha2,
        **headers,
    }
    return {k: v for k, v in fields.items() if v is not None}, data


def multipart(document, parts=(), *, first_type="application/json", newline="\r\n") -> bytes:
    """A multipart/mixed body the way the spec's example writes one."""
    first = document if isinstance(document, bytes) else json.dumps(document).encode()
    out = [f"--{BOUNDARY}{newline}Content-Type:{first_type}{newline}{newline}".encode(), first]
    for headers, data in parts:
        head = "".join(f"{name}:{value}{newline}" for name, value in headers.items())
        out += [f"{newline}--{BOUNDARY}{newline}{head}{newline}".encode(), data]
    out.append(f"{newline}--{BOUNDARY}--{newline}".encode())
    return b"".join(out)


CONTENT_TYPE = f'multipart/mixed; boundary="{BOUNDARY}"'


def english() -> dict:
    """Credentials and the version header, asking for reasons in English (the
    site's default language is Chinese)."""
    return {**basic(), "HTTP_ACCEPT_LANGUAGE": "en"}


@pytest.fixture
def lrs(db):
    return client_make(can_read_all=True)


@pytest.fixture
def send(client, lrs):
    """POST (or PUT with statement_id) a body to /xapi/statements."""

    def send(body: bytes, *, content_type=CONTENT_TYPE, statement_id=None):
        if statement_id:
            return client.put(
                f"/xapi/statements?statementId={statement_id}",
                data=body,
                content_type=content_type,
                **english(),
            )
        return client.post("/xapi/statements", data=body, content_type=content_type, **english())

    return send


def nothing_stored():
    return XAPIStatement.objects.count() == 0 and XAPIAttachment.objects.count() == 0


def test_multipart_statement_with_attachment_is_stored_with_its_data(send):
    """Communication 1.5.2.s3.b4: a statement whose attachment data comes as a
    part with a matching SHA-2 is accepted; the data is kept once per hash."""
    sent = statement(attachments=[attachment()])
    response = send(multipart(sent, [part()]))
    assert response.status_code == 200, response.content
    [statement_id] = response.json()
    stored = XAPIStatement.objects.get(statement_id=statement_id)
    assert stored.data["attachments"][0]["sha2"] == sha256(TEXT)
    row = XAPIAttachment.objects.get()
    assert (row.sha2, row.content_type, row.length, bytes(row.content)) == (
        sha256(TEXT),
        "text/plain",
        len(TEXT),
        TEXT,
    )


def test_multipart_batch_shares_one_copy_and_keeps_binary_octets(send):
    """A batch whose statements share one attachment and carry a binary one:
    one part per hash, data kept octet for octet (CR, LF, non-UTF-8)."""
    batch = [
        statement(attachments=[attachment()]),
        statement(
            email="lin@example.com",
            attachments=[
                attachment(),
                attachment(BINARY, content_type="application/octet-stream"),
            ],
        ),
    ]
    body = multipart(batch, [part(), part(BINARY, content_type="application/octet-stream")])
    response = send(body)
    assert response.status_code == 200, response.content
    assert len(response.json()) == 2
    stored = {row.sha2: bytes(row.content) for row in XAPIAttachment.objects.all()}
    assert stored == {sha256(TEXT): TEXT, sha256(BINARY): BINARY}


def test_an_upper_case_hash_is_answered_as_the_statement_spells_it(client, send):
    """Hex case does not matter on the way in; on the way out the part's
    X-Experience-API-Hash is the statement's own sha2 string."""
    upper = sha256(TEXT).upper()
    sent = statement(attachments=[attachment(sha2=upper)])
    [statement_id] = send(multipart(sent, [part(sha2=sha256(TEXT))])).json()
    response = client.get(
        "/xapi/statements", {"statementId": statement_id, "attachments": "true"}, **english()
    )
    _json, attached = read_multipart(response)
    assert attached["X-Experience-API-Hash"] == upper
    assert attached.get_payload(decode=True) == TEXT


def test_data_sent_again_with_a_later_statement_is_kept_once(send):
    """One row per hash: a second request carrying the same data stores its
    statement and leaves the data as it was."""
    assert send(multipart(statement(attachments=[attachment()]), [part()])).status_code == 200
    again = statement(email="lin@example.com", attachments=[attachment()])
    assert send(multipart(again, [part()])).status_code == 200
    assert XAPIStatement.objects.count() == 2
    assert XAPIAttachment.objects.count() == 1


def test_multipart_put_and_bare_line_feeds(send):
    """PUT takes multipart/mixed too, and a body with bare LF line ends (as
    the conformance suite's files have) parses the same."""
    statement_id = str(uuid.uuid4())
    body = multipart(statement(attachments=[attachment()]), [part()], newline="\n")
    assert send(body, statement_id=statement_id).status_code == 204
    assert XAPIStatement.objects.filter(statement_id=statement_id).exists()
    assert bytes(XAPIAttachment.objects.get().content) == TEXT


@pytest.mark.parametrize("algorithm", ["sha384", "sha512"])
def test_other_sha2_lengths_are_accepted(send, algorithm):
    """Communication 1.5.2.s4.b4: SHA-256, SHA-384 or SHA-512."""
    digest = hashlib.new(algorithm, TEXT).hexdigest()
    sent = statement(attachments=[attachment(sha2=digest)])
    assert send(multipart(sent, [part(sha2=digest)])).status_code == 200
    assert XAPIAttachment.objects.get().sha2 == digest


def test_file_url_attachments_need_no_part(send):
    """Communication 1.5.1.s1.b2 and 1.5.2.s3.b9: attachments with a fileUrl
    are accepted as application/json and as multipart/mixed without parts."""
    sent = statement(attachments=[attachment(fileUrl="http://over.there.com/file.txt")])
    assert send(json.dumps(sent).encode(), content_type="application/json").status_code == 200
    assert send(multipart(sent)).status_code == 200
    assert XAPIStatement.objects.count() == 2
    assert XAPIAttachment.objects.count() == 0


def test_multipart_without_attachments_is_accepted(send):
    """Communication 1.5.2.s3.b8: multipart/mixed need not carry attachments."""
    assert send(multipart(statement())).status_code == 200


GOOD = statement(attachments=[attachment()])
REFUSALS = {
    # Communication 1.5.2.s1.b4 / 1.5.2.s3.b5: the data must hash to sha2.
    "part data with another hash": (
        multipart(GOOD, [part(b"here is another attachment", sha2=sha256(TEXT))]),
        CONTENT_TYPE,
        "does not have the SHA-2 hash",
    ),
    # 1.5.2.s3.b5: an attachment without fileUrl needs its part.
    "missing part": (multipart(GOOD), CONTENT_TYPE, "has no fileUrl"),
    "missing part in application/json": (
        json.dumps(GOOD).encode(),
        "application/json",
        "has no fileUrl",
    ),
    # 1.5.2.s2.b2.b3: every part after the first is one of the statements' hashes.
    "extra part": (
        multipart(GOOD, [part(), part(BINARY)]),
        CONTENT_TYPE,
        "belongs to no attachment",
    ),
    # 1.5.2.s2.b2.b1: the first part is application/json.
    "first part text/plain": (
        multipart(GOOD, [part()], first_type="text/plain"),
        CONTENT_TYPE,
        "first part",
    ),
    "first part not JSON": (multipart(b"{not json", [part()]), CONTENT_TYPE, "not valid JSON"),
    # The statements all sit in the first part (a second JSON part has no hash).
    "statements split over two parts": (
        multipart(GOOD, [({"Content-Type": "application/json"}, json.dumps(statement()).encode())]),
        CONTENT_TYPE,
        "X-Experience-API-Hash",
    ),
    "no X-Experience-API-Hash": (
        multipart(
            GOOD, [({"Content-Type": "text/plain", "Content-Transfer-Encoding": "binary"}, TEXT)]
        ),
        CONTENT_TYPE,
        "X-Experience-API-Hash",
    ),
    # 1.5.2.s2.b2.b4: Content-Transfer-Encoding: binary on every attachment part.
    "no Content-Transfer-Encoding": (
        multipart(GOOD, [part(encoding=None)]),
        CONTENT_TYPE,
        "Content-Transfer-Encoding",
    ),
    "base64 Content-Transfer-Encoding": (
        multipart(GOOD, [part(base64.b64encode(TEXT), sha2=sha256(TEXT), encoding="base64")]),
        CONTENT_TYPE,
        "Content-Transfer-Encoding",
    ),
    # 1.5.2.s2.b2.b7: a part's Content-Type and Content-Length match the attachment.
    "part Content-Type differs from contentType": (
        multipart(GOOD, [part(content_type="image/png")]),
        CONTENT_TYPE,
        "Content-Type of the part",
    ),
    "part Content-Length differs from length": (
        multipart(GOOD, [part(**{"Content-Length": "3"})]),
        CONTENT_TYPE,
        "Content-Length of the part",
    ),
    # RFC 2046: the boundary is declared, and delimits the parts.
    "no boundary parameter": (multipart(GOOD, [part()]), "multipart/mixed;", "boundary"),
    "boundary not in the body": (
        multipart(GOOD, [part()]).replace(BOUNDARY.encode(), b"other-boundary"),
        CONTENT_TYPE,
        "no part delimited",
    ),
    # Data 2.4.11: only application/json or multipart/mixed.
    "multipart/form-data": (
        multipart(GOOD, [part()]),
        f'multipart/form-data; boundary="{BOUNDARY}"',
        "application/json or multipart/mixed",
    ),
    # The MIME parser reads message/* parts as nested messages, not as octets.
    "message/rfc822 part": (
        multipart(
            statement(attachments=[attachment(content_type="message/rfc822")]),
            [part(content_type="message/rfc822")],
        ),
        CONTENT_TYPE,
        "cannot carry attachment data",
    ),
    # A batch is refused whole: the invalid statement takes the good one with it.
    "invalid statement beside a good one": (
        multipart([GOOD, {**statement(), "verb": {"id": "not an iri"}}], [part()]),
        CONTENT_TYPE,
        "verb.id",
    ),
}


@pytest.mark.parametrize("body,content_type,reason", REFUSALS.values(), ids=REFUSALS.keys())
def test_refused_attachment_requests_store_nothing(send, body, content_type, reason):
    response = send(body, content_type=content_type)
    assert response.status_code == 400, response.content
    assert reason in response.json()["error"]
    assert nothing_stored()


def test_refused_put_stores_nothing(send):
    """PUT is held to the same rules as POST."""
    response = send(multipart(GOOD, [part(), part(BINARY)]), statement_id=str(uuid.uuid4()))
    assert response.status_code == 400
    assert nothing_stored()


def test_a_body_over_the_limit_is_413(send, settings):
    """Communication 1.5.2.s3.b7: the LRS may refuse what is larger than it
    is configured to allow; the reason names the limit."""
    settings.XAPI_ATTACHMENT_MAX_BYTES = 200
    response = send(multipart(GOOD, [part()]))
    assert response.status_code == 413
    assert "200 bytes" in response.json()["error"]
    assert nothing_stored()
    settings.XAPI_ATTACHMENT_MAX_BYTES = 10_000
    assert send(multipart(GOOD, [part()])).status_code == 200


# --- GET with attachments=true -----------------------------------------------------


def read_multipart(response) -> list:
    """The parts of a multipart/mixed response, read with the standard MIME parser."""
    head = f"Content-Type: {response['Content-Type']}\r\n\r\n".encode()
    message = email.message_from_bytes(head + response.content, policy=policy.HTTP)
    assert message.get_content_type() == "multipart/mixed"
    return message.get_payload()


def test_get_attachments_true_returns_each_distinct_hash_once(client, send):
    """Communication 2.1.3 / 1.5.2.s3.b1: the JSON first, then one part per
    attachment hash the returned statements reference, with
    X-Experience-API-Hash and Content-Transfer-Encoding: binary."""
    both = statement(attachments=[attachment(), attachment(BINARY, content_type="image/png")])
    response = send(multipart([GOOD, both], [part(), part(BINARY, content_type="image/png")]))
    first_id, second_id = response.json()
    send(
        json.dumps(statement(attachments=[attachment(b"x", fileUrl="http://e.com/x")])).encode(),
        content_type="application/json",
    )

    response = client.get("/xapi/statements", {"attachments": "true"}, **english())
    assert response.status_code == 200
    first, *rest = read_multipart(response)
    assert first.get_content_type() == "application/json"
    result = json.loads(first.get_payload(decode=True))
    assert len(result["statements"]) == 3
    found = {
        p["X-Experience-API-Hash"]: (
            p["Content-Type"],
            p["Content-Transfer-Encoding"],
            p.get_payload(decode=True),
        )
        for p in rest
    }
    assert len(rest) == 2  # the fileUrl-only attachment has no data here
    assert found == {
        sha256(TEXT): ("text/plain", "binary", TEXT),
        sha256(BINARY): ("image/png", "binary", BINARY),
    }
    for sha2, (_type, _encoding, data) in found.items():
        assert hashlib.sha256(data).hexdigest() == sha2

    response = client.get(
        "/xapi/statements", {"statementId": first_id, "attachments": "true"}, **english()
    )
    first, *rest = read_multipart(response)
    assert json.loads(first.get_payload(decode=True))["id"] == first_id
    assert [p["X-Experience-API-Hash"] for p in rest] == [sha256(TEXT)]

    response = client.get("/xapi/statements", {"statementId": second_id}, **english())
    assert response["Content-Type"] == "application/json"
    assert response.json()["attachments"][1]["sha2"] == sha256(BINARY)


# --- signed statements (Data 2.6) ---------------------------------------------------


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)
OTHER_KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)


def certificate(key) -> str:
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Jiangxue test signer")])
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=1))
        .sign(key, hashes.SHA256())
    )
    from cryptography.hazmat.primitives.serialization import Encoding

    return base64.b64encode(cert.public_bytes(Encoding.DER)).decode()


def jws(payload, *, alg="RS256", x5c=None, key=KEY) -> bytes:
    """A JWS in compact serialization over ``payload`` (a dict or raw text)."""
    header = {"alg": alg, **({"x5c": [x5c]} if x5c else {})}
    body = payload if isinstance(payload, str) else json.dumps(payload)
    signing_input = f"{b64url(json.dumps(header).encode())}.{b64url(body.encode())}"
    digest = {"RS256": hashes.SHA256(), "RS384": hashes.SHA384(), "HS256": hashes.SHA256()}[alg]
    signature = key.sign(signing_input.encode(), padding.PKCS1v15(), digest)
    return f"{signing_input}.{b64url(signature)}".encode()


def signed(signature: bytes | None = None, *, content_type="application/octet-stream", body=None):
    """A statement with a signature attachment, and the multipart body."""
    original = {**statement(), "id": str(uuid.uuid4())}
    signature = jws(original) if signature is None else signature
    sent = copy.deepcopy(body or original)
    sent["attachments"] = [
        {
            **attachment(signature, content_type=content_type),
            "usageType": SIGNATURE,
        }
    ]
    return multipart(sent, [part(signature, content_type=content_type)])


def test_signed_statement_is_accepted_and_its_signature_kept(send):
    """Data 2.6: an RS256 JWS whose payload is the statement as sent."""
    response = send(signed())
    assert response.status_code == 200, response.content
    assert XAPIAttachment.objects.get().content_type == "application/octet-stream"


def test_signed_statement_with_x5c_verifies_against_the_certificate(send):
    """Data 2.6.s5.b3.b3: with an X.509 chain in the header, the signature
    must verify against it."""
    original = {**statement(), "id": str(uuid.uuid4())}
    good = jws(original, alg="RS384", x5c=certificate(KEY))
    assert send(signed(good, body=original)).status_code == 200
    forged = jws(original, x5c=certificate(OTHER_KEY))
    response = send(signed(forged, body={**original, "id": str(uuid.uuid4())}))
    assert response.status_code == 400
    assert "does not verify" in response.json()["error"]


SIGNATURE_REFUSALS = {
    # Data 2.6.s4.b1: contentType application/octet-stream.
    "contentType text/plain": (
        lambda: signed(content_type="text/plain; charset=ascii"),
        "application/octet-stream",
    ),
    # Data 2.6.s4.b4: RS256, RS384 or RS512 only.
    "algorithm HS256": (lambda: signed(jws(statement(), alg="HS256")), "RS256, RS384 or RS512"),
    # Data 2.6.s4.b3: the payload is a valid JSON serialization of the statement.
    "payload not JSON": (
        lambda: signed(jws(json.dumps(statement()).replace('"', "'", 1))),
        "not a valid JSON serialization",
    ),
    "payload another statement": (
        lambda: signed(jws({**statement(), "verb": {"id": "http://example.com/other"}})),
        "differs from the statement sent",
    ),
    "payload with another id": (
        lambda: signed(jws({**statement(), "id": str(uuid.uuid4())})),
        "differs from the statement sent",
    ),
    "not a compact JWS": (lambda: signed(b'{"payload": "e30"}'), "compact serialization"),
}


@pytest.mark.parametrize("build,reason", SIGNATURE_REFUSALS.values(), ids=SIGNATURE_REFUSALS.keys())
def test_malformed_signatures_are_400_and_store_nothing(send, build, reason):
    """Data 2.6.s5.b1: malformed signatures are refused with 400 and a reason."""
    response = send(build())
    assert response.status_code == 400, response.content
    assert reason in response.json()["error"]
    assert nothing_stored()


def test_a_signature_attachment_without_its_part_is_400(send):
    """XAPI-00115: a signature attachment whose JWS is not attached is refused,
    even with a fileUrl."""
    sent = statement(
        attachments=[
            {
                **attachment(b"sig", content_type="application/octet-stream"),
                "usageType": SIGNATURE,
                "fileUrl": "http://e.com/sig",
            }
        ]
    )
    response = send(json.dumps(sent).encode(), content_type="application/json")
    assert response.status_code == 400
    assert "no part" in response.json()["error"]
    assert nothing_stored()
