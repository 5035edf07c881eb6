"""Returns (RMA): units a customer sends back, received and inspected at a location, refunded, closed."""
