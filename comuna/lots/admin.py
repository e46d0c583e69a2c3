from django.contrib import admin

from comuna.admin_base import ReadOnlyAdmin
from comuna.lots.models import Draw, Lottery, Quota, Volunteer

admin.site.register([Lottery, Quota, Volunteer, Draw], ReadOnlyAdmin)
