"""Printing forms and receiving their signed copies and scans."""
