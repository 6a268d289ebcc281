"""Signed credentials: Open Badges 3.0 ``OpenBadgeCredential`` documents (W3C
Verifiable Credentials 2.0) secured with a Data Integrity proof of the
``eddsa-jcs-2022`` cryptosuite (W3C "Data Integrity EdDSA Cryptosuites v1.0"):

- the document without its proof and the proof options (with the document's
  ``@context``) without ``proofValue`` are each canonicalised with JCS
  (RFC 8785, the ``rfc8785`` package) and hashed with SHA-256;
- Ed25519 signs ``hash(proof options) || hash(document)``;
- ``proofValue`` is the signature in multibase base58btc (``z…``).

The signing key is ``CREDENTIAL_SIGNING_KEY`` (a PEM or the base64 of the raw
32 bytes, like the ledger's key), or with DEBUG on a development key kept in
``CREDENTIAL_DEV_KEY_PATH``. Public keys are published at ``/verify/keys.json``
as Multikeys; ``verificationMethod`` is ``<that URL>#<key id>``, so a verifier
holding the file (or one key) needs no network. Nothing here touches the
database.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from pathlib import Path

import base58
import rfc8785
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from lms.ledger import _development_key, load_private_key, load_public_key

__all__ = [
    "CONTEXTS",
    "CRYPTOSUITE",
    "CredentialInvalid",
    "credential_sign",
    "credential_verify",
    "key_id",
    "keys_document",
    "public_key_multibase",
    "signing_key",
    "verification_keys",
    "verification_method",
]

CONTEXTS = [
    "https://www.w3.org/ns/credentials/v2",
    "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
]
CRYPTOSUITE = "eddsa-jcs-2022"
KEYS_PATH = "/verify/keys.json"
# Multicodec prefix of an Ed25519 public key (0xed, varint-encoded).
_ED25519_PUB = b"\xed\x01"


class CredentialInvalid(Exception):
    """The credential does not verify; the message says why."""


def _raw(public: Ed25519PublicKey) -> bytes:
    return public.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def key_id(public: Ed25519PublicKey) -> str:
    """A short stable name of a public key: the first 16 hex digits of the
    SHA-256 of its raw bytes."""
    return hashlib.sha256(_raw(public)).hexdigest()[:16]


def public_key_multibase(public: Ed25519PublicKey) -> str:
    """The key as a Multikey ``publicKeyMultibase`` (``z6Mk…``)."""
    return "z" + base58.b58encode(_ED25519_PUB + _raw(public)).decode()


def _public_from_multibase(value: str) -> Ed25519PublicKey:
    if not value.startswith("z"):
        raise ValueError("not base58btc")
    raw = base58.b58decode(value[1:])
    if not raw.startswith(_ED25519_PUB) or len(raw) != 34:
        raise ValueError("not an Ed25519 Multikey")
    return Ed25519PublicKey.from_public_bytes(raw[2:])


def signing_key() -> Ed25519PrivateKey:
    """``CREDENTIAL_SIGNING_KEY``, or with DEBUG on the development key."""
    if settings.CREDENTIAL_SIGNING_KEY:
        return load_private_key(settings.CREDENTIAL_SIGNING_KEY)
    if not settings.DEBUG:
        raise ImproperlyConfigured("CREDENTIAL_SIGNING_KEY must be set when DEBUG is off.")
    return _development_key(Path(settings.CREDENTIAL_DEV_KEY_PATH))


def verification_keys() -> list[Ed25519PublicKey]:
    """The current signing key's public half and the retired ones
    (``CREDENTIAL_PUBLIC_KEYS``), which still verify what they signed."""
    keys = [signing_key().public_key()]
    keys += [load_public_key(value) for value in settings.CREDENTIAL_PUBLIC_KEYS]
    return keys


def verification_method(*, base_url: str, public: Ed25519PublicKey) -> str:
    return f"{base_url.rstrip('/')}{KEYS_PATH}#{key_id(public)}"


def keys_document(*, base_url: str, keys: Iterable[Ed25519PublicKey]) -> dict:
    """The published keys: a controller document of Multikeys, each usable
    for ``assertionMethod`` (issuing credentials)."""
    controller = base_url.rstrip("/") + KEYS_PATH
    methods = [
        {
            "id": verification_method(base_url=base_url, public=public),
            "type": "Multikey",
            "controller": controller,
            "publicKeyMultibase": public_key_multibase(public),
        }
        for public in keys
    ]
    return {
        "@context": ["https://www.w3.org/ns/did/v1", "https://w3id.org/security/multikey/v1"],
        "id": controller,
        "verificationMethod": methods,
        "assertionMethod": [method["id"] for method in methods],
    }


def _hash_data(document: dict, proof_options: dict) -> bytes:
    return (
        hashlib.sha256(rfc8785.dumps(proof_options)).digest()
        + hashlib.sha256(rfc8785.dumps(document)).digest()
    )


def credential_sign(
    document: dict, *, key: Ed25519PrivateKey, verification_method: str, created: str
) -> dict:
    """``document`` with an ``eddsa-jcs-2022`` DataIntegrityProof added.
    ``created`` is an XML Schema dateTime (``2026-12-04T10:00:00Z``)."""
    unsecured = {name: value for name, value in document.items() if name != "proof"}
    options = {
        "type": "DataIntegrityProof",
        "cryptosuite": CRYPTOSUITE,
        "created": created,
        "verificationMethod": verification_method,
        "proofPurpose": "assertionMethod",
    }
    if "@context" in unsecured:
        options["@context"] = unsecured["@context"]
    signature = key.sign(_hash_data(unsecured, options))
    proof = {**options, "proofValue": "z" + base58.b58encode(signature).decode()}
    return {**unsecured, "proof": proof}


def _key_for(method: str, keys: dict[str, Ed25519PublicKey] | None, document: dict | None):
    fragment = method.rpartition("#")[2]
    if keys is not None:
        if fragment in keys:
            return keys[fragment]
        if len(keys) == 1:  # one key given by hand: try it whatever the name
            return next(iter(keys.values()))
        raise CredentialInvalid(f"No public key for the verification method {method}.")
    if document is not None:  # a keys.json file
        for entry in document.get("verificationMethod", []):
            if entry.get("id") == method:
                return _public_from_multibase(entry.get("publicKeyMultibase", ""))
    raise CredentialInvalid(f"No public key for the verification method {method}.")


def credential_verify(
    credential: dict,
    *,
    keys: Iterable[Ed25519PublicKey] | None = None,
    keys_file: dict | None = None,
) -> dict:
    """Check the credential's proof against ``keys`` (or a published keys
    document); returns the proof, raises ``CredentialInvalid`` with the
    reason. Checks only the signature and its shape: whether the
    certificate was revoked since is the verification page's to say."""
    if not isinstance(credential, dict):
        raise CredentialInvalid("The credential is not a JSON object.")
    proof = credential.get("proof")
    if not isinstance(proof, dict):
        raise CredentialInvalid("The credential has no proof.")
    if proof.get("type") != "DataIntegrityProof" or proof.get("cryptosuite") != CRYPTOSUITE:
        raise CredentialInvalid(f"The proof is not a DataIntegrityProof of {CRYPTOSUITE}.")
    if proof.get("proofPurpose") != "assertionMethod":
        raise CredentialInvalid("The proof's purpose is not assertionMethod.")
    value = proof.get("proofValue")
    method = proof.get("verificationMethod")
    if not isinstance(value, str) or not value.startswith("z"):
        raise CredentialInvalid("The proofValue is not multibase base58btc.")
    if not isinstance(method, str):
        raise CredentialInvalid("The proof names no verification method.")
    try:
        signature = base58.b58decode(value[1:])
    except ValueError as exc:
        raise CredentialInvalid("The proofValue is not valid base58.") from exc
    if len(signature) != 64:
        raise CredentialInvalid("The proofValue is not an Ed25519 signature.")
    unsecured = {name: item for name, item in credential.items() if name != "proof"}
    options = {name: item for name, item in proof.items() if name != "proofValue"}
    if "@context" in options:
        if options["@context"] != unsecured.get("@context"):
            raise CredentialInvalid("The proof's @context differs from the credential's.")
    elif "@context" in unsecured:
        options["@context"] = unsecured["@context"]
    by_id = None if keys is None else {key_id(public): public for public in keys}
    try:
        public = _key_for(method, by_id, keys_file)
    except ValueError as exc:
        raise CredentialInvalid(f"The published key is unusable: {exc}.") from exc
    try:
        data = _hash_data(unsecured, options)
    except (rfc8785.CanonicalizationError, TypeError, ValueError) as exc:
        raise CredentialInvalid(f"The credential cannot be canonicalised: {exc}.") from exc
    try:
        public.verify(signature, data)
    except InvalidSignature as exc:
        raise CredentialInvalid(
            "The signature does not match: the credential was altered or signed by another key."
        ) from exc
    return proof
