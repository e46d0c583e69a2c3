from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FederationConfig(AppConfig):
    name = "comuna.federation"
    verbose_name = _("Federation")

    def ready(self) -> None:
        # A recall carried out in a member body moves the federation seat (ADR 0065).
        from comuna.federation.services.delegate_offices import follow_recall
        from comuna.offices.signals import term_recalled

        term_recalled.connect(follow_recall, dispatch_uid="federation.follow_recall")
