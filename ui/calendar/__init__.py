"""The holiday calendar (节假日安排) and its year view."""
