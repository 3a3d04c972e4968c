from django.contrib import admin

from cases import models

# Reference lists an administrator may extend (never renumber: statistics key on the codes).
for ref in (
    models.ViolenceForm,
    models.ViolenceSubtype,
    models.Place,
    models.ServiceType,
    models.UptdFunction,
    models.Relationship,
    models.Education,
    models.Occupation,
    models.MaritalStatus,
    models.DisabilityType,
    models.AmpkCategory,
):
    admin.site.register(
        ref,
        list_display=["code", "label", "label_en", "order", "is_active"],
        list_editable=["order", "is_active"],
        search_fields=["code", "label", "label_en"],
    )
