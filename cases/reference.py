"""Official category lists (SIMFONI-PPA, UU TPKS, UU PKDRT, UU PA); see docs/domain.md.

Each entry: (code, Indonesian label, English label). Loaded into the reference tables by a data
migration and by `seed_reference()`; administrators may add entries in the admin, never
renumber these codes (statistics and exports key on them).
"""

from typing import Any

from django.apps import apps as global_apps

# Codes that rules name (the statutory clocks of sexual violence, UU TPKS).
SEXUAL_VIOLENCE = "seksual"

VIOLENCE_FORMS = [
    ("fisik", "Fisik", "Physical"),
    ("psikis", "Psikis", "Psychological"),
    (SEXUAL_VIOLENCE, "Seksual", "Sexual"),
    ("eksploitasi", "Eksploitasi", "Exploitation"),
    ("trafficking", "Trafficking (perdagangan orang)", "Trafficking"),
    ("penelantaran", "Penelantaran", "Neglect"),
    ("lainnya", "Lainnya", "Other"),
]

# (code, label, English, rolls up to form, law)
VIOLENCE_SUBTYPES = [
    (
        "tpks_pelecehan_nonfisik",
        "Pelecehan seksual nonfisik",
        "Non-physical sexual harassment",
        "seksual",
        "UU 12/2022 Pasal 4(1)a",
    ),
    (
        "tpks_pelecehan_fisik",
        "Pelecehan seksual fisik",
        "Physical sexual harassment",
        "seksual",
        "UU 12/2022 Pasal 4(1)b",
    ),
    (
        "tpks_pemaksaan_kontrasepsi",
        "Pemaksaan kontrasepsi",
        "Forced contraception",
        "seksual",
        "UU 12/2022 Pasal 4(1)c",
    ),
    (
        "tpks_pemaksaan_sterilisasi",
        "Pemaksaan sterilisasi",
        "Forced sterilisation",
        "seksual",
        "UU 12/2022 Pasal 4(1)d",
    ),
    (
        "tpks_pemaksaan_perkawinan",
        "Pemaksaan perkawinan",
        "Forced marriage",
        "seksual",
        "UU 12/2022 Pasal 4(1)e",
    ),
    (
        "tpks_penyiksaan_seksual",
        "Penyiksaan seksual",
        "Sexual torture",
        "seksual",
        "UU 12/2022 Pasal 4(1)f",
    ),
    (
        "tpks_eksploitasi_seksual",
        "Eksploitasi seksual",
        "Sexual exploitation",
        "seksual",
        "UU 12/2022 Pasal 4(1)g",
    ),
    (
        "tpks_perbudakan_seksual",
        "Perbudakan seksual",
        "Sexual slavery",
        "seksual",
        "UU 12/2022 Pasal 4(1)h",
    ),
    (
        "tpks_ksbe",
        "Kekerasan seksual berbasis elektronik (KSBE)",
        "Electronic-based sexual violence",
        "seksual",
        "UU 12/2022 Pasal 4(1)i",
    ),
    ("tpks_perkosaan", "Perkosaan", "Rape", "seksual", "UU 12/2022 Pasal 4(2)"),
    (
        "tpks_pencabulan",
        "Perbuatan cabul",
        "Sexual assault (indecent act)",
        "seksual",
        "UU 12/2022 Pasal 4(2)",
    ),
    (
        "tpks_persetubuhan_anak",
        "Persetubuhan / perbuatan cabul terhadap anak",
        "Sexual intercourse with or assault of a child",
        "seksual",
        "UU 12/2022 Pasal 4(2)",
    ),
    (
        "tpks_pornografi_anak",
        "Pornografi anak",
        "Child pornography",
        "seksual",
        "UU 12/2022 Pasal 4(2)",
    ),
    (
        "tpks_pemaksaan_pelacuran",
        "Pemaksaan pelacuran",
        "Forced prostitution",
        "seksual",
        "UU 12/2022 Pasal 4(2)",
    ),
    (
        "pkdrt_fisik",
        "KDRT: kekerasan fisik",
        "Domestic violence: physical",
        "fisik",
        "UU 23/2004 Pasal 5a",
    ),
    (
        "pkdrt_psikis",
        "KDRT: kekerasan psikis",
        "Domestic violence: psychological",
        "psikis",
        "UU 23/2004 Pasal 5b",
    ),
    (
        "pkdrt_seksual",
        "KDRT: kekerasan seksual",
        "Domestic violence: sexual",
        "seksual",
        "UU 23/2004 Pasal 5c",
    ),
    (
        "pkdrt_penelantaran",
        "KDRT: penelantaran rumah tangga",
        "Domestic violence: neglect",
        "penelantaran",
        "UU 23/2004 Pasal 5d",
    ),
    (
        "tppo_eksploitasi_seksual",
        "TPPO: eksploitasi seksual",
        "Trafficking: sexual exploitation",
        "trafficking",
        "UU 21/2007",
    ),
    (
        "tppo_kerja_paksa",
        "TPPO: kerja paksa / perbudakan",
        "Trafficking: forced labour, slavery",
        "trafficking",
        "UU 21/2007",
    ),
    (
        "tppo_organ",
        "TPPO: pengambilan organ",
        "Trafficking: organ removal",
        "trafficking",
        "UU 21/2007",
    ),
]

