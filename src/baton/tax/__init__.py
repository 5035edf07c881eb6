"""Tax: rates by country, region and tax class, and the exact tax of an order's lines and shipping."""
