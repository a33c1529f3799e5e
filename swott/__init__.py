"""The `swott` command: one entry point that gathers the commands of each package."""
