"""Data access: the only code that knows table names, key shapes and DynamoDB expressions."""
