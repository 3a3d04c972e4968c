from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from ppa import views
from ppa.forms import LoginForm

urlpatterns = [
    path("", views.home, name="home"),
    path(
        "masuk/",
        auth_views.LoginView.as_view(
            authentication_form=LoginForm, redirect_authenticated_user=True
        ),
        name="login",
    ),
    path("keluar/", auth_views.LogoutView.as_view(), name="logout"),
    path("bahasa/", views.set_language, name="set_language"),
    path("health/", views.health, name="health"),
    path("kasus/", include("cases.urls")),
    path("rujukan/", include("referrals.urls")),
    path("statistik/", include("reports.urls")),
    path("admin/", admin.site.urls),
]
