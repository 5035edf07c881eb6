"""Server-rendered pages: the staff console (console.py) and, later, the customer portal."""