PLACES = [
    ("rumah_tangga", "Rumah Tangga", "Household"),
    ("tempat_kerja", "Tempat Kerja", "Workplace"),
    ("sekolah", "Sekolah", "School"),
    ("fasilitas_umum", "Fasilitas Umum", "Public facility"),
    ("lembaga_pendidikan_kilat", "Lembaga Pendidikan Kilat", "Short-course institution"),
    ("lainnya", "Lainnya", "Other"),
]
# Local sub-places: (code, label, English, parent place)
SUBPLACES = [
    ("daring", "Media sosial / daring", "Online / social media", "lainnya"),
    ("ruang_publik", "Ruang publik", "Public space", "fasilitas_umum"),
    ("pesantren", "Pondok pesantren", "Islamic boarding school", "sekolah"),
]

SERVICE_TYPES = [
    ("pengaduan", "Pengaduan", "Complaint handling"),
    ("kesehatan", "Kesehatan", "Health"),
    ("bantuan_hukum", "Bantuan Hukum", "Legal aid"),
    ("penegakan_hukum", "Penegakan Hukum", "Law enforcement"),
    ("rehabilitasi_sosial", "Rehabilitasi Sosial", "Social rehabilitation"),
    ("reintegrasi_sosial", "Reintegrasi Sosial", "Social reintegration"),
    ("pemulangan", "Pemulangan", "Return home"),
    ("pendampingan_tokoh_agama", "Pendampingan Tokoh Agama", "Religious accompaniment"),
]

UPTD_FUNCTIONS = [
    ("pengaduan_masyarakat", "Pengaduan masyarakat", "Public complaints"),
    ("penjangkauan", "Penjangkauan korban", "Outreach to victims"),
    ("pengelolaan_kasus", "Pengelolaan kasus", "Case management"),
    ("penampungan_sementara", "Penampungan sementara", "Temporary shelter"),
    ("mediasi", "Mediasi", "Mediation"),
    ("pendampingan_korban", "Pendampingan korban", "Accompaniment of victims"),
]

RELATIONSHIPS = [
    ("orang_tua", "Orang Tua", "Parent"),
    ("keluarga", "Keluarga/Saudara", "Family/relative"),
    ("suami_istri", "Suami/Istri", "Spouse"),
    ("tetangga", "Tetangga", "Neighbour"),
    ("pacar_teman", "Pacar/Teman", "Partner/friend"),
    ("guru", "Guru", "Teacher"),
    ("majikan", "Majikan", "Employer"),
    ("rekan_kerja", "Rekan Kerja", "Co-worker"),
    ("lainnya", "Lainnya", "Other"),
    ("na", "Tidak diketahui (N/A)", "Not stated (N/A)"),
]

EDUCATION = [
    ("belum_sekolah", "Belum/Tidak Sekolah", "No schooling yet"),
    ("paud_tk", "PAUD/TK", "Early childhood / kindergarten"),
    ("sd", "SD/sederajat", "Primary school"),
    ("sltp", "SLTP/sederajat", "Junior secondary"),
    ("slta", "SLTA/sederajat", "Senior secondary"),
    ("perguruan_tinggi", "Perguruan Tinggi", "Higher education"),
    ("putus_sekolah", "Putus Sekolah", "Dropped out"),
    ("tidak_diketahui", "Tidak diketahui (N/A)", "Unknown (N/A)"),
]

OCCUPATIONS = [
    ("pelajar", "Pelajar", "Student"),
    ("ibu_rumah_tangga", "Ibu Rumah Tangga", "Homemaker"),
    ("tidak_bekerja", "Tidak Bekerja", "Not working"),
    ("swasta_buruh", "Swasta/Buruh", "Private sector / labourer"),
    ("bekerja", "Bekerja (lainnya)", "Other work"),
    ("pns_tni_polri", "PNS/TNI/Polri", "Civil servant / military / police"),
    ("pedagang_tani_nelayan", "Pedagang/Tani/Nelayan", "Trader / farmer / fisher"),
    ("na", "Tidak diketahui (N/A)", "Unknown (N/A)"),
]

