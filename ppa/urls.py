from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from django.views.generic import RedirectView

from ppa import views

# A database outage answers 503 "try again in a moment"; other errors the generic 500 page.
handler500 = "ppa.views.server_error"

urlpatterns = [
    path("", views.home, name="home"),
    path("masuk/", views.LoginView.as_view(), name="login"),
    path("keluar/", auth_views.LogoutView.as_view(), name="logout"),
    path("bahasa/", views.set_language, name="set_language"),
    path("health/", views.health, name="health"),
    # Accounts and two-factor authentication.
    path("akun/", views.account, name="account"),
    path("akun/verifikasi/", views.otp_verify, name="otp_verify"),
    path("akun/autentikator/", views.otp_setup, name="otp_setup"),
    path("akun/autentikator/qr.svg", views.otp_qr, name="otp_qr"),
    path("akun/kode-pemulihan/", views.recovery_codes_new, name="recovery_codes_new"),
    path("akun/kata-sandi/", views.password_change, name="password_change"),
    path("akun/keluar-semua/", views.logout_everywhere, name="logout_everywhere"),
    path("kasus/", include("cases.urls")),
    path("rujukan/", include("referrals.urls")),
    path("rakor/", include("coordination.urls")),
    path("laporan-satgas/", include("coordination.community_urls")),
    path("pencegahan/", include("coordination.prevention_urls")),
    path("statistik/", include("reports.urls")),
    path("privasi/", include("privacy.urls")),
    path("dokumen/", include("paperwork.urls")),
    path("impor/", include("imports.urls")),
    # The admin signs in through the same login (rate limit, lockout, two factors).
    path("admin/login/", RedirectView.as_view(pattern_name="login", query_string=True)),
    path("admin/", admin.site.urls),
]
