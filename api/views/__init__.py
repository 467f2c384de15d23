"""The API's views, one module per area; ``api.urls`` routes them."""