MARITAL_STATUSES = [
    ("belum_kawin", "Belum kawin", "Not married"),
    ("kawin_tercatat", "Kawin tercatat", "Married (registered)"),
    ("kawin_tidak_tercatat", "Kawin tidak tercatat (siri/adat)", "Married (unregistered)"),
    ("cerai_hidup", "Cerai hidup", "Divorced"),
    ("cerai_mati", "Cerai mati", "Widowed"),
    ("tidak_diketahui", "Tidak diketahui", "Unknown"),
]

DISABILITY_TYPES = [
    ("fisik", "Fisik", "Physical"),
    ("intelektual", "Intelektual", "Intellectual"),
    ("mental", "Mental", "Mental"),
    ("sensorik_rungu", "Sensorik rungu", "Sensory: hearing"),
    ("sensorik_wicara", "Sensorik wicara", "Sensory: speech"),
    ("sensorik_netra", "Sensorik netra", "Sensory: sight"),
    ("ganda", "Ganda / multi", "Multiple"),
]

AMPK_CATEGORIES = [
    ("darurat", "Anak dalam situasi darurat", "Child in an emergency"),
    ("abh", "Anak yang berhadapan dengan hukum", "Child in contact with the law"),
    ("minoritas", "Anak dari kelompok minoritas dan terisolasi", "Minority or isolated child"),
    (
        "eksploitasi",
        "Anak yang dieksploitasi secara ekonomi dan/atau seksual",
        "Economically or sexually exploited child",
    ),
    ("napza", "Anak korban penyalahgunaan NAPZA", "Child victim of substance abuse"),
    ("pornografi", "Anak korban pornografi", "Child victim of pornography"),
    ("hiv", "Anak dengan HIV/AIDS", "Child with HIV/AIDS"),
    (
        "penculikan",
        "Anak korban penculikan, penjualan dan/atau perdagangan",
        "Child victim of abduction, sale or trafficking",
    ),
    (
        "kekerasan_fisik_psikis",
        "Anak korban kekerasan fisik dan/atau psikis",
        "Child victim of physical or psychological violence",
    ),
    ("kejahatan_seksual", "Anak korban kejahatan seksual", "Child victim of sexual crime"),
    ("terorisme", "Anak korban jaringan terorisme", "Child victim of terrorist networks"),
    ("disabilitas", "Anak penyandang disabilitas", "Child with disability"),
    (
        "penelantaran",
        "Anak korban perlakuan salah dan penelantaran",
        "Child victim of maltreatment and neglect",
    ),
    (
        "perilaku_menyimpang",
        "Anak dengan perilaku sosial menyimpang",
        "Child with deviant social behaviour",
    ),
    (
        "stigmatisasi",
        "Anak korban stigmatisasi dari pelabelan terkait kondisi orang tuanya",
        "Child stigmatised because of a parent's condition",
    ),
]


def seed_reference(apps: Any = None) -> None:
    """Create or update every reference entry (idempotent). Used by the data migration."""
    if apps is None:
        apps = global_apps

    def model(name: str) -> Any:
        return apps.get_model("cases", name)

    simple = {
        "ViolenceForm": VIOLENCE_FORMS,
        "Place": PLACES,
        "ServiceType": SERVICE_TYPES,
        "UptdFunction": UPTD_FUNCTIONS,
        "Relationship": RELATIONSHIPS,
        "Education": EDUCATION,
        "Occupation": OCCUPATIONS,
        "MaritalStatus": MARITAL_STATUSES,
        "DisabilityType": DISABILITY_TYPES,
        "AmpkCategory": AMPK_CATEGORIES,
    }
    for name, rows in simple.items():
        for order, (code, label, label_en) in enumerate(rows, start=1):
            model(name).objects.update_or_create(
                code=code, defaults={"label": label, "label_en": label_en, "order": order}
            )
    for order, (code, label, label_en, form, law) in enumerate(VIOLENCE_SUBTYPES, start=1):
        model("ViolenceSubtype").objects.update_or_create(
            code=code,
            defaults={
                "label": label,
                "label_en": label_en,
                "order": order,
                "form_id": form,
                "law": law,
            },
        )
    for order, (code, label, label_en, parent) in enumerate(SUBPLACES, start=100):
        model("Place").objects.update_or_create(
            code=code,
            defaults={"label": label, "label_en": label_en, "order": order, "parent_id": parent},
        )
