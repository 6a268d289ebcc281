"""Page permissions in the admin: instructors edit only the courses they teach.

The "Instructors" group holds only the *add* page permission on the
catalogue (see ``services.instructor_group_ensure``). Wagtail then lets them
create courses and edit the pages they own; these testers extend that to the
courses where they are listed as instructors (and those courses' lessons),
and keep them from adding trades or adding lessons to other people's
courses. Users with the *change* permission (editors, moderators) and
superusers keep Wagtail's ordinary rules. Publishing needs *publish*, which
instructors do not have: their changes go through the moderation workflow.
"""

from wagtail.models import Page, PagePermissionTester


class _ScopedTester(PagePermissionTester):
    def _is_scoped(self) -> bool:
        """True for users whose page rights here come from *add* alone."""
        return (
            self.user.is_active and not self.user.is_superuser and "change" not in self.permissions
        )

    def _teaches(self, course_path: str) -> bool:
        from courses.selectors import course_paths_taught_by

        return course_path in course_paths_taught_by(user=self.user)


class CataloguePermissionTester(PagePermissionTester):
    def can_add_subpage(self):
        # Trades follow the national classification: only editors add them.
        if not super().can_add_subpage():
            return False
        return self.user.is_superuser or "change" in self.permissions


class CoursePermissionTester(_ScopedTester):
    def can_edit(self):
        if super().can_edit():
            return True
        return self.user.is_active and "add" in self.permissions and self._teaches(self.page.path)

    def can_add_subpage(self):
        if not super().can_add_subpage():
            return False
        return not self._is_scoped() or self._teaches(self.page.path)


class LessonPermissionTester(_ScopedTester):
    def _course_path(self) -> str:
        return self.page.path[: -Page.steplen]

    def can_edit(self):
        if super().can_edit():
            return True
        return (
            self.user.is_active and "add" in self.permissions and self._teaches(self._course_path())
        )
