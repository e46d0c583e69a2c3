from django.urls import path

from comuna.budgets import result_views, views, vote_views

urlpatterns = [
    path("", views.process_list, name="budget_list"),
    path("new/", views.process_new, name="budget_new"),
    path("import/", views.process_import, name="budget_import"),
    path("<int:pk>/", views.process_detail, name="budget_detail"),
    path("<int:pk>/propose/", views.propose, name="budget_propose"),
    path("<int:pk>/advance/", views.advance, name="budget_advance"),
    path("<int:pk>/ballot/", vote_views.ballot, name="budget_ballot"),
    path("<int:pk>/paper/", vote_views.paper, name="budget_paper"),
    path("<int:pk>/codes/", vote_views.codes, name="budget_codes"),
    path("<int:pk>/result/", result_views.result, name="budget_result"),
    path("<int:pk>/voters/", result_views.voters, name="budget_voters"),
    path("<int:pk>/export.pb", result_views.export, name="budget_export"),
    path("projects/<int:pk>/", result_views.project_detail, name="budget_project"),
    path("projects/<int:pk>/review/", views.review, name="budget_review"),
    path("projects/<int:pk>/spend/", result_views.spend, name="budget_spend"),
    path("spending/<int:pk>/reverse/", result_views.reverse, name="budget_reverse"),
]
