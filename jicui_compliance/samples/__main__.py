"""``python -m jicui_compliance.samples --out DIR --seed N …``"""

import sys

from . import main

sys.exit(main())
