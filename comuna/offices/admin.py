from django.contrib import admin

from comuna.admin_base import ReadOnlyAdmin
from comuna.offices.models import Candidacy, Election, Post, Recall, Report, Term

# Election ballots, voter marks and petition signatures are deliberately absent.
admin.site.register([Post, Election, Candidacy, Term, Recall, Report], ReadOnlyAdmin)
