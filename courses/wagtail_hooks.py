"""Admin customisation: instructors see only their own courses."""

from wagtail import hooks

from courses import selectors


@hooks.register("construct_explorer_page_queryset")
def hide_courses_not_taught(parent_page, pages, request):
    # Editing is refused by the page permission testers (courses.permissions);
    # this keeps other instructors' courses out of the explorer listings and
    # the sidebar's page menu.
    return selectors.explorer_pages_visible_to(user=request.user, pages=pages)
