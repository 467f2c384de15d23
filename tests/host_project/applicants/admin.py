from django.contrib import admin
from hiring.admin_links import RenownProfileLinkMixin

from applicants.models import Applicant


@admin.register(Applicant)
class ApplicantAdmin(RenownProfileLinkMixin, admin.ModelAdmin):
    fields = ["full_name", "email", "country", "renown_profile"]
