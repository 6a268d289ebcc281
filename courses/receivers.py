"""Handlers for other apps' signals; each calls one service."""

from django.dispatch import receiver
from wagtail.signals import page_published

from courses import services
from courses.models import TradePage


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
