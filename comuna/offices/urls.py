"""Routes of the offices of a body, under ``b/<slug>/offices/``."""

from django.urls import path

from comuna.offices import account_views as accounts
from comuna.offices import recall_views as recalls
from comuna.offices import rotation_views as rotations
from comuna.offices import views

urlpatterns = [
    path("", views.offices_home, name="offices_home"),
    path("establish/", views.establish_posts, name="establish_posts"),
    path("posts/new/", rotations.post_new, name="post_new"),
    path("posts/<int:pk>/", views.post_detail, name="post_detail"),
    path("posts/<int:pk>/lot/", rotations.post_lot, name="post_lot"),
    path("posts/<int:pk>/roster/", rotations.post_roster, name="post_roster"),
    path("posts/<int:pk>/shifts/", rotations.post_shifts, name="post_shifts"),
    path("holders/<int:pk>/", views.holder_detail, name="holder_detail"),
    path("holders/<int:pk>/report/", rotations.holder_report, name="holder_report"),
    path("elections/new/", views.election_new, name="election_new"),
    path("elections/<int:pk>/", views.election_detail, name="election_detail"),
    path("elections/<int:pk>/candidacies/", views.candidacy_add, name="candidacy_add"),
    path("elections/<int:pk>/open/", views.election_open, name="election_open"),
    path("elections/<int:pk>/count/", views.election_count, name="election_count"),
    path("elections/<int:pk>/ballot/", views.election_ballot, name="election_ballot"),
    path("elections/<int:pk>/ballots.blt", views.election_blt, name="election_blt"),
    path("accounts/link/", accounts.link_account, name="link_account"),
    path("recalls/new/", recalls.recall_new, name="recall_new"),
    path("recalls/<int:pk>/", recalls.recall_detail, name="recall_detail"),
    path("recalls/<int:pk>/sign/", recalls.recall_sign, name="recall_sign"),
    path("recalls/<int:pk>/report/", recalls.recall_report, name="recall_report"),
    path("recalls/<int:pk>/assembly/", recalls.recall_to_assembly, name="recall_to_assembly"),
]
