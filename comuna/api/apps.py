from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "comuna.api"
    verbose_name = "API"
