"""The package's one structured logger (Powertools Logger: JSON lines, level from the environment)."""
from aws_lambda_powertools import Logger

logger = Logger(service="bookmarker")
