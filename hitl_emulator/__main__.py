"""`python -m hitl_emulator`: the same as the `hitl-emulator` command."""

import sys

from ._cli import main

sys.exit(main())
