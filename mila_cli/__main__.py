from mila_cli import main

main()
