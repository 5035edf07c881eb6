"""Customer notifications: email and SMS for the moments that matter (issue 7)."""
