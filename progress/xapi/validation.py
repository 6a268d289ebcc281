"""Statement validation to the letter of xAPI 1.0.3 (Data, part two, §2.4).

Pure functions over parsed JSON (and, for attachments and signatures, the
data a request carried): no database, no settings. Each rule raises
``XAPIValidationError`` with a reason the LRS returns in its 400 response.
``statement_validate`` also normalises what the spec says an LRS normalises
(a single context Activity becomes a one-element array).
"""

from __future__ import annotations

import base64
import binascii
import json
import re
import uuid
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from django.utils.translation import gettext as _

VOIDED_VERB = "http://adlnet.gov/expapi/verbs/voided"

INTERACTION_TYPES = {
    "true-false",
    "choice",
    "fill-in",
    "long-fill-in",
    "matching",
    "performance",
    "sequencing",
    "likert",
    "numeric",
    "other",
}
# Which interaction component lists each interactionType may carry.
COMPONENT_LISTS = {
    "choices": {"choice", "sequencing"},
    "scale": {"likert"},
    "source": {"matching"},
    "target": {"matching"},
    "steps": {"performance"},
}
IFI_KEYS = ("mbox", "mbox_sha1sum", "openid", "account")
CONTEXT_ACTIVITY_KEYS = ("parent", "grouping", "category", "other")

STATEMENT_KEYS = {
    "id",
    "actor",
    "verb",
    "object",
    "result",
    "context",
    "timestamp",
    "stored",
    "authority",
    "version",
    "attachments",
}
SUBSTATEMENT_KEYS = {
    "objectType",
    "actor",
    "verb",
    "object",
    "result",
    "context",
    "timestamp",
    "attachments",
}
# Properties a SubStatement must not carry (Data 2.4.4.3.s2).
SUBSTATEMENT_FORBIDDEN = ("id", "stored", "version", "authority")

_IRI = re.compile(r"^[A-Za-z][A-Za-z0-9+.\-]*:[^\s<>\"{}|\\^`]*$")
_UUID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")
_SHA1 = re.compile(r"^[0-9a-fA-F]{40}$")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+$")
# RFC 5646 language tags, simplified to the grammar's shape: a 2–3 letter
# (or 4–8 letter registered) primary subtag and 1–8 character subtags, or a
# private-use / grandfathered tag.
_LANG = re.compile(
    r"^(?:[A-Za-z]{2,3}(?:-[A-Za-z]{3}){0,3}|[A-Za-z]{4,8})"
    r"(?:-[A-Za-z]{4})?(?:-(?:[A-Za-z]{2}|[0-9]{3}))?"
    r"(?:-(?:[A-Za-z0-9]{5,8}|[0-9][A-Za-z0-9]{3}))*"
    r"(?:-[0-9A-WY-Za-wy-z](?:-[A-Za-z0-9]{2,8})+)*"
    r"(?:-[xX](?:-[A-Za-z0-9]{1,8})+)?$"
    r"|^[xX](?:-[A-Za-z0-9]{1,8})+$"
    r"|^[iI]-[A-Za-z]+$"
)
# ISO 8601 extended (2026-11-22T03:06:26.5+08:00) or basic (20261122T030626.5+0800).
_TIMESTAMP = re.compile(
    r"^(?:(?P<date>\d{4}-\d{2}-\d{2})T(?P<h>\d{2}):(?P<m>\d{2})(?::(?P<s>\d{2})(?P<frac>[.,]\d+)?)?"
    r"(?P<tz>Z|[+-]\d{2}(?::?\d{2})?)?"
    r"|(?P<bdate>\d{8})T(?P<bh>\d{2})(?P<bm>\d{2})(?:(?P<bs>\d{2})(?P<bfrac>[.,]\d+)?)?"
    r"(?P<btz>Z|[+-]\d{2}(?:\d{2})?)?)$"
)
_DURATION = re.compile(
    r"^P(?!$)(?:\d+(?:\.\d+)?Y)?(?:\d+(?:\.\d+)?M)?(?:\d+(?:\.\d+)?W)?(?:\d+(?:\.\d+)?D)?"
    r"(?:T(?=\d)(?:\d+(?:\.\d+)?H)?(?:\d+(?:\.\d+)?M)?(?:\d+(?:\.\d+)?S)?)?$"
)
_VERSION = re.compile(r"^1\.0(?:\.\d+)?$")


