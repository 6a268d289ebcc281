"""Platform core data: users, organisations (a tree), memberships with roles,
and the worker's real-name profile."""

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from treebeard.mp_tree import MP_Node


class User(AbstractUser):
    """A person who signs in. ``username`` is generated; people sign in with
    their mobile number or e-mail address (allauth)."""

    email = models.EmailField(_("e-mail address"), blank=True, null=True, unique=True)
    phone = models.CharField(
        _("mobile number"),
        max_length=20,
        blank=True,
        null=True,
        unique=True,
        help_text=_("Mainland mobile number, stored as +86XXXXXXXXXXX."),
    )
    phone_verified = models.BooleanField(_("mobile number verified"), default=False)
    display_name = models.CharField(_("display name"), max_length=100, blank=True)

    class Meta(AbstractUser.Meta):
        verbose_name = _("user")
        verbose_name_plural = _("users")
        swappable = "AUTH_USER_MODEL"

    def __str__(self) -> str:
        return self.display_name or self.email or self.phone or self.username

    def save(self, *args, **kwargs):
        # Empty strings would collide on the unique constraints.
        self.email = self.email or None
        self.phone = self.phone or None
        super().save(*args, **kwargs)


class Organisation(MP_Node):
    """An organisation in the tree: provincial union → city union → county
    union → enterprise union, plus enterprises, training providers and funders."""

    class Kind(models.TextChoices):
        UNION = "union", _("Trade union")
        ENTERPRISE = "enterprise", _("Enterprise")
        PROVIDER = "provider", _("Training provider")
        FUNDER = "funder", _("Funder")
        PLATFORM = "platform", _("Platform operator")

    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    code = models.CharField(
        _("code"),
        max_length=40,
        unique=True,
        help_text=_("Stable identifier, e.g. the unified social credit code or a short slug."),
    )
    region = models.CharField(_("region"), max_length=100, blank=True)

    node_order_by = ["name"]

    class Meta:
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")

    def __str__(self) -> str:
        return self.name


class Membership(models.Model):
    """A user's role in one organisation. Scoping follows the organisation tree."""

    class Role(models.TextChoices):
        WORKER = "worker", _("Worker")
        INSTRUCTOR = "instructor", _("Instructor")
        AUDITOR = "auditor", _("Union auditor")
        FUNDER = "funder", _("Funder / programme manager")
        PLATFORM_ADMIN = "platform_admin", _("Platform admin")

    STAFF_ROLES = (Role.INSTRUCTOR, Role.AUDITOR, Role.FUNDER, Role.PLATFORM_ADMIN)

    user = models.ForeignKey(
        User, on_delete=models.CASCADE, related_name="memberships", verbose_name=_("user")
    )
    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="memberships",
        verbose_name=_("organisation"),
    )
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "organisation", "role"], name="membership_unique_role"
            ),
        ]
        indexes = [models.Index(fields=["role", "organisation"])]

    def __str__(self) -> str:
        return f"{self.user} · {self.get_role_display()} · {self.organisation}"


class WorkerProfile(models.Model):
    """Real-name identity of a worker. The resident ID number is never stored in
    plain text: a keyed hash enforces "one ID number, one account", the
    encrypted value allows a lawful read-back, and the masked form is what
    screens show."""

    user = models.OneToOneField(
        User, on_delete=models.CASCADE, related_name="worker_profile", verbose_name=_("user")
    )
    legal_name = models.CharField(_("legal name"), max_length=50)
    id_number_hash = models.CharField(_("ID number hash"), max_length=64, unique=True)
    id_number_encrypted = models.TextField(_("ID number (encrypted)"))
    id_number_masked = models.CharField(_("ID number"), max_length=18)
    birth_date = models.DateField(_("date of birth"))
    employer = models.ForeignKey(
        Organisation,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="employees",
        limit_choices_to=Q(kind=Organisation.Kind.ENTERPRISE),
        verbose_name=_("employer"),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("worker profile")
        verbose_name_plural = _("worker profiles")

    def __str__(self) -> str:
        return f"{self.legal_name} ({self.id_number_masked})"


class LedgerHead(models.Model):
    """The head of one hash chain. Appends lock this row, so entries of a
    chain are numbered and linked one at a time (see ``lms.ledger``)."""

    chain = models.CharField(_("chain"), max_length=32, primary_key=True)
    size = models.BigIntegerField(_("entries"), default=0)
    head_hash = models.CharField(_("hash of the last entry"), max_length=64)

    class Meta:
        verbose_name = _("ledger head")
        verbose_name_plural = _("ledger heads")

    def __str__(self) -> str:
        return f"{self.chain} · {self.size}"


class LedgerEntry(models.Model):
    """One fact in an append-only hash chain.

    ``entry_hash`` is SHA-256 of the entry's canonical JSON, which includes
    ``prev_hash``; the unique ``(chain, prev_hash)`` means no two entries can
    follow the same one (no fork commits). On PostgreSQL, triggers refuse
    UPDATE, DELETE and TRUNCATE.
    """

    chain = models.CharField(_("chain"), max_length=32)
    position = models.BigIntegerField(_("position"))
    kind = models.CharField(_("kind"), max_length=64)
    subject = models.CharField(_("subject"), max_length=64, blank=True, db_index=True)
    actor_id = models.BigIntegerField(_("actor"), null=True, blank=True)
    payload = models.JSONField(_("payload"), default=dict)
    recorded_at = models.DateTimeField(_("recorded at"))
    prev_hash = models.CharField(_("previous hash"), max_length=64)
    entry_hash = models.CharField(_("hash"), max_length=64, unique=True)

    class Meta:
        verbose_name = _("ledger entry")
        verbose_name_plural = _("ledger entries")
        constraints = [
            models.UniqueConstraint(fields=["chain", "position"], name="ledger_chain_position"),
            models.UniqueConstraint(fields=["chain", "prev_hash"], name="ledger_no_fork"),
        ]

    def __str__(self) -> str:
        return f"{self.chain}#{self.position} {self.kind}"


class LedgerCheckpoint(models.Model):
    """A signed tree head: the RFC 6962 Merkle root over the first
    ``tree_size`` entries of a chain, signed with the Ed25519 key held outside
    the database (``LEDGER_SIGNING_KEY``). On PostgreSQL, triggers refuse
    UPDATE, DELETE and TRUNCATE, as for entries."""

    chain = models.CharField(_("chain"), max_length=32)
    tree_size = models.BigIntegerField(_("tree size"))
    root_hash = models.CharField(_("root hash"), max_length=64)
    signed_at = models.DateTimeField(_("signed at"))
    signature = models.CharField(_("signature"), max_length=128)
    key_id = models.CharField(_("key id"), max_length=16)

    class Meta:
        verbose_name = _("ledger checkpoint")
        verbose_name_plural = _("ledger checkpoints")
        constraints = [
            models.UniqueConstraint(fields=["chain", "tree_size"], name="ledger_checkpoint_size"),
        ]

    def __str__(self) -> str:
        return f"{self.chain} @ {self.tree_size}"
