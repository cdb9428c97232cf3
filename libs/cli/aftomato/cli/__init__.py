"""The `aftomato` command line: one subcommand per process, plus user commands."""
