from django.urls import path

from coordination import prevention_views as views

app_name = "prevention"
urlpatterns = [
    path("", views.activity_list, name="list"),
    path("baru/", views.activity_create, name="create"),
]
