"""Writes of the courses app. Page content itself is written through Wagtail
(its page actions: create, revise, submit for moderation, publish); this
module holds the rest: the Instructors group's permissions and search upkeep.

Who is in the Instructors group is decided by ``lms.services.membership_grant``
and ``membership_revoke`` (an instructor membership puts the user in it)."""

from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from wagtail.models import Collection, GroupCollectionPermission, GroupPagePermission
from wagtail.search import index

from courses.models import CatalogueIndexPage, CoursePage, TradePage

# The same name as lms.services.STAFF_ROLE_GROUP_NAMES[INSTRUCTOR]; either
# side may create the group first.
INSTRUCTORS_GROUP_NAME = "Instructors"

# Instructors write courses and lessons, upload images and PDF work
# instructions, and choose them; they never publish (no "publish" page
# permission), so their changes go through the moderation workflow.
_INSTRUCTOR_COLLECTION_PERMISSIONS = [
    ("wagtailimages", "image", "add_image"),
    ("wagtailimages", "image", "choose_image"),
    ("wagtaildocs", "document", "add_document"),
    ("wagtaildocs", "document", "choose_document"),
]


def _permission(app_label: str, model: str, codename: str) -> Permission:
    content_type, _created = ContentType.objects.get_or_create(app_label=app_label, model=model)
    permission, _created = Permission.objects.get_or_create(
        content_type=content_type, codename=codename, defaults={"name": codename}
    )
    return permission


@transaction.atomic
def instructor_group_ensure() -> Group:
    """Create the "Instructors" Wagtail group and its permissions where
    missing: admin access, *add* page permission on the catalogue (which lets
    them create courses; ``courses.permissions`` lets them edit the courses
    they teach) and adding/choosing images and documents. Idempotent."""
    group, _created = Group.objects.get_or_create(name=INSTRUCTORS_GROUP_NAME)
    group.permissions.add(_permission("wagtailadmin", "admin", "access_admin"))
    catalogue = CatalogueIndexPage.objects.order_by("path").first()
    if catalogue is not None:
        GroupPagePermission.objects.get_or_create(
            group=group,
            page=catalogue.page_ptr,
            permission=_permission("wagtailcore", "page", "add_page"),
        )
    root_collection = Collection.get_first_root_node()
    if root_collection is not None:
        for app_label, model, codename in _INSTRUCTOR_COLLECTION_PERMISSIONS:
            GroupCollectionPermission.objects.get_or_create(
                group=group,
                collection=root_collection,
                permission=_permission(app_label, model, codename),
            )
    return group


def trade_courses_reindex(*, trade: TradePage) -> int:
    """Re-index a trade's courses, whose search text includes the trade's
    names and code. Returns the number of courses re-indexed."""
    courses = CoursePage.objects.descendant_of(trade).select_related("provider")
    count = 0
    for course in courses:
        index.insert_or_update_object(course)
        count += 1
    return count
