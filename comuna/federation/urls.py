"""Routes under /b/<slug>/federation/ (every view declares its policy)."""

from django.urls import path

from comuna.federation import parliament_views as parliament
from comuna.federation import views

urlpatterns = [
    path("", views.overview, name="federation_overview"),
    path("tree/", views.tree, name="federation_tree"),
    path("found/", views.found, name="federation_found"),
    path("founding/", views.founding, name="federation_founding"),
    path("founding/step/", views.founding_step, name="federation_founding_step"),
    path("members/", views.membership, name="federation_membership"),
    path("consultations/new/", views.consultation_new, name="federation_consultation_new"),
    path("consultations/<int:pk>/", views.consultation, name="federation_consultation"),
    path("consultations/<int:pk>/units.csv", views.consultation_csv, name="federation_csv"),
    path(
        "consultations/<int:pk>/close/",
        views.consultation_close,
        name="federation_consultation_close",
    ),
    path("consultations/<int:pk>/station/", views.station, name="federation_station"),
    path("sessions/new/", parliament.session_new, name="federation_session_new"),
    path("sessions/<int:pk>/", parliament.session, name="federation_session"),
    path("sessions/<int:pk>/items/", parliament.item_add, name="federation_item_add"),
    path("sessions/<int:pk>/open/", parliament.session_open, name="federation_session_open"),
    path("sessions/<int:pk>/close/", parliament.session_close, name="federation_session_close"),
    path("sessions/<int:pk>/floor/", parliament.give_floor, name="federation_give_floor"),
    path("items/<int:pk>/vote/", parliament.item_vote, name="federation_item_vote"),
    path("items/<int:pk>/close/", parliament.item_close, name="federation_item_close"),
    path("delegates/<int:pk>/", parliament.delegate, name="federation_delegate"),
    path("delegation/", parliament.member_side, name="federation_member"),
    path("delegation/act/", parliament.member_act, name="federation_member_act"),
    path("deviations/<int:pk>/recall/", parliament.recall, name="federation_recall"),
    path(
        "recalls/<int:pk>/referendum/",
        parliament.recall_referendum,
        name="federation_recall_referendum",
    ),
]
