"""Forms of the progress app: they parse input; the services decide."""

from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from courses.models import CoursePage
from lms.models import Organisation
from lms.selectors import user_is_platform_admin
from progress.selectors import assignment_organisations_for
from progress.services import ASSIGNMENT_MAX_BYTES


class WithdrawForm(forms.Form):
    reason = forms.CharField(
        label=_("Why are you leaving this course? (optional)"),
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class OrganisationChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return "— " * (obj.depth - 1) + obj.name


class AssignmentUploadForm(forms.Form):
    organisation = OrganisationChoiceField(
        label=_("Assign on behalf of"),
        queryset=Organisation.objects.none(),
        help_text=_("Only workers of this organisation (and those under it) can be assigned."),
    )
    file = forms.FileField(
        label=_("List of workers (CSV or XLSX)"),
        help_text=_(
            "First row: column titles. One worker and one course per row: a column “mobile "
            "number” (手机号) or “ID number” (身份证号), and a column “course” (课程) with the "
            "course's page id or slug. At most %(mb)s MB."
        )
        % {"mb": ASSIGNMENT_MAX_BYTES >> 20},
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.xlsx"}),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = assignment_organisations_for(user=user)


class DateTimeLocalInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%dT%H:%M", **kwargs)


class ClassSessionForm(forms.Form):
    course = forms.ModelChoiceField(label=_("Course"), queryset=CoursePage.objects.none())
    title = forms.CharField(label=_("Title"), max_length=200)
    starts_at = forms.DateTimeField(label=_("Starts at"), widget=DateTimeLocalInput())
    ends_at = forms.DateTimeField(label=_("Ends at"), widget=DateTimeLocalInput())
    location = forms.CharField(label=_("Location"), max_length=200, required=False)
    training_base = OrganisationChoiceField(
        label=_("Training base"), queryset=Organisation.objects.order_by("path"), required=False
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        courses = CoursePage.objects.order_by("title")
        if not user_is_platform_admin(user=user):
            courses = courses.filter(Q(instructors=user)).distinct()
        self.fields["course"].queryset = courses
