"""A host project's own candidate model, as a hiring platform has one."""

from __future__ import annotations

from django.db import models


class Applicant(models.Model):
    full_name = models.CharField(max_length=200)
    email = models.EmailField(blank=True)
    country = models.CharField(max_length=2, blank=True)
    portfolio = models.URLField(blank=True)

    def __str__(self) -> str:
        return self.full_name
