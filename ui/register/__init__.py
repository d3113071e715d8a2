"""The register's main window: the table, its filters, the details pane and the deadlines board."""
