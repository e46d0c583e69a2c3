from django.contrib import admin

from comuna.admin_base import ReadOnlyAdmin
from comuna.federation.models import (
    Consultation,
    Delegate,
    DelegateVote,
    Deviation,
    Founding,
    Item,
    Mandate,
    Seat,
    Session,
)

# Consultation ballots and voter marks are deliberately absent (secret ballot).
admin.site.register(
    [Consultation, Founding, Seat, Delegate, Session, Item, Mandate, DelegateVote, Deviation],
    ReadOnlyAdmin,
)
