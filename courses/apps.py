from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class CoursesConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "courses"
    verbose_name = _("Courses")

    def ready(self):
        from courses import receivers

        post_migrate.connect(receivers.migrated, sender=self, dispatch_uid="courses_migrated")
