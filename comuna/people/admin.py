from django.contrib import admin

from comuna.admin_base import ReadOnlyAdmin
from comuna.people.models import Household, Resident


@admin.register(Resident)
class ResidentAdmin(ReadOnlyAdmin):
    list_display = ["last_names", "first_names", "body", "birth_date", "left_on"]
    search_fields = ["last_names", "first_names", "id_number"]
    list_select_related = ["body"]


admin.site.register(Household, ReadOnlyAdmin)
