from django.db import models


class Applicant(models.Model):
    """A person applying through the platform: the platform's record, not Renown's."""

    full_name = models.CharField(max_length=200)
    email = models.EmailField()
    country = models.CharField(max_length=2)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return self.full_name
