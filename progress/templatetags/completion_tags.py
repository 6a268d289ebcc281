"""``{% completion_checklist enrolment %}``: where a worker stands against the
course's completion rule (studying), or their certificate (completed); on
the course page and on "my learning"."""

from django import template

from progress import selectors
from progress.models import Enrolment

register = template.Library()


@register.inclusion_tag("progress/includes/completion_checklist.html")
def completion_checklist(enrolment):
    context = {"enrolment": enrolment, "status": None, "certificate": None}
    if enrolment is None:
        return context
    if enrolment.status == Enrolment.Status.ACTIVE:
        context["status"] = selectors.completion_status_for(enrolment=enrolment)
    elif enrolment.status == Enrolment.Status.COMPLETED:
        context["certificate"] = selectors.certificate_for_enrolment(enrolment=enrolment)
    return context