class XAPIValidationError(ValueError):
    """A statement or request parameter breaks a rule of xAPI 1.0.3 (→ 400)."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class DuplicateProperty(ValueError):
    """A JSON object names one property twice (→ ``json_load`` refuses it)."""


def _unique_pairs(pairs: list[tuple[str, Any]]) -> dict:
    found: dict = {}
    for key, value in pairs:
        if key in found:
            raise DuplicateProperty(key)
        found[key] = value
    return found


def _not_json(constant: str) -> None:
    raise ValueError(constant)


def json_load(data: bytes, *, invalid: str) -> Any:
    """Parse the UTF-8 JSON of a statement request, refusing an object that
    uses a property twice ("A Statement MUST use each property no more than
    one time", Data 2.2.s2.b2), which Python's parser would silently settle
    by keeping the last, and the NaN and Infinity it would accept though JSON
    has no such values. Any failure is ``XAPIValidationError``; ``invalid``
    is the reason given for data that is not JSON at all."""
    try:
        return json.loads(
            data.decode("utf-8"), object_pairs_hook=_unique_pairs, parse_constant=_not_json
        )
    except DuplicateProperty as error:
        raise XAPIValidationError(
            _("The property %(name)s is used more than once in one object.")
            % {"name": error.args[0]}
        ) from None
    except (UnicodeDecodeError, ValueError):
        raise XAPIValidationError(invalid) from None


def _fail(message: str, path: str) -> None:
    raise XAPIValidationError(f"{path}: {message}" if path else message)


# --- scalar types -------------------------------------------------------------


def _object(value: Any, path: str, allowed: set[str] | None = None) -> dict:
    if not isinstance(value, dict):
        _fail(_("must be a JSON object"), path)
    if allowed is not None:
        unknown = sorted(set(value) - allowed)
        if unknown:
            _fail(_("unknown property %(name)s") % {"name": unknown[0]}, path)
    for key, item in value.items():
        if item is None:
            _fail(_("must not be null"), f"{path}.{key}")
    return value


def _string(value: Any, path: str) -> str:
    if not isinstance(value, str):
        _fail(_("must be a string"), path)
    return value


def _boolean(value: Any, path: str) -> bool:
    if not isinstance(value, bool):
        _fail(_("must be true or false"), path)
    return value


def _number(value: Any, path: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        _fail(_("must be a number"), path)
    return value


def iri_validate(value: Any, path: str = "iri") -> str:
    """An absolute IRI: a scheme, a colon, and no characters IRIs forbid."""
    if not isinstance(value, str) or not _IRI.match(value):
        _fail(_("must be an absolute IRI"), path)
    return value


def uuid_validate(value: Any, path: str = "id") -> str:
    if not isinstance(value, str) or not _UUID.match(value):
        _fail(_("must be a UUID"), path)
    return str(uuid.UUID(value))


def language_tag_validate(value: Any, path: str = "language") -> str:
    if not isinstance(value, str) or not _LANG.match(value):
        _fail(_("must be an RFC 5646 language tag"), path)
    return value


def language_map_validate(value: Any, path: str) -> dict:
    """A Language Map: an object of at least one RFC 5646 tag and its text
    (Data 4.2; the conformance suite refuses an empty map, as XAPI-00001
    refuses an empty object anywhere but in extensions)."""
    _object(value, path)
    if not value:
        _fail(_("a language map must have at least one language"), path)
    for tag, text in value.items():
        language_tag_validate(tag, f"{path}[{tag}]")
        _string(text, f"{path}.{tag}")
    return value


def extensions_validate(value: Any, path: str) -> dict:
    if not isinstance(value, dict):
        _fail(_("must be a JSON object"), path)
    for key in value:
        iri_validate(key, f"{path}[{key}]")
    return value


def timestamp_parse(value: Any, path: str = "timestamp") -> datetime:
    """An ISO 8601 combined date and time. A missing offset means UTC; the
    "unknown local offset" forms -00, -0000 and -00:00 are refused
    (Data 2.4.7.s4.b1)."""
    match = _TIMESTAMP.match(value) if isinstance(value, str) else None
    if not match:
        _fail(_("must be an ISO 8601 date and time"), path)
    if match["bdate"]:
        date = match["bdate"]
        date, hour, minute = f"{date[:4]}-{date[4:6]}-{date[6:]}", match["bh"], match["bm"]
        second, frac, tz = match["bs"], match["bfrac"], match["btz"]
    else:
        date, hour, minute = match["date"], match["h"], match["m"]
        second, frac, tz = match["s"], match["frac"], match["tz"]
    if tz and tz.startswith("-") and set(tz[1:].replace(":", "")) == {"0"}:
        _fail(_("must not use the offset -00:00"), path)
    try:
        offset = UTC
        if tz and tz != "Z":
            digits = tz[1:].replace(":", "")
            hours, minutes = int(digits[:2]), int(digits[2:4] or 0)
            if hours > 23 or minutes > 59:
                raise ValueError
            delta = timedelta(hours=hours, minutes=minutes)
            offset = timezone(-delta if tz[0] == "-" else delta)
        micro = int(((frac or ".0")[1:] + "000000")[:6])
        year, month, day = (int(part) for part in date.split("-"))
        return datetime(
            year,
            month,
            day,
            int(hour),
            int(minute),
            int(second or 0),
            micro,
            tzinfo=offset,
        )
    except ValueError:
        _fail(_("must be an ISO 8601 date and time"), path)


def duration_validate(value: Any, path: str = "result.duration") -> str:
    if not isinstance(value, str) or not _DURATION.match(value):
        _fail(_("must be an ISO 8601 duration"), path)
    return value


# --- actors -------------------------------------------------------------------


def _ifis(value: dict, path: str) -> list[str]:
    present = [key for key in IFI_KEYS if key in value]
    for key in present:
        item = value[key]
        where = f"{path}.{key}"
        if key == "mbox":
            if (
                not isinstance(item, str)
                or not item.startswith("mailto:")
                or not _EMAIL.match(item[7:])
            ):
                _fail(_("must be a mailto: IRI of an e-mail address"), where)
        elif key == "mbox_sha1sum":
            if not isinstance(item, str) or not _SHA1.match(item):
                _fail(_("must be the hex SHA-1 of a mailto: IRI"), where)
        elif key == "openid":
            iri_validate(item, where)
        else:
            _object(item, where, {"homePage", "name"})
            if "homePage" not in item or "name" not in item:
                _fail(_("must have homePage and name"), where)
            iri_validate(item["homePage"], f"{where}.homePage")
            _string(item["name"], f"{where}.name")
    return present


def agent_validate(value: Any, path: str = "actor") -> dict:
    """An Agent: optional objectType "Agent", optional name, exactly one IFI."""
    _object(value, path, {"objectType", "name", *IFI_KEYS})
    if "objectType" in value and value["objectType"] != "Agent":
        _fail(_("objectType must be Agent"), path)
    if "name" in value:
        _string(value["name"], f"{path}.name")
    if len(_ifis(value, path)) != 1:
        _fail(_("an Agent must have exactly one inverse functional identifier"), path)
    return value


def group_validate(value: Any, path: str = "actor") -> dict:
    """A Group: objectType "Group"; identified (exactly one IFI, members
    optional) or anonymous (no IFI, members required). Members are Agents."""
    _object(value, path, {"objectType", "name", "member", *IFI_KEYS})
    if value.get("objectType") != "Group":
        _fail(_("objectType must be Group"), path)
    if "name" in value:
        _string(value["name"], f"{path}.name")
    ifis = _ifis(value, path)
    if len(ifis) > 1:
        _fail(_("a Group must have at most one inverse functional identifier"), path)
    if "member" in value:
        if not isinstance(value["member"], list):
            _fail(_("must be an array of Agents"), f"{path}.member")
        for n, member in enumerate(value["member"]):
            agent_validate(member, f"{path}.member[{n}]")
    if not ifis and not value.get("member"):
        _fail(_("an anonymous Group must list its members"), path)
    return value


def actor_validate(value: Any, path: str = "actor") -> dict:
    if isinstance(value, dict) and value.get("objectType") == "Group":
        return group_validate(value, path)
    return agent_validate(value, path)


def authority_validate(value: Any, path: str = "authority") -> dict:
    """An Agent, or an anonymous Group of exactly two Agents (the OAuth
    consumer and user, Data 2.4.9.s3.b1)."""
    actor_validate(value, path)
    if value.get("objectType") == "Group":
        if any(key in value for key in IFI_KEYS) or len(value.get("member", [])) != 2:
            _fail(_("an authority Group must be anonymous with exactly two members"), path)
    return value


# --- verb and objects ---------------------------------------------------------


def verb_validate(value: Any, path: str = "verb") -> dict:
    _object(value, path, {"id", "display"})
    if "id" not in value:
        _fail(_("a Verb must have an id"), path)
    iri_validate(value["id"], f"{path}.id")
    if "display" in value:
        language_map_validate(value["display"], f"{path}.display")
    return value


def _components(value: Any, path: str) -> None:
    if not isinstance(value, list):
        _fail(_("must be an array of interaction components"), path)
    seen = set()
    for n, component in enumerate(value):
        where = f"{path}[{n}]"
        _object(component, where, {"id", "description"})
        if "id" not in component:
            _fail(_("an interaction component must have an id"), where)
        _string(component["id"], f"{where}.id")
        if component["id"] in seen:
            _fail(_("interaction component ids must be unique"), where)
        seen.add(component["id"])
        if "description" in component:
            language_map_validate(component["description"], f"{where}.description")


def activity_definition_validate(value: Any, path: str) -> dict:
    _object(
        value,
        path,
        {
            "name",
            "description",
            "type",
            "moreInfo",
            "extensions",
            "interactionType",
            "correctResponsesPattern",
            *COMPONENT_LISTS,
        },
    )
    for key in ("name", "description"):
        if key in value:
            language_map_validate(value[key], f"{path}.{key}")
    for key in ("type", "moreInfo"):
        if key in value:
            iri_validate(value[key], f"{path}.{key}")
    if "extensions" in value:
        extensions_validate(value["extensions"], f"{path}.extensions")
    interaction = value.get("interactionType")
    if "interactionType" in value and interaction not in INTERACTION_TYPES:
        _fail(_("unknown interactionType"), f"{path}.interactionType")
    if "correctResponsesPattern" in value:
        if interaction is None:
            _fail(_("correctResponsesPattern needs an interactionType"), path)
        pattern = value["correctResponsesPattern"]
        if not isinstance(pattern, list) or not all(isinstance(p, str) for p in pattern):
            _fail(_("must be an array of strings"), f"{path}.correctResponsesPattern")
    for key, types in COMPONENT_LISTS.items():
        if key in value:
            if interaction not in types:
                _fail(_("%(list)s is not allowed for this interactionType") % {"list": key}, path)
            _components(value[key], f"{path}.{key}")
    return value


def activity_validate(value: Any, path: str = "object") -> dict:
    _object(value, path, {"objectType", "id", "definition"})
    if "objectType" in value and value["objectType"] != "Activity":
        _fail(_("objectType must be Activity"), path)
    if "id" not in value:
        _fail(_("an Activity must have an id"), path)
    iri_validate(value["id"], f"{path}.id")
    if "definition" in value:
        activity_definition_validate(value["definition"], f"{path}.definition")
    return value


def statement_ref_validate(value: Any, path: str) -> dict:
    _object(value, path, {"objectType", "id"})
    if value.get("objectType") != "StatementRef":
        _fail(_("objectType must be StatementRef"), path)
    if "id" not in value:
        _fail(_("a StatementRef must have an id"), path)
    uuid_validate(value["id"], f"{path}.id")
    return value


def _object_validate(value: Any, path: str, *, in_substatement: bool) -> dict:
    if not isinstance(value, dict):
        _fail(_("must be a JSON object"), path)
    kind = value.get("objectType", "Activity")
    if kind == "Activity":
        return activity_validate(value, path)
    if kind == "Agent":
        return agent_validate(value, path)
    if kind == "Group":
        return group_validate(value, path)
    if kind == "StatementRef":
        return statement_ref_validate(value, path)
    if kind == "SubStatement":
        if in_substatement:
            _fail(_("a SubStatement must not contain a SubStatement"), path)
        return _substatement_validate(value, path)
    _fail(_("unknown objectType"), path)


# --- result and context -------------------------------------------------------


def result_validate(value: Any, path: str = "result") -> dict:
    _object(value, path, {"score", "success", "completion", "response", "duration", "extensions"})
    if "score" in value:
        score = _object(value["score"], f"{path}.score", {"scaled", "raw", "min", "max"})
        for key in score:
            _number(score[key], f"{path}.score.{key}")
        if "scaled" in score and not -1 <= score["scaled"] <= 1:
            _fail(_("scaled must be between -1 and 1"), f"{path}.score")
        if "min" in score and "max" in score and score["min"] >= score["max"]:
            _fail(_("min must be less than max"), f"{path}.score")
        if "raw" in score:
            if "min" in score and score["raw"] < score["min"]:
                _fail(_("raw must not be below min"), f"{path}.score")
            if "max" in score and score["raw"] > score["max"]:
                _fail(_("raw must not be above max"), f"{path}.score")
    for key in ("success", "completion"):
        if key in value:
            _boolean(value[key], f"{path}.{key}")
    if "response" in value:
        _string(value["response"], f"{path}.response")
    if "duration" in value:
        duration_validate(value["duration"], f"{path}.duration")
    if "extensions" in value:
        extensions_validate(value["extensions"], f"{path}.extensions")
    return value


def context_validate(value: Any, statement_object: dict, path: str = "context") -> dict:
    """Validate a context and normalise each contextActivities entry to an
    array (Data 2.4.6.2.s4.b1)."""
    _object(
        value,
        path,
        {
            "registration",
            "instructor",
            "team",
            "contextActivities",
            "revision",
            "platform",
            "language",
            "statement",
            "extensions",
        },
    )
    if "registration" in value:
        uuid_validate(value["registration"], f"{path}.registration")
    if "instructor" in value:
        actor_validate(value["instructor"], f"{path}.instructor")
    if "team" in value:
        group_validate(value["team"], f"{path}.team")
    object_is_activity = statement_object.get("objectType", "Activity") == "Activity"
    for key in ("revision", "platform"):
        if key in value:
            _string(value[key], f"{path}.{key}")
            if not object_is_activity:
                _fail(
                    _("%(name)s is only allowed when the object is an Activity") % {"name": key},
                    path,
                )
    if "language" in value:
        language_tag_validate(value["language"], f"{path}.language")
    if "statement" in value:
        statement_ref_validate(value["statement"], f"{path}.statement")
    if "extensions" in value:
        extensions_validate(value["extensions"], f"{path}.extensions")
    if "contextActivities" in value:
        activities = _object(
            value["contextActivities"], f"{path}.contextActivities", set(CONTEXT_ACTIVITY_KEYS)
        )
        for key in list(activities):
            items = activities[key]
            if isinstance(items, dict):
                items = activities[key] = [items]
            if not isinstance(items, list):
                _fail(
                    _("must be an Activity or an array of Activities"),
                    f"{path}.contextActivities.{key}",
                )
            for n, item in enumerate(items):
                activity_validate(item, f"{path}.contextActivities.{key}[{n}]")
    return value


def attachments_validate(value: Any, path: str = "attachments") -> list:
    if not isinstance(value, list):
        _fail(_("must be an array"), path)
    for n, item in enumerate(value):
        where = f"{path}[{n}]"
        _object(
            item,
            where,
            {"usageType", "display", "description", "contentType", "length", "sha2", "fileUrl"},
        )
        for key in ("usageType", "display", "contentType", "length", "sha2"):
            if key not in item:
                _fail(_("an attachment must have %(name)s") % {"name": key}, where)
        iri_validate(item["usageType"], f"{where}.usageType")
        language_map_validate(item["display"], f"{where}.display")
        if "description" in item:
            language_map_validate(item["description"], f"{where}.description")
        _string(item["contentType"], f"{where}.contentType")
        if (
            isinstance(item["length"], bool)
            or not isinstance(item["length"], int)
            or item["length"] < 0
        ):
            _fail(_("must be a non-negative integer"), f"{where}.length")
        _string(item["sha2"], f"{where}.sha2")
        if "fileUrl" in item:
            iri_validate(item["fileUrl"], f"{where}.fileUrl")
    return value


# --- attachment data and signatures (Communication 1.5.2, Data 2.6) ---------

SIGNATURE_USAGE = "http://adlnet.gov/expapi/attachments/signature"
# The JWS algorithms a statement signature may use (Data 2.6.s4.b4).
JWS_ALGORITHMS = {"RS256": hashes.SHA256, "RS384": hashes.SHA384, "RS512": hashes.SHA512}


def statement_attachments(statement: dict) -> list[dict]:
    """The Attachment Objects of a statement and of its SubStatement."""
    found = list(statement.get("attachments") or [])
    target = statement.get("object")
    if isinstance(target, dict) and target.get("objectType") == "SubStatement":
        found += target.get("attachments") or []
    return [a for a in found if isinstance(a, dict)]


def attachment_parts_validate(statements: list[dict], parts: dict) -> None:
    """The attachment data of a request against its statements
    (Communication 1.5.2.s2, 1.5.2.s3.b5, Data 2.6.s4.b1): every attachment
    without a fileUrl, and every signature, has a part with its hash; every
    part is one a statement declares; where a part sends Content-Type or
    Content-Length they agree with the attachment. ``parts`` maps lower-case
    hashes to ``attachments.Part`` (empty for an application/json body)."""
    declared: dict[str, list[dict]] = {}
    for statement in statements:
        for attachment in statement_attachments(statement):
            sha2 = str(attachment["sha2"]).lower()
            declared.setdefault(sha2, []).append(attachment)
            if attachment["usageType"] == SIGNATURE_USAGE:
                if media_type(attachment["contentType"]) != "application/octet-stream":
                    raise XAPIValidationError(
                        _(
                            "A signature attachment must have the contentType "
                            "application/octet-stream."
                        )
                    )
                if sha2 not in parts:
                    raise XAPIValidationError(
                        _("The signature attachment %(sha2)s has no part with its data.")
                        % {"sha2": sha2}
                    )
            elif "fileUrl" not in attachment and sha2 not in parts:
                raise XAPIValidationError(
                    _(
                        "The attachment %(sha2)s has no fileUrl, so its data must be sent "
                        "as a multipart/mixed part with that X-Experience-API-Hash."
                    )
                    % {"sha2": sha2}
                )
    for sha2, part in parts.items():
        attachments = declared.get(sha2)
        if not attachments:
            raise XAPIValidationError(
                _("The part with hash %(sha2)s belongs to no attachment of the statements.")
                % {"sha2": sha2}
            )
        if part.content_type and not any(
            media_type(a["contentType"]) == media_type(part.content_type) for a in attachments
        ):
            raise XAPIValidationError(
                _(
                    "The Content-Type of the part %(sha2)s does not match "
                    "its attachment's contentType."
                )
                % {"sha2": sha2}
            )
        if part.content_length is not None and not any(
            a["length"] == part.content_length for a in attachments
        ):
            raise XAPIValidationError(
                _("The Content-Length of the part %(sha2)s does not match its attachment's length.")
                % {"sha2": sha2}
            )


def media_type(value: str) -> str:
    """``type/subtype`` of a Content-Type value, lower case, without
    parameters."""
    return value.split(";", 1)[0].strip().lower()


def _base64url(segment: str) -> bytes:
    if not re.fullmatch(r"[A-Za-z0-9_-]*", segment):
        raise ValueError(segment)
    return base64.urlsafe_b64decode(segment + "=" * (-len(segment) % 4))


def jws_statement(data: bytes) -> dict:
    """The statement a signature attachment signed (Data 2.6.s5.b3): the
    payload of a JWS in compact serialization whose ``alg`` is RS256, RS384
    or RS512; when the JWS header carries an X.509 chain (``x5c``), the
    signature must verify against its first certificate.

    Decoding is done here rather than with a JOSE library: the project's
    dependencies include ``cryptography`` (used for the RSA check) but no
    JWS library, and the compact form is three base64url segments. The JWS
    JSON serialization, which the spec strongly discourages, is refused."""
    try:
        text = data.decode("ascii").strip()
        header_b64, payload_b64, signature_b64 = text.split(".")
        header = json.loads(_base64url(header_b64))
        payload_bytes = _base64url(payload_b64)
        signature = _base64url(signature_b64)
    except ValueError:
        raise XAPIValidationError(
            _("The signature is not a JWS in compact serialization.")
        ) from None
    if not isinstance(header, dict) or header.get("alg") not in JWS_ALGORITHMS:
        raise XAPIValidationError(
            _("The JWS signature must use the algorithm RS256, RS384 or RS512.")
        )
    try:
        payload = json_load(
            payload_bytes, invalid=_("The JWS payload is not a valid JSON serialization.")
        )
    except XAPIValidationError:
        payload = None
    if not isinstance(payload, dict):
        raise XAPIValidationError(
            _("The JWS payload is not a valid JSON serialization of a statement.")
        )
    if "x5c" in header:
        _jws_certificate_verify(header, f"{header_b64}.{payload_b64}".encode("ascii"), signature)
    return payload


def _jws_certificate_verify(header: dict, signing_input: bytes, signature: bytes) -> None:
    """Check an RSA JWS signature against the first certificate of ``x5c``
    (RFC 7515 §4.1.6: standard base64 of DER)."""
    chain = header["x5c"]
    try:
        if not isinstance(chain, list) or not chain or not isinstance(chain[0], str):
            raise ValueError
        certificate = x509.load_der_x509_certificate(base64.b64decode(chain[0], validate=True))
        key = certificate.public_key()
        if not isinstance(key, rsa.RSAPublicKey):
            raise ValueError
    except (ValueError, binascii.Error):
        raise XAPIValidationError(
            _("The x5c header of the JWS signature does not hold an RSA X.509 certificate.")
        ) from None
    try:
        key.verify(signature, signing_input, padding.PKCS1v15(), JWS_ALGORITHMS[header["alg"]]())
    except InvalidSignature:
        raise XAPIValidationError(
            _("The JWS signature does not verify against the certificate in its x5c header.")
        ) from None


# --- statements ---------------------------------------------------------------


def _core_validate(value: dict, path: str, *, in_substatement: bool) -> None:
    for key in ("actor", "verb", "object"):
        if key not in value:
            _fail(_("%(name)s is required") % {"name": key}, path)
    actor_validate(value["actor"], f"{path}.actor" if path else "actor")
    verb_validate(value["verb"], f"{path}.verb" if path else "verb")
    statement_object = _object_validate(
        value["object"], f"{path}.object" if path else "object", in_substatement=in_substatement
    )
    if value["verb"]["id"] == VOIDED_VERB and statement_object.get("objectType") != "StatementRef":
        _fail(_("a voiding statement's object must be a StatementRef"), path or "object")
    if "result" in value:
        result_validate(value["result"], f"{path}.result" if path else "result")
    if "context" in value:
        context_validate(
            value["context"], statement_object, f"{path}.context" if path else "context"
        )
    if "timestamp" in value:
        timestamp_parse(value["timestamp"], f"{path}.timestamp" if path else "timestamp")
    if "attachments" in value:
        attachments_validate(value["attachments"], f"{path}.attachments" if path else "attachments")


def _substatement_validate(value: dict, path: str) -> dict:
    for key in SUBSTATEMENT_FORBIDDEN:
        if key in value:
            _fail(_("a SubStatement must not have %(name)s") % {"name": key}, path)
    _object(value, path, SUBSTATEMENT_KEYS)
    _core_validate(value, path, in_substatement=True)
    return value


def statement_validate(value: Any) -> dict:
    """Validate one statement as a Learning Record Provider sent it; returns
    the same dict, normalised in place. ``stored`` and ``authority`` are
    accepted here because the LRS overwrites them."""
    if not isinstance(value, dict):
        raise XAPIValidationError(_("A statement must be a JSON object."))
    _object(value, "statement", STATEMENT_KEYS)
    if "id" in value:
        value["id"] = uuid_validate(value["id"], "id")
    _core_validate(value, "", in_substatement=False)
    if "stored" in value:
        timestamp_parse(value["stored"], "stored")
    if "authority" in value:
        authority_validate(value["authority"])
    if "version" in value and (
        not isinstance(value["version"], str) or not _VERSION.match(value["version"])
    ):
        _fail(_("must be 1.0.x"), "version")
    return value


def version_header_validate(value: str | None) -> str:
    """The X-Experience-API-Version request header: 1.0 or 1.0.x."""
    if not value:
        raise XAPIValidationError(_("The X-Experience-API-Version header is required."))
    if not _VERSION.match(value.strip()):
        raise XAPIValidationError(_("Unsupported X-Experience-API-Version."))
    return value.strip()
