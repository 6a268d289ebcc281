"""Read-only REST API of the catalogue: trades, courses and their lessons.
Live pages only. Parsing and rendering here; the reads are selectors."""

from django.http import Http404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, viewsets
from rest_framework.permissions import IsAuthenticatedOrReadOnly
from rest_framework.response import Response

from courses import selectors
from courses.serializers import (
    CourseDetailSerializer,
    CourseFilterSerializer,
    CourseSerializer,
    TradeFilterSerializer,
    TradeSerializer,
)

TAGS = ["catalogue"]


def _page_id(description: str) -> OpenApiParameter:
    return OpenApiParameter("id", OpenApiTypes.INT, OpenApiParameter.PATH, description=description)


def _filters(serializer_class, request) -> dict:
    params = serializer_class(data=request.query_params)
    params.is_valid(raise_exception=True)
    return params.validated_data


@extend_schema_view(
    list=extend_schema(
        summary="List trades",
        description="Published trades (occupations) in catalogue order, optionally searched.",
        parameters=[TradeFilterSerializer],
        tags=TAGS,
    ),
    retrieve=extend_schema(
        summary="Get a trade", parameters=[_page_id("Page id of the trade.")], tags=TAGS
    ),
)
class TradeViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    serializer_class = TradeSerializer
    permission_classes = [IsAuthenticatedOrReadOnly]
    lookup_value_regex = r"\d+"

    def get_queryset(self):
        if self.action == "list":
            return selectors.trade_search(
                query=_filters(TradeFilterSerializer, self.request).get("q", "")
            )
        return selectors.trade_list()


@extend_schema_view(
    list=extend_schema(
        summary="List courses",
        description=(
            "Published courses, filtered by trade slug and skill level and searched "
            "with `q` (most relevant first); otherwise in catalogue order."
        ),
        parameters=[CourseFilterSerializer],
        tags=TAGS,
    ),
    retrieve=extend_schema(
        summary="Get a course",
        description="A published course with its description, instructors and lessons.",
        parameters=[_page_id("Page id of the course.")],
        responses=CourseDetailSerializer,
        tags=TAGS,
    ),
)
class CourseViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    serializer_class = CourseSerializer
    permission_classes = [IsAuthenticatedOrReadOnly]
    lookup_value_regex = r"\d+"

    def get_queryset(self):
        filters = _filters(CourseFilterSerializer, self.request)
        return selectors.course_search(
            query=filters.get("q", ""),
            trade_slug=filters.get("trade"),
            level=filters.get("level"),
        )

    def retrieve(self, request, *args, **kwargs):
        course = selectors.course_detail_get(course_id=int(kwargs[self.lookup_field]))
        if course is None:
            raise Http404
        lessons = selectors.course_lesson_list(course=course)
        context = {**self.get_serializer_context(), "lessons": lessons}
        return Response(CourseDetailSerializer(course, context=context).data)
