"""One module per `annex` command, each holding the function typer calls (its parameters are the
command's options, its docstring the command's help). They are registered, in the order `annex
--help` lists them, in pipeline/cli/app.py."""
