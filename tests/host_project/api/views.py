"""The platform's API views, on DRF's defaults: whatever Renown sets must not reach them."""

from rest_framework import generics

from api.models import Posting
from api.serializers import PostingSerializer


class PostingList(generics.ListCreateAPIView):
    queryset = Posting.objects.all()
    serializer_class = PostingSerializer


class PostingDetail(generics.RetrieveAPIView):
    queryset = Posting.objects.all()
    serializer_class = PostingSerializer
