"""The IAM check's tooling: the DynamoDB call recorder, the policy resolver, and the local API with the recorder in."""
