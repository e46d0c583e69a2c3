"""Routes. Every view declares its authorisation rule (``comuna.policies``); the test suite
fails on a route without one."""

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from django.views.i18n import set_language

from comuna.assemblies import views as assemblies
from comuna.assemblies import voting_views as voting
from comuna.bodies import views as bodies
from comuna.people import views as people
from comuna.policies import PUBLIC

login = auth_views.LoginView.as_view()
logout = auth_views.LogoutView.as_view()
login.policy = logout.policy = set_language.policy = PUBLIC  # type: ignore[attr-defined]

body = [
    path("", bodies.body_detail, name="body_detail"),
    path("decisions/", bodies.decision_log, name="decisions"),
    path("record/", bodies.record, name="record"),
    path("record.json", bodies.record_json, name="record_json"),
    path("ruleset/", bodies.ruleset, name="ruleset"),
    path("roles/", bodies.roles, name="roles"),
    path("roles/revoke/", bodies.revoke_role, name="revoke_role"),
    path("registration/", bodies.registration, name="registration"),
    path("census/", people.census, name="census"),
    path("census/households/new/", people.household_new, name="household_new"),
    path("census/residents/new/", people.resident_new, name="resident_new"),
    path("census/import/", people.census_import, name="census_import"),
    path("assemblies/", assemblies.assembly_list, name="assembly_list"),
    path("assemblies/new/", assemblies.convene, name="convene"),
    path("assemblies/<int:pk>/", assemblies.assembly_detail, name="assembly_detail"),
    path("assemblies/<int:pk>/attendance/", assemblies.attendance, name="attendance"),
    path("assemblies/<int:pk>/sheet/", assemblies.attendance_sheet, name="attendance_sheet"),
    path("assemblies/<int:pk>/codes/", assemblies.voting_codes, name="voting_codes"),
    path("assemblies/<int:pk>/open/", assemblies.open_assembly, name="open_assembly"),
    path("assemblies/<int:pk>/no-quorum/", assemblies.declare_no_quorum, name="no_quorum"),
    path("assemblies/<int:pk>/close/", assemblies.close_assembly, name="close_assembly"),
    path("assemblies/<int:pk>/motions/new/", assemblies.motion_new, name="motion_new"),
    path("assemblies/<int:pk>/acta/", assemblies.acta, name="acta"),
    path("assemblies/<int:pk>/acta.pdf", assemblies.acta_pdf, name="acta_pdf"),
    path("motions/<int:pk>/", voting.motion_detail, name="motion_detail"),
    path("motions/<int:pk>/open/", voting.open_vote, name="open_vote"),
    path("motions/<int:pk>/roll-call/", voting.roll_call, name="roll_call"),
    path("motions/<int:pk>/close/", voting.close_vote, name="close_vote"),
    path("motions/<int:pk>/ballot/", voting.ballot, name="ballot"),
    path("motions/<int:pk>/ballot-box/", voting.ballot_box, name="ballot_box"),
]

urlpatterns = [
    path("", bodies.home, name="home"),
    path("found/", bodies.found_council, name="found_council"),
    path("b/<slug:slug>/", include(body)),
    path("b/<slug:slug>/budgets/", include("comuna.budgets.urls")),
    path("b/<slug:slug>/treasury/", include("comuna.economy.urls")),
    path("b/<slug:slug>/federation/", include("comuna.federation.urls")),
    path("b/<slug:slug>/offices/", include("comuna.offices.urls")),
    path("b/<slug:slug>/lots/", include("comuna.lots.urls")),
    path("accounts/login/", login, name="login"),
    path("accounts/logout/", logout, name="logout"),
    path("i18n/setlang/", set_language, name="set_language"),
    path("admin/", admin.site.urls),
    path("api/", include("comuna.api.urls")),
]
