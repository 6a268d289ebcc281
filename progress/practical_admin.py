"""Practical tasks in the Wagtail admin: the review queue and the grading page
of an instructor (only submissions for courses of the training providers
they teach for; another provider's submission is a 404). Registered in
``progress.wagtail_hooks``. Thin: the rubric form parses, the service grades."""

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect
from django.urls import include, path, reverse
from django.utils.translation import gettext_lazy as _
from django.views.generic import TemplateView
from wagtail.admin.menu import MenuItem
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin

from lms.exceptions import ApplicationError
from media_pipeline.selectors import asset_playback_get
from progress import selectors, services
from progress.models import PracticalSubmission


def _may_review(user) -> bool:
    cached = getattr(user, "_progress_may_review", None)
    if cached is None:
        cached = bool(selectors.practical_grader_provider_ids(user=user))
        user._progress_may_review = cached
    return cached


class RubricForm(forms.Form):
    """One whole-number field per criterion of the submission's frozen rubric,
    and the comment."""

    comment = forms.CharField(
        label=_("Comment for the worker"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Required when the work does not pass: say what to improve."),
    )

    def __init__(self, *args, submission: PracticalSubmission, **kwargs):
        super().__init__(*args, **kwargs)
        fields = {}
        for criterion in submission.criteria:
            fields[f"criterion_{criterion['id']}"] = forms.IntegerField(
                label=criterion["title"],
                help_text=criterion["description"],
                min_value=0,
                max_value=criterion["max_points"],
                widget=forms.NumberInput(attrs={"step": 1, "inputmode": "numeric"}),
            )
        self.fields = {**fields, **self.fields}
        self.criterion_ids = [criterion["id"] for criterion in submission.criteria]

    def scores(self) -> dict[int, int]:
        return {cid: self.cleaned_data[f"criterion_{cid}"] for cid in self.criterion_ids}


class ReviewQueueView(WagtailAdminTemplateMixin, TemplateView):
    template_name = "progress/admin/practical_queue.html"
    page_title = _("Practical tasks")
    header_icon = "tasks"

    def dispatch(self, request, *args, **kwargs):
        if not _may_review(request.user):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_breadcrumbs_items(self):
        return [*self.breadcrumbs_items, {"url": "", "label": self.get_page_title()}]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        context["waiting"] = selectors.practical_review_queue_for(user=user)[:200]
        context["graded"] = selectors.practical_review_queue_for(
            user=user, status=PracticalSubmission.Status.GRADED
        )[:30]
        return context


class ReviewView(WagtailAdminTemplateMixin, TemplateView):
    template_name = "progress/admin/practical_review.html"
    page_title = _("Grade practical task")
    header_icon = "tasks"

    def dispatch(self, request, *args, submission_id, **kwargs):
        self.submission = selectors.practical_submission_get_for_grader(
            user=request.user, submission_id=submission_id
        )
        if self.submission is None:
            raise Http404
        return super().dispatch(request, *args, **kwargs)

    def get_breadcrumbs_items(self):
        return [
            *self.breadcrumbs_items,
            {"url": reverse("progress_practical:queue"), "label": _("Practical tasks")},
            {"url": "", "label": self.get_page_title()},
        ]

    def get_page_subtitle(self):
        return self.submission.lesson.title

    def get_context_data(self, form=None, **kwargs):
        context = super().get_context_data(**kwargs)
        submission = self.submission
        if form is None and submission.status == PracticalSubmission.Status.SUBMITTED:
            form = RubricForm(submission=submission)
        context.update(
            submission=submission,
            form=form,
            playback=asset_playback_get(asset=submission.video) if submission.video_id else None,
        )
        return context

    def post(self, request, *args, **kwargs):
        form = RubricForm(request.POST, submission=self.submission)
        if form.is_valid():
            try:
                graded = services.practical_submission_grade(
                    submission=self.submission,
                    actor=request.user,
                    scores=form.scores(),
                    comment=form.cleaned_data["comment"],
                )
            except ApplicationError as exc:
                if exc.extra.get("status") == 403:
                    raise PermissionDenied(exc.message) from exc
                form.add_error(None, exc.message)
            else:
                if graded.passed:
                    messages.success(request, _("Graded: passed."))
                else:
                    messages.warning(
                        request, _("Graded: not passed. The worker may hand in again.")
                    )
                return redirect("progress_practical:queue")
        return self.render_to_response(self.get_context_data(form=form), status=400)


def register_admin_urls():
    urls = [
        path("", ReviewQueueView.as_view(), name="queue"),
        path("<uuid:submission_id>/", ReviewView.as_view(), name="review"),
    ]
    return [
        path("practical/", include((urls, "progress_practical"), namespace="progress_practical"))
    ]


class _ReviewMenuItem(MenuItem):
    def is_shown(self, request):
        return _may_review(request.user)


def register_menu_item():
    return _ReviewMenuItem(
        _("Practical tasks"),
        reverse("progress_practical:queue"),
        name="practical-tasks",
        icon_name="tasks",
        order=275,
    )
