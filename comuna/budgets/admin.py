from django.contrib import admin

from comuna.admin_base import ReadOnlyAdmin
from comuna.budgets.models import BudgetProcess, PhaseChange, Project, Spending

# Ballots, voter marks and voting codes are deliberately absent: no screen lists them together.
admin.site.register([BudgetProcess, Project, PhaseChange, Spending], ReadOnlyAdmin)
