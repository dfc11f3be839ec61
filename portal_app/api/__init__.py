"""HTTP routes (REST API, downloads, auth completion, webhooks) on one FastAPI
app mounted on Reflex's backend through `api_transformer`."""
