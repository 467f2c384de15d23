from rest_framework import serializers

from api.models import Posting


class PostingSerializer(serializers.ModelSerializer):
    class Meta:
        model = Posting
        fields = ["id", "title"]
