"""Handlers for other apps' signals; each calls one service."""

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver
from wagtail.signals import page_published

from courses import services
from courses.models import TradePage
from lms.models import Membership


@receiver(post_save, sender=Membership, dispatch_uid="courses_membership_saved")
def membership_saved(sender, instance: Membership, created: bool, **kwargs):
    # A new worker membership cannot change admin access; skip the queries.
    if instance.role == Membership.Role.INSTRUCTOR or not created:
        services.instructor_access_sync(user=instance.user)


@receiver(post_delete, sender=Membership, dispatch_uid="courses_membership_deleted")
def membership_deleted(sender, instance: Membership, **kwargs):
    if instance.role == Membership.Role.INSTRUCTOR:
        services.instructor_access_sync(user=instance.user)


@receiver(page_published, sender=TradePage, dispatch_uid="courses_trade_published")
def trade_published(sender, instance: TradePage, **kwargs):
    services.trade_courses_reindex(trade=instance)


def migrated(sender, apps=None, **kwargs):
    """After ``migrate``: make sure the Instructors group exists (unless the
    courses tables were just migrated away)."""
    try:
        if apps is not None:
            apps.get_model("courses", "CatalogueIndexPage")
    except LookupError:
        return
    services.instructor_group_ensure()
