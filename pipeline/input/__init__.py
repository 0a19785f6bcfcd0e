"""Reading the user's files (YAML, CSV) into the input model, every problem located."""
