"""Included by ``comuna/urls.py`` at ``api/``; the namespace is ``api`` (``api:openapi-json``)."""

from comuna.api.api import api

urlpatterns = api.urls[0]
app_name = api.urls_namespace
