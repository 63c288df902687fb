"""GET /api/v1/health: liveness without a token, checking nothing heavier than configuration."""
from bookmarker import health
from bookmarker.http import Request, Result, endpoint


@endpoint
def lambda_handler(request: Request) -> Result:
    return 200, health.status()
