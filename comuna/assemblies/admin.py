from django.contrib import admin

from comuna.admin_base import ReadOnlyAdmin
from comuna.assemblies.models import Assembly, Decision, Motion

# Ballots, voter marks and roll calls are deliberately absent: no screen lists them together.
admin.site.register([Assembly, Motion, Decision], ReadOnlyAdmin)
