"""The main window's print hook (``print_current``) opens the print preview."""

from ui.print_preview import PrintPreviewDialog as PrintDialog

__all__ = ["PrintDialog"]
