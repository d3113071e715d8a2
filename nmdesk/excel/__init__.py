"""Excel in and out: ledger import (python-calamine) and register export (openpyxl)."""
