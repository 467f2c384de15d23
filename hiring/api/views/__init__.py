"""The API's views, one module per area; ``hiring.api.urls`` routes them."""
