"""The clerk's data-entry dialogs: accounts, units, people, hand-over, closure, sanctions, watch list, filings, attachments, undo."""
