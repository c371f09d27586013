"""`python -m monitor` is the `monitor` command."""

from monitor.launch import main

main()
