from django.contrib import admin

from comuna.admin_base import ReadOnlyAdmin
from comuna.bodies.models import Body, Committee, RecordEntry, Role, RulesetVersion


@admin.register(Body)
class BodyAdmin(ReadOnlyAdmin):
    list_display = ["name", "kind", "slug", "founded_on"]
    search_fields = ["name", "slug"]


@admin.register(RecordEntry)
class RecordEntryAdmin(ReadOnlyAdmin):
    list_display = ["body", "seq", "kind", "recorded_at"]
    list_filter = ["kind"]
    list_select_related = ["body"]


admin.site.register([RulesetVersion, Role, Committee], ReadOnlyAdmin)
