from django.contrib import admin

from comuna.admin_base import ReadOnlyAdmin
from comuna.economy.models import Account, Entry, Line

admin.site.register([Account, Entry, Line], ReadOnlyAdmin)
