"""The PySide6 desktop UI of nmdesk. All Qt code lives here."""
