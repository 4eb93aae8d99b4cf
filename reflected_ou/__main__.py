import sys

from reflected_ou.cli import main

sys.exit(main())
