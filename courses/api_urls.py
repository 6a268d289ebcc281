"""Routes of the courses REST API, mounted at /api/v1/ by lms.urls."""

from rest_framework.routers import SimpleRouter

from courses import api

router = SimpleRouter()
router.register("trades", api.TradeViewSet, basename="trade")
router.register("courses", api.CourseViewSet, basename="course")

urlpatterns = router.urls
