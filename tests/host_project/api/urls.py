from django.urls import path

from api import views

app_name = "api"

urlpatterns = [
    path("postings/", views.PostingList.as_view(), name="posting-list"),
    path("postings/<int:pk>/", views.PostingDetail.as_view(), name="posting-detail"),
]
