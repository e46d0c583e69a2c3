"""Lottery routes, under ``b/<slug>/lots/`` (``@requires`` takes the slug)."""

from django.urls import path

from comuna.lots import views

urlpatterns = [
    path("", views.lottery_list, name="lottery_list"),
    path("new/", views.lottery_new, name="lottery_new"),
    path("<int:pk>/", views.lottery_detail, name="lottery_detail"),
    path("<int:pk>/volunteers/", views.volunteers, name="lottery_volunteers"),
    path("<int:pk>/sign-up/", views.sign_up, name="lottery_sign_up"),
    path("<int:pk>/quotas/", views.quotas, name="lottery_quotas"),
    path("<int:pk>/announce/", views.announce, name="lottery_announce"),
    path("<int:pk>/compute/", views.compute, name="lottery_compute"),
    path("<int:pk>/draw/", views.draw, name="lottery_draw"),
    path("<int:pk>/pool.csv", views.pool_file, name="lottery_pool_csv"),
    path("<int:pk>/quotas.csv", views.quotas_file, name="lottery_quotas_csv"),
    path("<int:pk>/lottery.json", views.record_file, name="lottery_json"),
]
