"""The policy engine: the policy language, datasources and evaluation."""
