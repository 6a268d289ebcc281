"""Parsing of the catalogue's query parameters (``q``, ``trade``, ``level``).

Bad values are ignored rather than answered with an error page: a worker who
follows an old link still sees the catalogue.
"""

from django import forms
from django.utils.translation import gettext_lazy as _

from courses.models import SkillLevel

QUERY_MAX_LENGTH = 100


def level_from_param(value: str | None) -> int | None:
    """The skill level in a query parameter, or None when absent or invalid."""
    try:
        level = int(value or "")
    except ValueError:
        return None
    return level if level in SkillLevel.values else None


class CatalogueFilterForm(forms.Form):
    # The template writes the inputs itself (chips and hidden fields keep the
    # other filters); the form only parses.
    q = forms.CharField(label=_("Search courses"), required=False, max_length=QUERY_MAX_LENGTH)
    trade = forms.SlugField(required=False, allow_unicode=True)
    level = forms.TypedChoiceField(
        required=False, choices=SkillLevel.choices, coerce=int, empty_value=None
    )

    def cleaned_filters(self) -> dict:
        """Keyword arguments for ``selectors.course_search``; invalid fields are dropped."""
        self.is_valid()
        data = self.cleaned_data
        query = data.get("q")
        if query is None:  # too long: search with its beginning
            query = str(self.data.get("q", ""))[:QUERY_MAX_LENGTH]
        return {
            "query": query.strip(),
            "trade_slug": data.get("trade") or None,
            "level": data.get("level"),
        }
