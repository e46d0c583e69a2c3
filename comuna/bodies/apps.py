from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BodiesConfig(AppConfig):
    name = "comuna.bodies"
    verbose_name = _("Bodies")

    def ready(self) -> None:
        from comuna.bodies import checks  # noqa: F401  (registers system checks)
