"""Local fakes of outside providers, speaking their real wire formats; used by the integration tests."""
