"""Events out: the event envelope and catalogue, webhook subscriptions, signing, delivery and the worker."""
