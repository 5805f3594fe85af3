"""What each command does, from parsed arguments to files; the command line only parses and dispatches."""
