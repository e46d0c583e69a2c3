from django.urls import include, path

urlpatterns: list = [
    path("api/", include("comuna.api.urls")),
]
