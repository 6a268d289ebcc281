"""The progress app in Wagtail: the lesson page's access and player context
and the video files' access check (``progress.player``), the course page's
enrolment box (through the ``course_page_context`` hook that courses calls),
and two admin pages:
bulk course assignment (platform admins, union auditors, funders) and
classroom sessions with their check-in screens (instructors, platform
admins); and the LRS's client systems and forwarding outbox in the Settings
menu (``progress.xapi.admin_views``, platform admins)."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect
from django.urls import include, path, reverse, reverse_lazy
from django.utils.translation import gettext_lazy as _
from django.views.generic import FormView, View
from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin

from lms.exceptions import ApplicationError
from progress import demo, player, quiz_admin, quiz_views, selectors, services
from progress.forms import AssignmentUploadForm, ClassSessionForm

# --- The lesson page and its video (the lead's, see progress.player) ------------

hooks.register("lesson_page_context", player.lesson_page_context)
hooks.register("video_file_access", player.video_file_access)
hooks.register("load_demo", demo.load_demo)
hooks.register("lesson_page_context", quiz_views.lesson_quiz_context)
hooks.register("course_page_context", quiz_views.course_exam_context)
hooks.register("register_admin_urls", quiz_admin.register_question_stats_urls)
hooks.register("register_snippet_listing_buttons", quiz_admin.question_stats_button)


# --- The course page ----------------------------------------------------------


@hooks.register("course_page_context")
def add_enrolment_state(*, request, course, context):
    context["enrolment_state"] = selectors.course_enrolment_state_get(
        user=request.user, course=course
    )


# --- Bulk assignment -------------------------------------------------------------


def _may_assign(user) -> bool:
    cached = getattr(user, "_progress_may_assign", None)
    if cached is None:
        cached = selectors.assignment_organisations_for(user=user).exists()
        user._progress_may_assign = cached
    return cached


def _may_run_classes(user) -> bool:
    cached = getattr(user, "_progress_may_run_classes", None)
    if cached is None:
        cached = ClassSessionForm(user=user).fields["course"].queryset.exists()
        user._progress_may_run_classes = cached
    return cached


class AssignmentView(WagtailAdminTemplateMixin, FormView):
    """Upload a list of workers and courses; see the jobs and their reports."""

    template_name = "progress/admin/assignments.html"
    form_class = AssignmentUploadForm
    page_title = _("Assign courses")
    header_icon = "group"

    def dispatch(self, request, *args, **kwargs):
        if not _may_assign(request.user):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "user": self.request.user}

    def get_breadcrumbs_items(self):
        return [*self.breadcrumbs_items, {"url": "", "label": self.get_page_title()}]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["jobs"] = selectors.assignment_job_list_for(user=self.request.user)[:20]
        return context

    def form_valid(self, form):
        try:
            job = services.assignment_job_create(
                organisation=form.cleaned_data["organisation"],
                file=form.cleaned_data["file"],
                actor=self.request.user,
            )
        except ApplicationError as exc:
            form.add_error("file", exc.message)
            return self.form_invalid(form)
        messages.success(
            self.request, _("The list is being processed. This page shows its progress.")
        )
        return redirect("progress_admin:assignment", job.pk)


class AssignmentJobView(WagtailAdminTemplateMixin, View):
    template_name = "progress/admin/assignment_job.html"
    page_title = _("Assignment")
    header_icon = "group"

    def get_breadcrumbs_items(self):
        return [
            *self.breadcrumbs_items,
            {"url": reverse("progress_admin:assignments"), "label": _("Assign courses")},
            {"url": "", "label": self.get_page_title()},
        ]

    def get(self, request, job_id: int):
        self.job = selectors.assignment_job_get_for(user=request.user, job_id=job_id)
        if self.job is None:
            raise Http404
        return self.render_to_response(self.get_context_data(job=self.job))

    def get_page_subtitle(self):
        return self.job.file_name


class AssignmentReportView(View):
    def get(self, request, job_id: int):
        job = selectors.assignment_job_get_for(user=request.user, job_id=job_id)
        if job is None or not job.report:
            raise Http404
        return FileResponse(
            job.report.open("rb"),
            as_attachment=True,
            filename=f"assignment-{job.pk}-report.csv",
            content_type="text/csv; charset=utf-8",
        )


class AssignmentTemplateView(View):
    """An example file to fill in: the column titles the import reads."""

    def get(self, request):
        if not _may_assign(request.user):
            raise PermissionDenied
        # A BOM so that Excel opens the Chinese titles intact.
        content = "\ufeff手机号,身份证号,课程\r\n13800138000,,arc\r\n,11010519491231002X,42\r\n"
        response = HttpResponse(content.encode("utf-8"), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = 'attachment; filename="assignment-template.csv"'
        return response


# --- Classroom sessions ---------------------------------------------------------


class ClassSessionsView(WagtailAdminTemplateMixin, FormView):
    """Schedule a class and open its check-in screen."""

    template_name = "progress/admin/class_sessions.html"
    form_class = ClassSessionForm
    page_title = _("Classroom check-in")
    header_icon = "date"
    success_url = reverse_lazy("progress_admin:classes")

    def dispatch(self, request, *args, **kwargs):
        if not _may_run_classes(request.user):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "user": self.request.user}

    def get_breadcrumbs_items(self):
        return [*self.breadcrumbs_items, {"url": "", "label": self.get_page_title()}]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        sessions = selectors.class_sessions_managed_by(user=self.request.user)
        context["sessions"] = sessions.annotate(checkin_count=Count("checkins"))[:50]
        return context

    def form_valid(self, form):
        data = form.cleaned_data
        try:
            services.class_session_create(
                actor=self.request.user,
                course=data["course"],
                title=data["title"],
                starts_at=data["starts_at"],
                ends_at=data["ends_at"],
                location=data["location"],
                training_base=data["training_base"],
            )
        except ApplicationError as exc:
            form.add_error(None, exc.message)
            return self.form_invalid(form)
        messages.success(self.request, _("The class is scheduled."))
        return super().form_valid(form)


@hooks.register("register_admin_urls")
def register_admin_urls():
    urls = [
        path("", AssignmentView.as_view(), name="assignments"),
        path("template/", AssignmentTemplateView.as_view(), name="assignment-template"),
        path("<int:job_id>/", AssignmentJobView.as_view(), name="assignment"),
        path("<int:job_id>/report/", AssignmentReportView.as_view(), name="assignment-report"),
        path("classes/", ClassSessionsView.as_view(), name="classes"),
    ]
    return [path("assignments/", include((urls, "progress_admin"), namespace="progress_admin"))]


class _AssignmentMenuItem(MenuItem):
    def is_shown(self, request):
        return _may_assign(request.user)


class _ClassesMenuItem(MenuItem):
    def is_shown(self, request):
        return _may_run_classes(request.user)


@hooks.register("register_admin_menu_item")
def register_assignment_menu_item():
    return _AssignmentMenuItem(
        _("Assign courses"),
        reverse("progress_admin:assignments"),
        name="assign-courses",
        icon_name="group",
        order=260,
    )


@hooks.register("register_admin_menu_item")
def register_classes_menu_item():
    return _ClassesMenuItem(
        _("Classroom check-in"),
        reverse("progress_admin:classes"),
        name="classroom-checkin",
        icon_name="date",
        order=270,
    )


# --- The LRS: client systems and the forwarding outbox (progress.xapi.admin_views) ---


@hooks.register("register_admin_viewset")
def register_xapi_viewsets():
    from progress.xapi.admin_views import XAPIClientViewSet, XAPIForwardViewSet

    return [XAPIClientViewSet(), XAPIForwardViewSet()]


# --- Certificates (progress.certificate_admin) --------------------------------------


@hooks.register("register_admin_viewset")
def register_certificate_viewset():
    from progress.certificate_admin import CertificateViewSet

    return CertificateViewSet()


@hooks.register("load_demo")
def load_demo_certificate(*, users, stdout):
    """After the enrolments (registered above): a worker holding a certificate."""
    from progress.demo_certificates import load_demo_certificate

    load_demo_certificate(users=users, stdout=stdout)


# --- Practical tasks (progress.practical_views, progress.practical_admin) -----------
# Registered after the player's hook, so the lesson's access is in the context.


@hooks.register("lesson_page_context")
def add_practical_task(*, request, lesson, course, context):
    from progress.practical_views import lesson_page_context

    lesson_page_context(request=request, lesson=lesson, course=course, context=context)


@hooks.register("register_admin_urls")
def register_practical_admin_urls():
    from progress.practical_admin import register_admin_urls

    return register_admin_urls()


@hooks.register("register_admin_menu_item")
def register_practical_menu_item():
    from progress.practical_admin import register_menu_item

    return register_menu_item()
