from mila_cli.cli import main

main()
