"""The Learning Record Store's tables: client credentials, statements and the
index of agents and activities each statement mentions.

A statement is kept exactly as stored (``data``) and never changes; the
columns beside it exist only so that every filter of GET /xapi/statements is
an index lookup. Statements that client systems send never touch credited
time, progress or completion: nothing here is read by the crediting code.
"""

import hashlib
import hmac

from django.conf import settings
from django.contrib.auth.hashers import check_password
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

__all__ = [
    "XAPIActivity",
    "XAPIAttachment",
    "XAPIClient",
    "XAPIDocument",
    "XAPIForward",
    "XAPIStatement",
    "XAPIStatementRelation",
]


SECRET_SHA256_PREFIX = "sha256$"


def _secret_digest(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


class XAPIClient(models.Model):
    """A client system (e.g. a union's data warehouse) that calls the LRS
    with HTTP Basic credentials ``key:secret``. The secret is kept only as a
    SHA-256 digest (see ``set_secret``)."""

    name = models.CharField(_("name"), max_length=200)
    key = models.CharField(_("key"), max_length=64, unique=True)
    secret_hash = models.CharField(_("secret (hashed)"), max_length=256)
    organisation = models.ForeignKey(
        "lms.Organisation",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="xapi_clients",
        verbose_name=_("organisation scope"),
        help_text=_("When set, the client reads statements about workers in this subtree only."),
    )
    active = models.BooleanField(_("active"), default=True)
    can_write = models.BooleanField(_("may store statements"), default=True)
    can_read_all = models.BooleanField(_("may read every statement"), default=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("xAPI client")
        verbose_name_plural = _("xAPI clients")

    def __str__(self) -> str:
        return self.name

    def set_secret(self, secret: str) -> None:
        # Not Django's password hasher: that is PBKDF2 with hundreds of
        # thousands of rounds, made to slow down guessing a person's weak
        # password, and it cost 250-500 ms of CPU on every LRS request. The
        # secret is 256 random bits made by ``xapi_client_create``; no
        # guessing is feasible, so one SHA-256 (as for API tokens) is enough.
        self.secret_hash = SECRET_SHA256_PREFIX + _secret_digest(secret)

    def check_secret(self, secret: str) -> bool:
        if self.secret_hash.startswith(SECRET_SHA256_PREFIX):
            expected = self.secret_hash.removeprefix(SECRET_SHA256_PREFIX)
            return hmac.compare_digest(expected, _secret_digest(secret))
        # A client registered before the digest: its Django password hash.
        return check_password(secret, self.secret_hash)


class XAPIStatement(models.Model):
    """One stored statement. ``id`` (the row number) is the tie-breaker of the
    ``(stored, id)`` paging cursor; ``statement_id`` is the xAPI id."""

    statement_id = models.UUIDField(_("statement id"), unique=True)
    data = models.JSONField(_("statement"))
    stored = models.DateTimeField(_("stored"))
    timestamp = models.DateTimeField(_("timestamp"))
    verb_id = models.CharField(_("verb"), max_length=2048)
    actor_key = models.CharField(_("actor"), max_length=2048)
    object_activity_id = models.CharField(_("object activity"), max_length=2048, blank=True)
    object_agent_key = models.CharField(_("object agent"), max_length=2048, blank=True)
    object_statement_id = models.UUIDField(_("referenced statement"), null=True, blank=True)
    registration = models.UUIDField(_("registration"), null=True, blank=True)
    is_voiding = models.BooleanField(_("voids another statement"), default=False)
    voided = models.BooleanField(_("voided"), default=False)
    # No single-column indexes on the two foreign keys: the composite indexes
    # below start with them.
    client = models.ForeignKey(
        XAPIClient,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="statements",
        db_index=False,
    )
    # The platform user the actor identifies, when it identifies one: what an
    # organisation-scoped client is allowed to see.
    actor_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
    )

    class Meta:
        verbose_name = _("xAPI statement")
        verbose_name_plural = _("xAPI statements")
        indexes = [
            # Every query orders and pages by (stored, id); each equality filter
            # on this table gets a composite index ending in the cursor columns.
            # The agent and activity filters read XAPIStatementRelation, so
            # actor_key and object_activity_id have none: an index no query
            # uses would only slow every insert.
            models.Index(fields=["stored", "id"], name="xapi_stmt_stored"),
            models.Index(fields=["verb_id", "stored", "id"], name="xapi_stmt_verb"),
            models.Index(fields=["registration", "stored", "id"], name="xapi_stmt_registration"),
            models.Index(fields=["actor_user", "stored", "id"], name="xapi_stmt_actor_user"),
            models.Index(fields=["client", "stored", "id"], name="xapi_stmt_client"),
            models.Index(
                fields=["object_statement_id"],
                name="xapi_stmt_ref",
                condition=Q(object_statement_id__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        return str(self.statement_id)


class XAPIStatementRelation(models.Model):
    """An agent or activity a statement mentions. ``direct`` rows are what the
    plain ``agent``/``activity`` filters match (the actor, its Group members,
    the object); the others are what ``related_agents``/``related_activities``
    add (context, SubStatement parts, authority, instructor, team)."""

    class Kind(models.TextChoices):
        AGENT = "agent", _("Agent")
        ACTIVITY = "activity", _("Activity")

    # Indexed by the unique constraint below, which starts with it.
    statement = models.ForeignKey(
        XAPIStatement, on_delete=models.CASCADE, related_name="relations", db_index=False
    )
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    key = models.CharField(_("key"), max_length=2048)
    direct = models.BooleanField(_("direct"))
    stored = models.DateTimeField(_("stored"))

    class Meta:
        verbose_name = _("xAPI statement relation")
        verbose_name_plural = _("xAPI statement relations")
        constraints = [
            models.UniqueConstraint(
                fields=["statement", "kind", "key", "direct"], name="xapi_relation_unique"
            ),
        ]
        indexes = [
            models.Index(
                fields=["kind", "key", "direct", "stored", "statement"], name="xapi_rel_lookup"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.key}"


class XAPIAttachment(models.Model):
    """The raw data of a statement attachment sent in a multipart/mixed body,
    kept once per SHA-2 hash (``sha2`` as the statement's attachment object
    gives it). Kept in the database so a refused request leaves nothing
    behind: the statement and its data commit together or not at all."""

    sha2 = models.CharField(_("SHA-2 hash"), max_length=128, unique=True)
    content_type = models.CharField(_("content type"), max_length=255)
    length = models.BigIntegerField(_("length"))
    content = models.BinaryField(_("content"))
    stored = models.DateTimeField(_("stored"), auto_now_add=True)

    class Meta:
        verbose_name = _("xAPI attachment")
        verbose_name_plural = _("xAPI attachments")

    def __str__(self) -> str:
        return self.sha2


class XAPIActivity(models.Model):
    """The LRS's canonical definition of an Activity, served by the Activities
    resource. ``id_hash`` (SHA-256 of the IRI) carries the unique index, since
    an IRI may be longer than a btree entry allows."""

    activity_id = models.CharField(_("activity id"), max_length=2048)
    id_hash = models.CharField(_("activity id hash"), max_length=64, unique=True)
    definition = models.JSONField(_("definition"), default=dict, blank=True)
    updated = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("xAPI activity")
        verbose_name_plural = _("xAPI activities")

    def __str__(self) -> str:
        return self.activity_id


class XAPIDocument(models.Model):
    """One document of the State, Activity Profile or Agent Profile resource,
    kept per client system (a client reads and writes its own documents).

    ``scope_hash`` is the SHA-256 of what the resource keys a list of documents
    by (state: activity, agent; activity profile: activity; agent profile:
    agent), ``key_hash`` adds the registration and the document's own id
    (one canonical form: ``selectors.document_hashes``). Hashes
    carry the indexes because the IRIs they cover may be longer than a btree
    entry allows. ``etag`` is the SHA-1 of the content, as ETags are given."""

    class Kind(models.TextChoices):
        STATE = "state", _("State")
        ACTIVITY_PROFILE = "activity_profile", _("Activity profile")
        AGENT_PROFILE = "agent_profile", _("Agent profile")

    client = models.ForeignKey(
        XAPIClient, on_delete=models.CASCADE, related_name="documents", verbose_name=_("client")
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    activity_id = models.CharField(_("activity id"), max_length=2048, blank=True)
    agent_key = models.CharField(_("agent"), max_length=2048, blank=True)
    registration = models.CharField(_("registration"), max_length=36, blank=True)
    document_id = models.CharField(_("document id"), max_length=2048)
    scope_hash = models.CharField(_("scope hash"), max_length=64)
    key_hash = models.CharField(_("key hash"), max_length=64)
    content = models.BinaryField(_("content"))
    content_type = models.CharField(_("content type"), max_length=255)
    etag = models.CharField(_("ETag"), max_length=64)
    updated = models.DateTimeField(_("updated"))

    class Meta:
        verbose_name = _("xAPI document")
        verbose_name_plural = _("xAPI documents")
        constraints = [
            models.UniqueConstraint(fields=["client", "key_hash"], name="xapi_document_unique"),
        ]
        indexes = [
            models.Index(fields=["client", "scope_hash", "updated"], name="xapi_document_scope"),
        ]

    def __str__(self) -> str:
        return self.document_id


class XAPIForward(models.Model):
    """Outbox row: a statement the platform stored, waiting to be delivered to
    the external LRS (``XAPI_FORWARD_URL``). Written in the transaction of the
    fact it records, so a statement is never lost while the receiver is down;
    after too many failed attempts it is ``dead`` and shown to admins."""

    statement = models.OneToOneField(
        XAPIStatement, on_delete=models.CASCADE, related_name="forward", verbose_name=_("statement")
    )
    created = models.DateTimeField(_("created"), auto_now_add=True)
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt at"))
    last_error = models.TextField(_("last error"), blank=True)
    delivered_at = models.DateTimeField(_("delivered at"), null=True, blank=True)
    dead = models.BooleanField(_("dead letter"), default=False)

    class Meta:
        verbose_name = _("xAPI forward")
        verbose_name_plural = _("xAPI forwards")
        indexes = [
            models.Index(
                fields=["next_attempt_at", "id"],
                name="xapi_forward_due",
                condition=Q(delivered_at__isnull=True, dead=False),
            ),
        ]

    def __str__(self) -> str:
        return str(self.statement_id)
