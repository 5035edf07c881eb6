"""End-to-end tests: a real `baton serve` process, or the whole app driven from its OpenAPI document."""
