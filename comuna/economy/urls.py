from django.urls import path

from comuna.economy import views

urlpatterns = [
    path("", views.overview, name="treasury"),
    path("journal/", views.journal, name="treasury_journal"),
    path("journal.csv", views.journal_csv, name="treasury_journal_csv"),
    path("accounts/<int:pk>/", views.account_ledger, name="treasury_account"),
    path("entries/<int:pk>/", views.entry_detail, name="treasury_entry"),
    path("entries/<int:pk>/reverse/", views.reverse, name="treasury_reverse"),
    path("income/", views.record, {"movement": "income"}, name="treasury_income"),
    path("transfer/", views.record, {"movement": "transfer"}, name="treasury_transfer"),
    path("payment/", views.record, {"movement": "payment"}, name="treasury_payment"),
]
