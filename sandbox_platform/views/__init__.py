"""The sandbox platform's blueprints: thin views over `Platform`."""
