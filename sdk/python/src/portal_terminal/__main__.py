import sys

from portal_terminal.cli import main

sys.exit(main())
