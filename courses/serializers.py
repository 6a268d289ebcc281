"""Representations of trades, courses and lessons for the read-only REST API,
and the query parameters it accepts."""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers
from wagtail.rich_text import expand_db_html

from courses.forms import QUERY_MAX_LENGTH
from courses.models import CoursePage, LessonPage, SkillLevel, TradePage

COVER_RENDITION = "fill-480x270"


@extend_schema_field(OpenApiTypes.STR)
class RichTextHTMLField(serializers.CharField):
    """Rich text as front-end HTML (internal links and embeds expanded)."""

    def to_representation(self, value):
        return expand_db_html(value or "")


@extend_schema_field(OpenApiTypes.URI)
class PageURLField(serializers.Field):
    """The page's absolute URL on the site that serves the request."""

    def __init__(self, **kwargs):
        kwargs["source"] = "*"
        kwargs["read_only"] = True
        super().__init__(**kwargs)

    def to_representation(self, page):
        request = self.context.get("request")
        url = page.get_url(request=request)
        if url and request is not None:
            return request.build_absolute_uri(url)
        return url


# --- Query parameters -----------------------------------------------------------


class TradeFilterSerializer(serializers.Serializer):
    q = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=QUERY_MAX_LENGTH,
        help_text=_("Search words; Chinese is matched character by character."),
    )


class CourseFilterSerializer(TradeFilterSerializer):
    trade = serializers.SlugField(
        required=False, allow_unicode=True, help_text=_("Slug of a trade, e.g. welder.")
    )
    level = serializers.ChoiceField(
        required=False,
        choices=SkillLevel.choices,
        help_text=_("Skill level from 5 (entry worker) to 1 (senior technician)."),
    )


# --- Resources --------------------------------------------------------------------


class TradeSerializer(serializers.ModelSerializer):
    description = RichTextHTMLField(read_only=True)
    course_count = serializers.IntegerField(
        read_only=True, help_text=_("Number of published courses.")
    )
    url = PageURLField()

    class Meta:
        model = TradePage
        fields = [
            "id",
            "title",
            "slug",
            "occupation_name",
            "occupation_code",
            "icon",
            "description",
            "course_count",
            "url",
        ]
        read_only_fields = fields


class TradeRefSerializer(serializers.Serializer):
    slug = serializers.CharField(source="trade_slug", allow_null=True)
    title = serializers.CharField(source="trade_title", allow_null=True)


class ProviderSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()


class InstructorSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField(source="__str__")


class LessonRefSerializer(serializers.ModelSerializer):
    url = PageURLField()

    class Meta:
        model = LessonPage
        fields = ["id", "title", "duration_minutes", "url"]
        read_only_fields = fields


class CourseSerializer(serializers.ModelSerializer):
    """A course as a catalogue card."""

    trade = TradeRefSerializer(source="*", read_only=True)
    level_display = serializers.CharField(source="get_level_display", read_only=True)
    is_free = serializers.BooleanField(read_only=True)
    provider = ProviderSerializer(read_only=True, allow_null=True)
    cover_url = serializers.SerializerMethodField()
    url = PageURLField()

    class Meta:
        model = CoursePage
        fields = [
            "id",
            "title",
            "slug",
            "trade",
            "level",
            "level_display",
            "study_hours",
            "voucher_price",
            "is_free",
            "provider",
            "summary",
            "featured",
            "cover_url",
            "url",
        ]
        read_only_fields = fields

    @extend_schema_field(serializers.URLField(allow_null=True))
    def get_cover_url(self, course) -> str | None:
        if course.cover_image is None:
            return None
        url = course.cover_image.get_rendition(COVER_RENDITION).url
        request = self.context.get("request")
        return request.build_absolute_uri(url) if request is not None else url


class CourseDetailSerializer(CourseSerializer):
    """A course with its description, instructors and published lessons."""

    description = RichTextHTMLField(read_only=True)
    instructors = InstructorSerializer(many=True, read_only=True)
    lessons = serializers.SerializerMethodField()

    class Meta(CourseSerializer.Meta):
        fields = CourseSerializer.Meta.fields + ["description", "instructors", "lessons"]
        read_only_fields = fields

    @extend_schema_field(LessonRefSerializer(many=True))
    def get_lessons(self, course):
        # The view fetched them with one query (selectors.course_lesson_list).
        lessons = self.context["lessons"]
        return LessonRefSerializer(lessons, many=True, context=self.context).data
