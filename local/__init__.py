"""The docker-free local API: serves template.yaml's routes over HTTP, like API Gateway HTTP API."""
